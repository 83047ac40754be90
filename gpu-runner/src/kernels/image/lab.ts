/**
 * OpenCV's 8-bit sRGB <-> CIE L*a*b* conversion (cv2.COLOR_RGB2Lab / COLOR_Lab2RGB on uint8, D65 white), as
 * lib.pillow.enhance.AdaptiveContrast needs it. 8-bit Lab stores L * 255 / 100 and a, b offset by 128. OpenCV
 * does this in fixed point from lookup tables (imgproc/src/color_lab.cpp): the forward way through an sRGB
 * gamma table scaled by 8, a 12-bit XYZ matrix and a 15-bit cube-root table; the way back through L -> (y, f(y))
 * and f -> x, z tables on a 14-bit base, a matrix and a 12-bit inverse-gamma table. Rebuilding the same tables
 * with the same rounding (float32 where OpenCV's softfloat rounds, half-to-even like cvRound, its cube root's
 * truncation) gives the same bytes: checked against cv2 4.6 on all 2^24 inputs each way. A table entry could
 * still differ where JavaScript's double pow and softfloat's land on different sides of a rounding tie; then a
 * result moves by 1.
 */

const f32 = Math.fround;

/** cvRound: round half to even (lrint in the default rounding mode). */
export function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// sRGB primaries to XYZ and back (OpenCV's sRGB2XYZ_D65 and XYZ2sRGB_D65), rows X, Y, Z and R, G, B.
const RGB_TO_XYZ = [
  [0.412453, 0.35758, 0.180423],
  [0.212671, 0.71516, 0.072169],
  [0.019334, 0.119193, 0.950227],
];
const XYZ_TO_RGB = [
  [3.240479, -1.53715, -0.498535],
  [-0.969256, 1.875991, 0.041556],
  [0.055648, -0.204043, 1.057311],
];
const D65 = [0.950456, 1, 1.088754];

/** The forward matrix's fraction bits (OpenCV's lab_shift) and the gamma table's extra bits (gamma_shift). */
const LAB_SHIFT = 12;
const GAMMA_SHIFT = 3;
/** Cube-root table output bits (lab_shift2). */
const LAB_SHIFT2 = LAB_SHIFT + GAMMA_SHIFT;
/** The way back works on a 14-bit base; its inverse-gamma table has 12-bit indices. */
const BASE = 1 << 14;
const INV_GAMMA_SHIFT = 12;
/** Smallest f(x) - ... index the a/b -> x/z mapping is asked for (OpenCV's minABvalue). */
const MIN_AB = -8145;

const gamma = (x: number) => (x <= 809 / 20000 ? x / (323 / 25) : ((x + 11 / 200) / (1 + 11 / 200)) ** (12 / 5));
const invGamma = (x: number) => (x <= 7827 / 2500000 ? x * (323 / 25) : x ** (1 / (12 / 5)) * (1 + 11 / 200) - 11 / 200);
const L_THRESH = f32(216 / 24389);
const L_SCALE = f32(841 / 108);
const L_BIAS = f32(16 / 116);

/**
 * OpenCV's softfloat cube root (Ken Turkowski's method, Apple TR KT-32): t = m * 2^(3k) with m in [1/8, 1), a
 * quartic rational approximation of cbrt(m) in double, and the float result made by cutting the double's
 * fraction to 23 bits, that is rounding toward zero, not to nearest. The difference matters: at 324 / 2040 the
 * nearest float, scaled by 2^15, is exactly 17745.5 and rounds to 17746, where OpenCV's table has 17745.
 */
function cbrtTowardZero(t: number): number {
  if (t === 0) return 0;
  let e = Math.floor(Math.log2(t));
  if (2 ** e > t) e--;
  else if (2 ** (e + 1) <= t) e++;
  // C's remainder (toward zero) pushed into -3..-1, so m lands in [1/8, 1) and e - shift divides by 3.
  let shift = e % 3;
  if (shift >= 0) shift -= 3;
  const m = (t / 2 ** e) * 2 ** shift;
  const num = (((45.2548339756803 * m + 192.2798368355061) * m + 119.16548242855816) * m + 13.432501390862399) * m + 0.16361612265857542;
  const den = (((14.808840932191346 * m + 151.97140510444356) * m + 168.52544141015682) * m + 33.99059413502156) * m + 1;
  // The quotient is in [1/2, 1): 24 significant bits are multiples of 2^-24.
  return (Math.floor((num / den) * 2 ** 24) / 2 ** 24) * 2 ** ((e - shift) / 3);
}

/** CIE f(t): cube root above (6/29)^3, the linear toe below. */
const labF = (t: number) => (t < L_THRESH ? f32(t * L_SCALE + L_BIAS) : cbrtTowardZero(t));

interface Tables {
  gammaTab: Uint16Array;
  cbrtTab: Uint16Array;
  invGammaTab: Uint16Array;
  /** Per L byte: y and f(y), both on BASE. */
  lToYf: Int32Array;
  toXyz: Int32Array;
  toRgb: Int32Array;
}

let tables: Tables | undefined;

function build(): Tables {
  const gammaTab = new Uint16Array(256);
  for (let i = 0; i < 256; i++) gammaTab[i] = roundEven(f32(255 * (1 << GAMMA_SHIFT) * f32(gamma(f32(i / 255)))));
  // Indices reach the matrix's largest row sum times 255 * 8: 1.5 x that is OpenCV's table size.
  const cbrtTab = new Uint16Array((256 * 3 * (1 << GAMMA_SHIFT)) / 2);
  const step = f32(1 / f32(255 * (1 << GAMMA_SHIFT)));
  for (let i = 0; i < cbrtTab.length; i++) cbrtTab[i] = roundEven(f32((1 << LAB_SHIFT2) * labF(f32(step * i))));
  const invGammaTab = new Uint16Array(1 << INV_GAMMA_SHIFT);
  for (let i = 0; i < invGammaTab.length; i++) invGammaTab[i] = roundEven(f32(255 * f32(invGamma(i / (1 << INV_GAMMA_SHIFT)))));

  const lToYf = new Int32Array(512);
  for (let i = 0; i < 256; i++) {
    let y: number;
    let fy: number;
    // L* = i * 100 / 255; at or below L* = 8 (i <= 20) Y is linear in L*, above it cubic in f(y) = (L* + 16) / 116.
    if (i <= 20) {
      y = roundEven(f32(f32(i * BASE * 20 * 9) / f32(17 * 29 * 29 * 29)));
      fy = roundEven(f32(BASE * f32(f32(16 / 116) + f32(f32(i * 5) / f32(3 * 17 * 29)))));
    } else {
      const f = f32(f32(f32(i * 100 * BASE) / f32(255 * 116)) + f32(f32(16 * BASE) / f32(116)));
      fy = roundEven(f);
      y = roundEven(f32(f32(f32(f * f) * f) / f32(BASE * BASE)));
    }
    lToYf[2 * i] = y;
    lToYf[2 * i + 1] = fy;
  }

  const toXyz = new Int32Array(9);
  const toRgb = new Int32Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      toXyz[3 * r + c] = roundEven(((1 << LAB_SHIFT) * RGB_TO_XYZ[r][c]) / D65[r]);
      toRgb[3 * r + c] = roundEven((1 << LAB_SHIFT) * XYZ_TO_RGB[r][c] * D65[c]);
    }
  }
  return { gammaTab, cbrtTab, invGammaTab, lToYf, toXyz, toRgb };
}

const labTables = () => (tables ??= build());

/** f^-1 on BASE: (f - 16/116) / 7.787 at or below 6/29 (3390 on BASE), f^3 above, in C's truncating integers. */
function fInverse(f: number): number {
  if (f <= 3390) return Math.trunc((f * 108) / 841) - Math.trunc(Math.trunc(Math.trunc((BASE * 16) / 116) * 108) / 841);
  return Math.trunc((Math.trunc((f * f) / BASE) * f) / BASE);
}

/** CV_DESCALE: add half, shift right (flooring, as C's >> on the ints involved). */
const descale = (v: number, shift: number) => Math.floor((v + 2 ** (shift - 1)) / 2 ** shift);
const byte = (v: number) => Math.min(Math.max(v, 0), 255);

/** 8-bit sRGB to OpenCV's 8-bit Lab, written to out[at..at+2]. */
export function rgbToLab8(r: number, g: number, b: number, out: Uint8Array, at: number): void {
  const { gammaTab, cbrtTab, toXyz: c } = labTables();
  const R = gammaTab[r];
  const G = gammaTab[g];
  const B = gammaTab[b];
  const fX = cbrtTab[descale(R * c[0] + G * c[1] + B * c[2], LAB_SHIFT)];
  const fY = cbrtTab[descale(R * c[3] + G * c[4] + B * c[5], LAB_SHIFT)];
  const fZ = cbrtTab[descale(R * c[6] + G * c[7] + B * c[8], LAB_SHIFT)];
  // L = 116 f(Y) - 16 scaled by 255/100, with OpenCV's integer constants.
  const lScale = Math.trunc((116 * 255 + 50) / 100);
  const lShift = -Math.trunc((16 * 255 * (1 << LAB_SHIFT2) + 50) / 100);
  out[at] = byte(descale(lScale * fY + lShift, LAB_SHIFT2));
  out[at + 1] = byte(descale(500 * (fX - fY) + 128 * (1 << LAB_SHIFT2), LAB_SHIFT2));
  out[at + 2] = byte(descale(200 * (fY - fZ) + 128 * (1 << LAB_SHIFT2), LAB_SHIFT2));
}

/** OpenCV's 8-bit Lab back to 8-bit sRGB, written to out[at..at+2]. */
export function lab8ToRgb(l: number, a: number, b: number, out: Uint8Array, at: number): void {
  const { lToYf, invGammaTab, toRgb: c } = labTables();
  const y = lToYf[2 * l];
  const fy = lToYf[2 * l + 1];
  // a / 500 and b / 200 on BASE, by OpenCV's multiply-and-shift approximations of those divisions.
  const adiv = ((5 * a * 53687 + (1 << 7)) >> 13) - Math.trunc((128 * BASE) / 500);
  const bdiv = ((b * 41943 + (1 << 4)) >> 9) - Math.trunc((128 * BASE) / 200) + 1;
  // OpenCV's table covers these sums; outside it (never reached from bytes) the formula simply continues.
  const x = fInverse(Math.max(MIN_AB, fy + adiv));
  const z = fInverse(Math.max(MIN_AB, fy - bdiv));
  const shift = LAB_SHIFT + (14 - INV_GAMMA_SHIFT);
  const top = (1 << INV_GAMMA_SHIFT) - 1;
  for (let k = 0; k < 3; k++) {
    const v = descale(c[3 * k] * x + c[3 * k + 1] * y + c[3 * k + 2] * z, shift);
    out[at + k] = invGammaTab[Math.min(Math.max(v, 0), top)];
  }
}

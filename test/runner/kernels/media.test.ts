import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import wavefile from "wavefile";
import { describe, expect, it } from "vitest";
import { decodeWavToMono } from "../../../gpu-runner/src/media/audio";
import { cropRotatedRect, rotateCounterClockwise } from "../../../gpu-runner/src/media/crop";
import { decodeImage, detectImageFormat, MAX_IMAGE_PIXELS, type RgbImage } from "../../../gpu-runner/src/media/image";
import { resampleMono } from "../../../gpu-runner/src/media/resample";
import { resizeRgb } from "../../../gpu-runner/src/media/resize";
import { decodeWav, mixToMono } from "../../../gpu-runner/src/media/wav";
import { KernelInputError } from "../../../gpu-runner/src/kernels/types";

function pngBytes(width: number, height: number, rgba: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) png.data.set(rgba(x, y), (y * width + x) * 4);
  }
  return PNG.sync.write(png);
}

describe("image decoding", () => {
  it("decodes PNG to RGB, compositing transparency onto white", () => {
    const bytes = pngBytes(3, 2, (x) => (x === 0 ? [255, 0, 0, 255] : x === 1 ? [0, 0, 0, 0] : [0, 0, 0, 128]));
    expect(detectImageFormat(bytes)).toBe("png");
    const image = decodeImage(bytes);
    expect([image.width, image.height]).toEqual([3, 2]);
    expect(Array.from(image.data.subarray(0, 9))).toEqual([255, 0, 0, 255, 255, 255, 127, 127, 127]);
  });

  it("decodes JPEG to RGB", () => {
    const rgba = new Uint8Array(16 * 8 * 4).fill(200);
    const bytes = jpeg.encode({ data: rgba, width: 16, height: 8 }, 95).data;
    expect(detectImageFormat(bytes)).toBe("jpeg");
    const image = decodeImage(bytes);
    expect([image.width, image.height, image.data.length]).toEqual([16, 8, 16 * 8 * 3]);
    for (const v of image.data) expect(Math.abs(v - 200)).toBeLessThanOrEqual(2);
  });

  it("refuses other formats, corrupt files and oversized images with KernelInputError", () => {
    const gif = new TextEncoder().encode("GIF89a....");
    expect(detectImageFormat(gif)).toBeNull();
    expect(() => decodeImage(gif)).toThrow(KernelInputError);
    expect(() => decodeImage(new Uint8Array(0))).toThrow(KernelInputError);
    const png = pngBytes(4, 4, () => [0, 0, 0, 255]);
    expect(() => decodeImage(png.subarray(0, png.length - 20))).toThrow(KernelInputError);
    expect(() => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))).toThrow(KernelInputError);
    // A header claiming more pixels than allowed is refused before inflating anything.
    const huge = new Uint8Array(png);
    new DataView(huge.buffer).setUint32(16, Math.ceil(MAX_IMAGE_PIXELS / 4) + 1);
    expect(() => decodeImage(huge)).toThrow(/too large/);
  });
});

describe("image geometry", () => {
  const gradient: RgbImage = { width: 8, height: 4, data: Uint8Array.from({ length: 8 * 4 * 3 }, (_, i) => Math.floor(i / 3) * 8) };

  it("resizes, keeping flat areas flat and averaging when shrinking", () => {
    const flat = { width: 10, height: 6, data: new Uint8Array(10 * 6 * 3).fill(90) };
    for (const [w, h] of [[25, 13], [3, 2], [10, 6]]) {
      const out = resizeRgb(flat, w, h);
      expect([out.width, out.height]).toEqual([w, h]);
      expect(out.data.every((v) => v === 90)).toBe(true);
    }
    // A one-pixel checkerboard shrunk 4x averages to grey instead of aliasing to black or white.
    const checker = { width: 16, height: 16, data: Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => ((Math.floor(i / 3) % 16) + Math.floor(i / 48)) % 2 ? 255 : 0) };
    for (const v of resizeRgb(checker, 4, 4).data) expect(Math.abs(v - 127.5)).toBeLessThan(20);
  });

  it("crops an axis-aligned rectangle exactly and rotates a quarter turn", () => {
    const crop = cropRotatedRect(gradient, [2, 1], [6, 1], [2, 3]);
    expect([crop.width, crop.height]).toEqual([4, 2]);
    const pixel = (img: RgbImage, x: number, y: number) => img.data[(y * img.width + x) * 3];
    expect(pixel(crop, 0, 0)).toBe(pixel(gradient, 2, 1));
    expect(pixel(crop, 3, 1)).toBe(pixel(gradient, 5, 2));
    const turned = rotateCounterClockwise(gradient);
    expect([turned.width, turned.height]).toEqual([4, 8]);
    // The top-right pixel ends up top-left.
    expect(pixel(turned, 0, 0)).toBe(pixel(gradient, 7, 0));
    expect(pixel(turned, 3, 7)).toBe(pixel(gradient, 0, 3));
  });
});

function wavBytes(channels: number, rate: number, depth: string, samples: ArrayLike<number> | ArrayLike<number>[]): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, rate, depth, samples as never);
  return wav.toBuffer();
}

describe("WAV decoding", () => {
  it.each([
    ["8", [128, 255, 0, 192], [0, 127 / 128, -1, 0.5]],
    ["16", [0, 32767, -32768, 16384], [0, 32767 / 32768, -1, 0.5]],
    ["24", [0, 8388607, -8388608, 4194304], [0, 8388607 / 8388608, -1, 0.5]],
    ["32", [0, 2147483647, -2147483648, 1073741824], [0, 1, -1, 0.5]],
    ["32f", [0, 0.25, -1, 0.5], [0, 0.25, -1, 0.5]],
    ["64", [0, 0.25, -1, 0.5], [0, 0.25, -1, 0.5]],
  ])("reads %s-bit samples as floats in [-1, 1]", (depth, raw, expected) => {
    const decoded = decodeWav(wavBytes(1, 8000, depth, raw));
    expect(decoded.sampleRate).toBe(8000);
    expect(decoded.channels).toHaveLength(1);
    Array.from(decoded.channels[0]).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it("reads big-endian (RIFX) files", () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 8000, "16", [0, 16384, -32768], { container: "RIFX" });
    expect(Array.from(decodeWav(wav.toBuffer()).channels[0])).toEqual([0, 0.5, -1]);
  });

  it("reads mu-law and A-law", () => {
    for (const encode of ["toMuLaw", "toALaw"] as const) {
      const wav = new wavefile.WaveFile();
      wav.fromScratch(1, 8000, "16", [0, 16000, -16000, 8000]);
      wav[encode]();
      const [samples] = decodeWav(wav.toBuffer()).channels;
      expect(Array.from(samples).map((v) => Math.round(v * 32768 / 1000))).toEqual([0, 16, -16, 8]);
    }
  });

  it("deinterleaves channels and mixes them to mono by averaging", () => {
    const decoded = decodeWav(wavBytes(2, 22050, "16", [[16384, 0, -16384], [0, 16384, -16384]]));
    expect(decoded.channels.map((c) => Array.from(c))).toEqual([[0.5, 0, -0.5], [0, 0.5, -0.5]]);
    expect(Array.from(mixToMono(decoded.channels))).toEqual([0.25, 0.25, -0.5]);
  });

  it("refuses non-WAV bytes and unsupported encodings with KernelInputError", () => {
    expect(() => decodeWav(new TextEncoder().encode("not a wav"))).toThrow(KernelInputError);
    expect(() => decodeWav(new Uint8Array(0))).toThrow(KernelInputError);
    // A RIFF/WAVE header whose format tag is MPEG layer 3 (0x55).
    const mp3InWav = new Uint8Array(wavBytes(1, 8000, "16", [0, 0]));
    new DataView(mp3InWav.buffer).setUint16(20, 0x55, true);
    expect(() => decodeWav(mp3InWav)).toThrow(/unsupported WAV encoding/);
  });
});

describe("resampling", () => {
  const tone = (freq: number, rate: number, seconds: number) =>
    Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * freq * i) / rate));

  function maxAbsError(actual: Float32Array, expected: Float32Array, margin: number): number {
    let max = 0;
    for (let i = margin; i < actual.length - margin; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
    return max;
  }

  it("keeps an in-band tone when going 44.1 kHz -> 16 kHz and 8 kHz -> 16 kHz", () => {
    const down = resampleMono(tone(1000, 44100, 1), 44100, 16000);
    expect(down.length).toBe(16000);
    expect(maxAbsError(down, tone(1000, 16000, 1), 200)).toBeLessThan(1e-3);
    const up = resampleMono(tone(1000, 8000, 1), 8000, 16000);
    expect(up.length).toBe(16000);
    expect(maxAbsError(up, tone(1000, 16000, 1), 200)).toBeLessThan(1e-3);
  });

  it("handles rates without a small common divisor, and keeps a constant signal constant", () => {
    const odd = resampleMono(tone(1000, 44101, 0.5), 44101, 16000);
    expect(odd.length).toBe(8000);
    expect(maxAbsError(odd, tone(1000, 16000, 0.5), 200)).toBeLessThan(1e-3);
    const constant = resampleMono(new Float32Array(4410).fill(0.25), 44100, 16000);
    for (const v of constant) expect(v).toBeCloseTo(0.25, 5);
  });

  it("removes content above the new Nyquist frequency instead of aliasing it", () => {
    // 12 kHz would alias to 4 kHz at 16 kHz.
    const down = resampleMono(tone(12000, 44100, 1), 44100, 16000);
    expect(maxAbsError(down, new Float32Array(down.length), 200)).toBeLessThan(0.5 * 1e-3);
  });

  it("decodes any WAV to mono at the requested rate", () => {
    const bytes = wavBytes(2, 48000, "16", [Int16Array.from(tone(440, 48000, 0.5), (v) => v * 32767), new Int16Array(24000)]);
    const mono = decodeWavToMono(bytes, 16000);
    expect(mono.length).toBe(8000);
    // Half the left channel's amplitude after averaging with a silent right channel.
    expect(maxAbsError(mono, tone(440, 16000, 0.5).map((v) => v / 2), 200)).toBeLessThan(1e-3);
  });
});

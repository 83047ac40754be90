import type { RgbImage } from "../../media/image";
import { resizeRgb } from "../../media/resize";

/** What the detector was trained on: ImageNet mean/std on pixels scaled to [0, 1]. */
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

export interface DetectorInput {
  /** [1, 3, height, width] float32, channel-planar. */
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * PaddleOCR's DetResizeForTest with limit_type "max": shrink so the longer side is at most `maxSide` (never
 * enlarge), then round each side to a multiple of 32, the detector's total stride.
 */
export function detectorSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const ratio = Math.max(width, height) > maxSide ? maxSide / Math.max(width, height) : 1;
  const toStride = (side: number) => Math.max(32, Math.round((side * ratio) / 32) * 32);
  return { width: toStride(width), height: toStride(height) };
}

/**
 * Resizes and normalises an image for the DB detector. PaddleOCR decodes with OpenCV, so its models see BGR
 * planes, with the mean/std lists applied in that plane order; we feed the same.
 */
export function prepareDetectorInput(image: RgbImage, maxSide: number): DetectorInput {
  const size = detectorSize(image.width, image.height, maxSide);
  const resized = resizeRgb(image, size.width, size.height);
  return { data: toNormalisedBgrPlanes(resized, DET_MEAN, DET_STD), width: size.width, height: size.height };
}

/** Recogniser normalisation: ((x / 255) - 0.5) / 0.5, so pixels span [-1, 1]. */
const REC_MEAN = [0.5, 0.5, 0.5];
const REC_STD = [0.5, 0.5, 0.5];

/**
 * Writes an image into plane-major float storage of a batch tensor [N, 3, H, planeWidth] at batch slot
 * `index`; columns past the image's width keep their zeros, which is PaddleOCR's right padding.
 */
export function writeRecognizerSlot(target: Float32Array, index: number, image: RgbImage, planeWidth: number): void {
  const planeSize = image.height * planeWidth;
  const base = index * 3 * planeSize;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const s = (y * image.width + x) * 3;
      const d = y * planeWidth + x;
      // Plane 0 is blue, as in OpenCV's BGR.
      for (let plane = 0; plane < 3; plane++) {
        target[base + plane * planeSize + d] = (image.data[s + 2 - plane] / 255 - REC_MEAN[plane]) / REC_STD[plane];
      }
    }
  }
}

function toNormalisedBgrPlanes(image: RgbImage, mean: number[], std: number[]): Float32Array {
  const planeSize = image.width * image.height;
  const out = new Float32Array(3 * planeSize);
  for (let p = 0; p < planeSize; p++) {
    for (let plane = 0; plane < 3; plane++) {
      out[plane * planeSize + p] = (image.data[p * 3 + 2 - plane] / 255 - mean[plane]) / std[plane];
    }
  }
  return out;
}

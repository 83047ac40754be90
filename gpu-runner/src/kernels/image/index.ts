import type { ImageOp } from "../../../../schema/image-ops";
import type { InferRequest, InferResult } from "../../../../schema/runner";
import { KernelInputError, type Kernel } from "../types";
import { canny } from "./canny";
import { adaptiveContrast } from "./clahe";
import { drawText, generate } from "./draw";
import { applyGeometryOp, combineGrid, GEOMETRY_OPS, sliceGrid } from "./geometry";
import { brightnessContrast, grade } from "./grading";
import { applyPilOp, PIL_OPS } from "./pil";
import { decodeRgb, encodeRaster, type Raster } from "./raster";

export type ImageRequest = Extract<InferRequest, { kernel: "image" }>;
export type ImageResult = Extract<InferResult, { kernel: "image" }>;

async function applyOp(image: Raster, op: ImageOp, input: (index: number) => Raster): Promise<Raster> {
  if (PIL_OPS.has(op.op)) return applyPilOp(image, op as Parameters<typeof applyPilOp>[1]);
  if (GEOMETRY_OPS.has(op.op)) return applyGeometryOp(image, op as Parameters<typeof applyGeometryOp>[1], input);
  if (op.op === "brightness_contrast") return brightnessContrast(image, op.brightness, op.contrast);
  if (op.op === "grading") return grade(image, op.kind, op.params);
  if (op.op === "text") return drawText(image, op);
  if (op.op === "canny") return canny(image, op.low, op.high);
  if (op.op === "clahe") return adaptiveContrast(image, op.clip_limit, op.grid_size);
  throw new KernelInputError(`unknown image operation '${op.op}'`);
}

/**
 * The image kernel: NodeTool's image nodes on libvips (sharp) and pixel loops in the worker thread. Inputs are
 * decoded as NodeTool decodes them (8-bit RGB), the ops run in order on the first one (or on a generated
 * image), and the result is encoded. Progress counts decoded inputs and ops; cancellation is checked between
 * them. Nothing here touches onnxruntime: the kernel uses no builtin model.
 */
export const imageKernel: Kernel<ImageRequest, ImageResult> = {
  name: "image",
  models: [],
  async run(request, ctx) {
    const total = request.images.length + request.ops.length + 1;
    let done = 0;
    const step = () => {
      ctx.progress(++done, total);
      ctx.checkCancelled();
    };
    ctx.checkCancelled();
    const inputs: Raster[] = [];
    for (const [i, bytes] of request.images.entries()) {
      inputs.push(await decodeRgb(bytes, `input image ${i}`));
      step();
    }
    const input = (index: number) => {
      const found = inputs[index];
      if (!found) throw new KernelInputError(`the operation needs input image ${index}, but the request has ${inputs.length}`);
      return found;
    };

    const finish = request.finish;
    let image: Raster;
    if (finish.kind === "combine_grid") image = combineGrid(inputs, finish.columns);
    else if (request.source) image = await generate(request.source);
    else image = input(0);

    for (const op of request.ops) {
      image = await applyOp(image, op, input);
      step();
    }
    const outputs = finish.kind === "slice_grid" ? sliceGrid(image, finish.columns, finish.rows) : [image];
    const images = [];
    for (const out of outputs) {
      const encoded = await encodeRaster(out, request.output.format, request.output.quality);
      images.push({ width: out.width, height: out.height, channels: out.channels, content_type: encoded.contentType, data: encoded.data });
    }
    ctx.progress(total, total);
    return { kernel: "image", images };
  },
};

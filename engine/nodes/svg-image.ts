/**
 * `lib.svg.SVGToImage`: an SVG document built as lib.svg.Document builds it, rasterised on the gpu-runner pool's
 * image kernel (librsvg through sharp). NodeTool: nodetool-base src/nodetool/nodes/lib/svg.py SVGToImage, which
 * renders with cairosvg at output_width=width, output_height=height and `scale`: a (width x scale) by
 * (height x scale) RGBA image with the viewBox fitted in, as librsvg renders the same document at 72 x scale dpi.
 */
import { numberIn, runImageOps } from "../media/image-ops";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { renderContent, svgDocument } from "../svg/element";
import { toText } from "../values/coerce";

const svgToImage = defineNode({
  type: "lib.svg.SVGToImage",
  title: "SVG to Image",
  description:
    "Create an SVG document and convert it to a raster image in one step.\n    svg, document, raster, convert\n\n    Use cases:\n    - Create and rasterize SVG documents in a single operation\n    - Generate image files from SVG elements\n    - Convert vector graphics to bitmap format with custom dimensions",
  gpu: true,
  properties: [
    prop("content", "str|svg_element|list[svg_element]", [], { description: "SVG content" }),
    prop("width", "int", 800, { min: 1, max: 4096, description: "Document width" }),
    prop("height", "int", 600, { min: 1, max: 4096, description: "Document height" }),
    prop("viewBox", "str", "0 0 800 600", { description: "SVG viewBox attribute" }),
    prop("scale", "int", 1, { min: 1, max: 10, description: "Scale factor for rasterization" }),
  ],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const width = numberIn(inputs, "width", 800, 1, 4096, true);
    const height = numberIn(inputs, "height", 600, 1, 4096, true);
    const scale = numberIn(inputs, "scale", 1, 1, 10, true);
    const svg = svgDocument(renderContent(inputs.content ?? []), width, height, toText(inputs.viewBox ?? "0 0 800 600"));
    return { output: await runImageOps(ctx, [], [], { kind: "svg", svg, scale }) };
  },
});

export const svgImageNodes: NodeDecl[] = [svgToImage];

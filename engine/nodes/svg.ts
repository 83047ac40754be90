/**
 * `lib.svg.*`: building SVG elements and documents. Elements are NodeTool's `svg_element` values
 * (engine/svg/element.ts); Document emits an `svg` reference whose data is the document text.
 * NodeTool: nodetool-base src/nodetool/nodes/lib/svg.py. SVGToImage (rasterising) belongs to the media nodes.
 */
import { InlineBytes } from "../media/data-uri";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl, PropertyDecl } from "../registry/types";
import { element, emptyElement, isEmptyElement, readElement, renderContent, svgDocument, type SvgElement } from "../svg/element";
import { enumValue, isRecord, toInt, toNumber, toText } from "../values/coerce";

const color = (value: string) => ({ type: "color", value });
const EMPTY_ELEMENT = { type: "svg_element", name: "", attributes: {}, content: null, children: [] };
const elementOut = [out("output", "svg_element")];

/** A color property's value: a ColorRef `{type: "color", value}` or a bare string. */
function colorOf(value: unknown, fallback: string): string {
  if (isRecord(value)) return value.value === null || value.value === undefined ? fallback : toText(value.value);
  return value === null || value === undefined ? fallback : toText(value);
}

/** Python's str() of an int property and of a float property ("3.0", not "3"). */
const intStr = (v: unknown, name: string) => String(toInt(v ?? 0, name));
function floatStr(v: unknown, name: string): string {
  const n = toNumber(v ?? 0, name);
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

const fillProps = (fill = "#000000"): PropertyDecl[] => [
  prop("fill", "color", color(fill), { description: "Fill color" }),
  prop("stroke", "color", color("none"), { description: "Stroke color" }),
  prop("stroke_width", "int", 1, { description: "Stroke width" }),
];
const paint = (inputs: Inputs) => ({
  fill: colorOf(inputs.fill, "#000000"),
  stroke: colorOf(inputs.stroke, "none"),
  "stroke-width": intStr(inputs.stroke_width ?? 1, "stroke_width"),
});

function shape(name: string, title: string, description: string, properties: PropertyDecl[], make: (inputs: Inputs) => SvgElement): NodeDecl {
  return defineNode({ type: `lib.svg.${name}`, title, description, properties, outputs: elementOut, process: (inputs) => ({ output: make(inputs) }) });
}

const coord = (name: string, dflt: number, description: string) => prop(name, "int", dflt, { description });

export const svgNodes: NodeDecl[] = [
  shape("Rect", "Rectangle", "Generate SVG rectangle element.\n    svg, shape, vector, rectangle",
    [coord("x", 0, "X coordinate"), coord("y", 0, "Y coordinate"), coord("width", 100, "Width"), coord("height", 100, "Height"), ...fillProps()],
    (i) => element("rect", { x: intStr(i.x, "x"), y: intStr(i.y, "y"), width: intStr(i.width ?? 100, "width"), height: intStr(i.height ?? 100, "height"), ...paint(i) })),
  shape("Circle", "Circle", "Generate SVG circle element.\n    svg, shape, vector, circle",
    [coord("cx", 0, "Center X coordinate"), coord("cy", 0, "Center Y coordinate"), coord("radius", 50, "Radius"), ...fillProps()],
    (i) => element("circle", { cx: intStr(i.cx, "cx"), cy: intStr(i.cy, "cy"), r: intStr(i.radius ?? 50, "radius"), ...paint(i) })),
  shape("Ellipse", "Ellipse", "Generate SVG ellipse element.\n    svg, shape, vector, ellipse",
    [coord("cx", 0, "Center X coordinate"), coord("cy", 0, "Center Y coordinate"), coord("rx", 100, "X radius"), coord("ry", 50, "Y radius"), ...fillProps()],
    (i) => element("ellipse", { cx: intStr(i.cx, "cx"), cy: intStr(i.cy, "cy"), rx: intStr(i.rx ?? 100, "rx"), ry: intStr(i.ry ?? 50, "ry"), ...paint(i) })),
  shape("Line", "Line", "Generate SVG line element.\n    svg, shape, vector, line",
    [coord("x1", 0, "Start X coordinate"), coord("y1", 0, "Start Y coordinate"), coord("x2", 100, "End X coordinate"), coord("y2", 100, "End Y coordinate"),
      prop("stroke", "color", color("#000000"), { description: "Stroke color" }), prop("stroke_width", "int", 1, { description: "Stroke width" })],
    (i) => element("line", { x1: intStr(i.x1, "x1"), y1: intStr(i.y1, "y1"), x2: intStr(i.x2 ?? 100, "x2"), y2: intStr(i.y2 ?? 100, "y2"), stroke: colorOf(i.stroke, "#000000"), "stroke-width": intStr(i.stroke_width ?? 1, "stroke_width") })),
  shape("Polygon", "Polygon", "Generate SVG polygon element.\n    svg, shape, vector, polygon",
    [prop("points", "str", "", { description: "Points in format 'x1,y1 x2,y2 x3,y3...'" }), ...fillProps()],
    (i) => element("polygon", { points: toText(i.points), ...paint(i) })),
  shape("Path", "Path", "Generate SVG path element.\n    svg, shape, vector, path",
    [prop("path_data", "str", "", { description: "SVG path data (d attribute)" }), ...fillProps()],
    (i) => element("path", { d: toText(i.path_data), ...paint(i) })),
  shape("Text", "Text", "Add text elements to SVG.\n    svg, text, typography",
    [prop("text", "str", "", { description: "Text content" }), coord("x", 0, "X coordinate"), coord("y", 0, "Y coordinate"),
      prop("font_family", "str", "Arial", { description: "Font family" }), prop("font_size", "int", 16, { description: "Font size" }),
      prop("fill", "color", color("#000000"), { description: "Text color" }),
      prop("text_anchor", "enum", "start", { values: ["start", "middle", "end"], description: "Text anchor position" })],
    (i) => element("text", {
      x: intStr(i.x, "x"), y: intStr(i.y, "y"), "font-family": toText(i.font_family ?? "Arial"), "font-size": intStr(i.font_size ?? 16, "font_size"),
      fill: colorOf(i.fill, "#000000"), "text-anchor": enumValue(i.text_anchor ?? "start", { START: "start", MIDDLE: "middle", END: "end" }),
    }, [], toText(i.text))),
  shape("GaussianBlur", "Gaussian Blur", "Apply Gaussian blur filter to SVG elements (a filter with id filter_gaussian_blur).\n    svg, filter, blur, effects",
    [prop("std_deviation", "float", 3.0, { description: "Standard deviation for blur" })],
    (i) => element("filter", { id: "filter_gaussian_blur" }, [element("feGaussianBlur", { stdDeviation: floatStr(i.std_deviation ?? 3, "std_deviation") })])),
  shape("DropShadow", "Drop Shadow", "Apply drop shadow filter to SVG elements (a filter with id filter_drop_shadow).\n    svg, filter, shadow, effects",
    [prop("std_deviation", "float", 3.0, { description: "Standard deviation for blur" }), coord("dx", 2, "X offset for shadow"), coord("dy", 2, "Y offset for shadow"),
      prop("color", "color", color("#000000"), { description: "Color for shadow" })],
    (i) => element("filter", { id: "filter_drop_shadow" }, [
      element("feGaussianBlur", { in: "SourceAlpha", stdDeviation: floatStr(i.std_deviation ?? 3, "std_deviation") }),
      element("feOffset", { dx: intStr(i.dx ?? 2, "dx"), dy: intStr(i.dy ?? 2, "dy") }),
      element("feFlood", { "flood-color": colorOf(i.color, "") }),
      element("feComposite", { operator: "in", in2: "SourceAlpha" }),
      element("feMerge", {}, [element("feMergeNode"), element("feMergeNode", { in: "SourceGraphic" })]),
    ])),
  shape("Gradient", "Gradient", "Create linear or radial gradients for SVG elements (id gradient_<type>).\n    svg, gradient, color",
    [prop("gradient_type", "enum", "linearGradient", { values: ["linearGradient", "radialGradient"], description: "Type of gradient" }),
      prop("x1", "float", 0, { description: "Start X position (linear) or center X (radial)" }), prop("y1", "float", 0, { description: "Start Y position (linear) or center Y (radial)" }),
      prop("x2", "float", 100, { description: "End X position (linear) or radius X (radial)" }), prop("y2", "float", 100, { description: "End Y position (linear) or radius Y (radial)" }),
      prop("color1", "color", color("#000000"), { description: "Start color of gradient" }), prop("color2", "color", color("#FFFFFF"), { description: "End color of gradient" })],
    (i) => {
      const type = enumValue(i.gradient_type ?? "linearGradient", { LINEAR: "linearGradient", RADIAL: "radialGradient" });
      if (type !== "linearGradient" && type !== "radialGradient") throw new Error(`Gradient: unknown gradient_type '${type}'`);
      const pct = (name: string, dflt: number) => `${floatStr(i[name] ?? dflt, name)}%`;
      const attributes: Record<string, string> = { id: `gradient_${type}` };
      if (type === "linearGradient") Object.assign(attributes, { x1: pct("x1", 0), y1: pct("y1", 0), x2: pct("x2", 100), y2: pct("y2", 100) });
      else Object.assign(attributes, { cx: pct("x1", 0), cy: pct("y1", 0), r: pct("x2", 100) });
      const stop = (offset: string, c: string) => element("stop", { offset, style: `stop-color:${c};stop-opacity:1` });
      return element(type, attributes, [stop("0%", colorOf(i.color1, "#000000")), stop("100%", colorOf(i.color2, "#FFFFFF"))]);
    }),
  shape("Transform", "Transform", "Apply translate, rotate and scale transformations to an SVG element.\n    svg, transform, animation",
    [prop("content", "svg_element", EMPTY_ELEMENT, { description: "SVG element to transform" }),
      prop("translate_x", "float", 0, { description: "X translation" }), prop("translate_y", "float", 0, { description: "Y translation" }),
      prop("rotate", "float", 0, { description: "Rotation angle in degrees" }),
      prop("scale_x", "float", 1, { description: "X scale factor" }), prop("scale_y", "float", 1, { description: "Y scale factor" })],
    (i) => {
      if (isEmptyElement(i.content)) return emptyElement();
      const el = readElement(i.content, "content");
      const n = (name: string, dflt: number) => toNumber(i[name] ?? dflt, name);
      const parts: string[] = [];
      if (n("translate_x", 0) !== 0 || n("translate_y", 0) !== 0) parts.push(`translate(${floatStr(i.translate_x, "translate_x")},${floatStr(i.translate_y, "translate_y")})`);
      if (n("rotate", 0) !== 0) parts.push(`rotate(${floatStr(i.rotate, "rotate")})`);
      if (n("scale_x", 1) !== 1 || n("scale_y", 1) !== 1) parts.push(`scale(${floatStr(i.scale_x ?? 1, "scale_x")},${floatStr(i.scale_y ?? 1, "scale_y")})`);
      return parts.length ? { ...el, attributes: { ...el.attributes, transform: parts.join(" ") } } : el;
    }),
  defineNode({
    type: "lib.svg.ClipPath",
    description: "Create clipping paths for SVG elements: a group of the clip path and the clipped element.\n    svg, clip, mask",
    properties: [
      prop("clip_content", "svg_element", EMPTY_ELEMENT, { description: "SVG element to use as clip path" }),
      prop("content", "svg_element", EMPTY_ELEMENT, { description: "SVG element to clip" }),
    ],
    outputs: elementOut,
    process: (inputs, ctx) => {
      if (isEmptyElement(inputs.clip_content) || isEmptyElement(inputs.content)) return { output: emptyElement() };
      // NodeTool names the clip path after the node object; the node id is unique within the document too.
      const id = `clip_path_${ctx.nodeId.replace(/[^\w-]/g, "_")}`;
      const content = readElement(inputs.content, "content");
      const clip = element("clipPath", { id }, [readElement(inputs.clip_content, "clip_content")]);
      return { output: element("g", {}, [clip, { ...content, attributes: { ...content.attributes, "clip-path": `url(#${id})` } }]) };
    },
  }),
  defineNode({
    type: "lib.svg.Document",
    title: "SVG Document",
    description: "Combine SVG elements (or SVG markup) into a complete SVG document.\n    svg, document, combine",
    properties: [
      prop("content", "str|svg_element|list[svg_element]", [], { description: "SVG content" }),
      prop("width", "int", 800, { min: 1, max: 4096, description: "Document width" }),
      prop("height", "int", 600, { min: 1, max: 4096, description: "Document height" }),
      prop("viewBox", "str", "0 0 800 600", { description: "SVG viewBox attribute" }),
    ],
    outputs: [out("output", "svg")],
    process: (inputs) => {
      const size = (name: string, dflt: number) => {
        const v = toInt(inputs[name] ?? dflt, name);
        if (v < 1 || v > 4096) throw new Error(`Document: ${name} must be between 1 and 4096, got ${v}`);
        return v;
      };
      const text = svgDocument(renderContent(inputs.content ?? []), size("width", 800), size("height", 600), toText(inputs.viewBox ?? "0 0 800 600"));
      const data = InlineBytes.wrap(new TextEncoder().encode(text), "image/svg+xml");
      return { output: { type: "svg", uri: "", asset_id: null, data } };
    },
  }),
];

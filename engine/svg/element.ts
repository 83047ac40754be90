/**
 * NodeTool's `svg_element` values — `{type: "svg_element", name, attributes, content, children}` — and their
 * XML text. Attribute values and text content are escaped, so user text cannot break the document.
 */
import { describe, isRecord, toText } from "../values/coerce";

export interface SvgElement {
  type: "svg_element";
  name: string;
  attributes: Record<string, string>;
  content: string | null;
  children: SvgElement[];
}

/** Deeper nesting is refused: elements arrive from users and rendering recurses. */
export const MAX_SVG_DEPTH = 100;

export function element(name: string, attributes: Record<string, string> = {}, children: SvgElement[] = [], content: string | null = null): SvgElement {
  return { type: "svg_element", name, attributes, content, children };
}

export const emptyElement = (): SvgElement => element("");

/** Reads an element given by a user or an upstream node (missing fields take their empty values). */
export function readElement(value: unknown, what: string, depth = 0): SvgElement {
  if (depth > MAX_SVG_DEPTH) throw new Error(`${what}: elements are nested deeper than ${MAX_SVG_DEPTH} levels`);
  if (!isRecord(value)) throw new Error(`${what} must be an SVG element {name, attributes, children}, got ${describe(value)}`);
  const attributes: Record<string, string> = {};
  if (isRecord(value.attributes)) for (const [k, v] of Object.entries(value.attributes)) attributes[k] = toText(v);
  const children = Array.isArray(value.children) ? value.children.map((c) => readElement(c, what, depth + 1)) : [];
  const content = value.content === null || value.content === undefined ? null : toText(value.content);
  return element(toText(value.name), attributes, children, content);
}

export const isEmptyElement = (value: unknown): boolean => value === null || value === undefined || (isRecord(value) && !value.name);

const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, "&quot;");
const NAME = /^[A-Za-z_][\w.:-]*$/;

export function renderElement(el: SvgElement): string {
  if (!NAME.test(el.name)) throw new Error(`'${el.name}' is not a valid SVG element name`);
  const attrs = Object.entries(el.attributes).map(([k, v]) => {
    if (!NAME.test(k)) throw new Error(`'${k}' is not a valid SVG attribute name`);
    return ` ${k}="${escapeAttr(v)}"`;
  });
  const inner = (el.content ? escapeText(el.content) : "") + el.children.map(renderElement).join("");
  return inner === "" ? `<${el.name}${attrs.join("")}/>` : `<${el.name}${attrs.join("")}>${inner}</${el.name}>`;
}

/** Document content: markup given as a string is used as it is (it is the user's own SVG). */
export function renderContent(content: unknown): string {
  if (Array.isArray(content)) return content.map((c, i) => renderElement(readElement(c, `content[${i}]`))).join("\n");
  if (isRecord(content)) return renderElement(readElement(content, "content"));
  return toText(content);
}

export function svgDocument(content: string, width: number, height: number, viewBox: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${escapeAttr(viewBox)}">\n` +
    `    ${content}\n</svg>`
  );
}

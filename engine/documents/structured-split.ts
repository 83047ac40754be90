/**
 * LlamaIndex's HTML and JSON node parsers as NodeTool's SplitHTML and SplitJSON use them
 * (llama_index.core.node_parser HTMLNodeParser and JSONNodeParser).
 */
import { findAll, parseHtml, textOf, type HtmlNode } from "./html";

/** HTMLNodeParser's default tags, which NodeTool passes explicitly. */
export const HTML_SPLIT_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "b", "i", "u", "section"];

/** A tag's own text: its text children, and the text of child elements that are not split tags themselves. */
function ownText(tag: HtmlNode, tags: ReadonlySet<string>): string {
  const texts: string[] = [];
  for (const c of tag.children ?? []) {
    if (c.type === "text") {
      const t = (c.data ?? "").trim();
      if (t) texts.push(t);
    } else if (c.type === "comment") {
    } else if (tags.has(c.name ?? "")) {
    } else {
      texts.push(textOf(c).trim());
    }
  }
  return texts.join("\n");
}

/** Runs of consecutive same-named tags become one chunk, one line per tag. */
export function splitHtml(html: string, what: string): string[] {
  const tags = new Set(HTML_SPLIT_TAGS);
  const chunks: string[] = [];
  let last: string | null = null;
  let section = "";
  for (const tag of findAll(parseHtml(html, what), tags)) {
    const text = ownText(tag, tags);
    if (last === null || tag.name === last) {
      last = tag.name ?? "";
      section += `${text.trim()}\n`;
    } else {
      chunks.push(section.trim());
      last = tag.name ?? "";
      section = `${text}\n`;
    }
  }
  if (section) chunks.push(section.trim());
  return chunks;
}

/** Python's `str()` of a JSON scalar. */
function pyStr(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return String(value);
}

function* leaves(value: unknown, path: string[]): Generator<string> {
  if (Array.isArray(value)) {
    for (const v of value) yield* leaves(v, path);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* leaves(v, [...path, k]);
  } else {
    yield [...path, pyStr(value)].join(" ");
  }
}

/** Lines allowed in one JSON chunk; bounds the output of a deeply repetitive document. */
const MAX_JSON_LINES = 1_000_000;

function chunkOf(value: unknown): string {
  const lines: string[] = [];
  for (const line of leaves(value, [])) {
    if (lines.push(line) > MAX_JSON_LINES) throw new Error(`the JSON has more than ${MAX_JSON_LINES} values`);
  }
  return lines.join("\n");
}

/**
 * An object becomes one chunk and a top-level array one chunk per item; every leaf value is a line of its key
 * path and value ("user name Ada"). Text that is not JSON yields no chunks, as in LlamaIndex.
 */
export function splitJson(text: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (Array.isArray(data)) return data.map(chunkOf);
  if (data !== null && typeof data === "object") return [chunkOf(data)];
  throw new Error("JSON is invalid: expected an object or an array at the top level");
}

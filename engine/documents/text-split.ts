/**
 * LangChain's text splitters as NodeTool uses them (langchain_text_splitters: RecursiveCharacterTextSplitter
 * and MarkdownHeaderTextSplitter), with Python's semantics: lengths count code points, separators are kept at
 * the start of the piece that follows them, chunks are stripped of surrounding whitespace.
 */

/** Chunks one split may produce; a tiny chunk_size on a large text fails instead of exhausting memory. */
export const MAX_CHUNKS = 100_000;

const cpLen = (s: string) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
};

export interface RecursiveOptions {
  chunkSize: number;
  chunkOverlap: number;
  separators?: readonly string[];
}

export interface Chunk {
  text: string;
  startIndex: number;
}

export function checkSizes(chunkSize: number, chunkOverlap: number): void {
  if (!Number.isFinite(chunkSize) || chunkSize <= 0) throw new Error(`chunk_size must be positive, got ${chunkSize}`);
  if (!Number.isFinite(chunkOverlap) || chunkOverlap < 0) throw new Error(`chunk_overlap must be 0 or more, got ${chunkOverlap}`);
  if (chunkOverlap > chunkSize) throw new Error(`chunk_overlap (${chunkOverlap}) is larger than chunk_size (${chunkSize})`);
}

/** Splits at every occurrence of `sep`, which starts the following piece; empty pieces are dropped. */
function splitKeepingSeparator(text: string, sep: string): string[] {
  if (sep === "") return Array.from(text);
  const parts = text.split(sep);
  return [parts[0], ...parts.slice(1).map((p) => sep + p)].filter((p) => p !== "");
}

export class RecursiveSplitter {
  private readonly separators: readonly string[];
  private count = 0;

  constructor(private readonly options: RecursiveOptions) {
    checkSizes(options.chunkSize, options.chunkOverlap);
    this.separators = options.separators && options.separators.length > 0 ? options.separators : ["\n\n", "\n", " ", ""];
  }

  private emit(out: string[], chunk: string) {
    if (++this.count > MAX_CHUNKS) throw new Error(`the text splits into more than ${MAX_CHUNKS} chunks`);
    out.push(chunk);
  }

  /** `_merge_splits`: packs pieces into chunks up to chunk_size, carrying up to chunk_overlap into the next. */
  private merge(splits: string[], out: string[]) {
    const { chunkSize, chunkOverlap } = this.options;
    let current: string[] = [];
    let total = 0;
    for (const d of splits) {
      const len = cpLen(d);
      if (total + len > chunkSize && current.length > 0) {
        const doc = current.join("").trim();
        if (doc !== "") this.emit(out, doc);
        while (total > chunkOverlap || (total + len > chunkSize && total > 0)) {
          total -= cpLen(current[0]);
          current = current.slice(1);
        }
      }
      current.push(d);
      total += len;
    }
    const doc = current.join("").trim();
    if (doc !== "") this.emit(out, doc);
  }

  private split(text: string, separators: readonly string[], out: string[]) {
    let separator = separators[separators.length - 1];
    let rest: readonly string[] = [];
    for (let i = 0; i < separators.length; i++) {
      const s = separators[i];
      if (s === "") {
        separator = s;
        break;
      }
      if (text.includes(s)) {
        separator = s;
        rest = separators.slice(i + 1);
        break;
      }
    }
    let good: string[] = [];
    for (const s of splitKeepingSeparator(text, separator)) {
      if (cpLen(s) < this.options.chunkSize) {
        good.push(s);
        continue;
      }
      if (good.length > 0) {
        this.merge(good, out);
        good = [];
      }
      if (rest.length === 0) this.emit(out, s);
      else this.split(s, rest, out);
    }
    if (good.length > 0) this.merge(good, out);
  }

  splitText(text: string): string[] {
    const out: string[] = [];
    this.split(text, this.separators, out);
    return out;
  }

  /** Chunks with their start offsets in `text` (code points), found as `add_start_index=True` finds them. */
  splitWithOffsets(text: string): Chunk[] {
    const wide = /[\uD800-\uDFFF]/.test(text);
    const points = wide ? Array.from(text) : null;
    const toUnits = (cp: number) => (points ? points.slice(0, cp).join("").length : cp);
    const toPoints = (units: number) => (points ? cpLen(text.slice(0, units)) : units);
    let index = 0;
    let previous = 0;
    return this.splitText(text).map((chunk) => {
      const offset = Math.max(0, index + previous - this.options.chunkOverlap);
      const found = text.indexOf(chunk, toUnits(offset));
      index = found < 0 ? -1 : toPoints(found);
      previous = cpLen(chunk);
      return { text: chunk, startIndex: index };
    });
  }
}

export interface MarkdownSplitOptions {
  headers: readonly (readonly [string, string])[];
  stripHeaders: boolean;
  returnEachLine: boolean;
}

interface Section {
  content: string;
  metadata: Record<string, string>;
}

const sameMeta = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

const printable = (s: string) => s.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "");

/** MarkdownHeaderTextSplitter.split_text: sections under the configured headers, with their header values. */
export function splitMarkdownHeaders(text: string, options: MarkdownSplitOptions): Section[] {
  const headers = [...options.headers].sort((a, b) => b[0].length - a[0].length);
  const sections: Section[] = [];
  let content: string[] = [];
  let current: Record<string, string> = {};
  const initial: Record<string, string> = {};
  const stack: { level: number; name: string }[] = [];
  let inCode = false;
  let fence = "";
  for (const line of text.split("\n")) {
    const stripped = printable(line.trim());
    if (!inCode) {
      if (stripped.startsWith("```") && stripped.split("```").length === 2) [inCode, fence] = [true, "```"];
      else if (stripped.startsWith("~~~")) [inCode, fence] = [true, "~~~"];
    } else if (stripped.startsWith(fence)) [inCode, fence] = [false, ""];
    if (inCode) {
      content.push(stripped);
      continue;
    }
    const header = headers.find(([sep]) => stripped.startsWith(sep) && (stripped.length === sep.length || stripped[sep.length] === " "));
    if (header) {
      const [sep, name] = header;
      const level = sep.split("#").length - 1;
      while (stack.length > 0 && stack[stack.length - 1].level >= level) delete initial[stack.pop()!.name];
      stack.push({ level, name });
      initial[name] = stripped.slice(sep.length).trim();
      if (content.length > 0) {
        sections.push({ content: content.join("\n"), metadata: { ...current } });
        content = [];
      }
      if (!options.stripHeaders) content.push(stripped);
    } else if (stripped) {
      content.push(stripped);
    } else if (content.length > 0) {
      sections.push({ content: content.join("\n"), metadata: { ...current } });
      content = [];
    }
    current = { ...initial };
  }
  if (content.length > 0) sections.push({ content: content.join("\n"), metadata: current });
  if (options.returnEachLine) return sections;
  const merged: Section[] = [];
  for (const s of sections) {
    const last = merged[merged.length - 1];
    if (last && sameMeta(last.metadata, s.metadata)) last.content += `  \n${s.content}`;
    else if (
      last &&
      Object.keys(last.metadata).length < Object.keys(s.metadata).length &&
      last.content.split("\n").pop()!.startsWith("#") &&
      !options.stripHeaders
    ) {
      last.content += `  \n${s.content}`;
      last.metadata = s.metadata;
    } else merged.push({ ...s });
  }
  return merged;
}

/**
 * Splits a template into text, `{{ output }}`, `{% block %}` and `{# comment #}` segments (with Jinja's `-`
 * whitespace control and `{% raw %}`), and tokenizes the expressions inside tags.
 */
import { TemplateError } from "./runtime";

export type Segment =
  | { kind: "text"; value: string; line: number }
  | { kind: "output"; source: string; line: number }
  | { kind: "block"; source: string; line: number };

const OPENERS: Record<string, string> = { "{{": "}}", "{%": "%}", "{#": "#}" };

/** Line numbers for error messages: a function from offset to 1-based line. */
function lineIndex(src: string): (index: number) => number {
  const starts = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) starts.push(i + 1);
  return (index) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Finds the end of a `{{`/`{%` tag, skipping string literals and nested brackets. Returns the index of the closer. */
function findTagEnd(src: string, from: number, closer: string): number {
  let depth = 0;
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === "'" || c === '"') {
      i++;
      while (i < src.length && src[i] !== c) i += src[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    if (depth === 0) {
      if (src.startsWith(closer, i)) return i;
      if (src.startsWith("-" + closer, i)) return i;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if ((c === ")" || c === "]" || c === "}") && depth > 0) depth--;
    i++;
  }
  return -1;
}

const RAW_END = /\{%(-?)\s*endraw\s*(-?)%\}/g;

export function segment(src: string): Segment[] {
  const lineAt = lineIndex(src);
  const out: Segment[] = [];
  let pos = 0;
  let stripNext = false;
  const pushText = (value: string, at: number) => {
    if (stripNext) value = value.replace(/^\s+/, "");
    stripNext = false;
    if (value !== "") out.push({ kind: "text", value, line: lineAt(at) });
  };
  const stripPrevious = () => {
    const last = out[out.length - 1];
    if (last && last.kind === "text") {
      last.value = last.value.replace(/\s+$/, "");
      if (last.value === "") out.pop();
    }
  };

  while (pos < src.length) {
    const open = /\{[{%#]/g;
    open.lastIndex = pos;
    const m = open.exec(src);
    if (!m) {
      pushText(src.slice(pos), pos);
      break;
    }
    const start = m.index;
    pushText(src.slice(pos, start), pos);
    const opener = m[0];
    const closer = OPENERS[opener];
    let inner = start + 2;
    const line = lineAt(start);
    if (src[inner] === "-") {
      stripPrevious();
      inner++;
    } else if (src[inner] === "+") {
      inner++;
    }
    let end: number;
    if (opener === "{#") {
      end = src.indexOf("#}", inner);
      if (end < 0) throw new TemplateError(`unclosed comment starting at line ${line}`);
      if (src[end - 1] === "-" && end - 1 >= inner) {
        stripNext = true;
      }
      pos = end + 2;
      continue;
    }
    end = findTagEnd(src, inner, closer);
    if (end < 0) throw new TemplateError(`unclosed '${opener}' starting at line ${line}`);
    let source = src.slice(inner, end);
    let trimAfter = false;
    if (src[end] === "-") {
      trimAfter = true;
      end++;
    }
    pos = end + 2;
    source = source.trim();
    if (opener === "{{") {
      if (source === "") throw new TemplateError(`empty expression at line ${line}`);
      out.push({ kind: "output", source, line });
      stripNext = trimAfter;
      continue;
    }
    if (source === "raw") {
      RAW_END.lastIndex = pos;
      const rm = RAW_END.exec(src);
      if (!rm) throw new TemplateError(`missing endraw for raw block at line ${line}`);
      let body = src.slice(pos, rm.index);
      if (trimAfter) body = body.replace(/^\s+/, "");
      if (rm[1] === "-") body = body.replace(/\s+$/, "");
      if (body !== "") out.push({ kind: "text", value: body, line });
      pos = rm.index + rm[0].length;
      stripNext = rm[2] === "-";
      continue;
    }
    out.push({ kind: "block", source, line });
    stripNext = trimAfter;
  }
  return out;
}

export type TokenType = "name" | "string" | "number" | "op" | "end";

export interface Token {
  type: TokenType;
  value: string;
  /** Parsed value of string and number literals. */
  literal?: unknown;
}

const OPERATORS = ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|"];

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", b: "\b", f: "\f", v: "\v", "\\": "\\", "'": "'", '"': '"' };

export function tokenize(src: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let value = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) {
          const e = src[j + 1];
          if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) {
            value += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          value += e in ESCAPES ? ESCAPES[e] : "\\" + e;
          j += 2;
          continue;
        }
        value += src[j];
        j++;
      }
      if (j >= src.length) throw new TemplateError(`unterminated string at line ${line}`);
      tokens.push({ type: "string", value: src.slice(i, j + 1), literal: value });
      i = j + 1;
      continue;
    }
    const numMatch = /^(\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?)/.exec(src.slice(i));
    if (numMatch) {
      const text = numMatch[1];
      tokens.push({ type: "number", value: text, literal: Number(text.replace(/_/g, "")) });
      i += text.length;
      continue;
    }
    const nameMatch = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(i));
    if (nameMatch) {
      tokens.push({ type: "name", value: nameMatch[0] });
      i += nameMatch[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new TemplateError(`unexpected character '${c}' at line ${line}`);
    tokens.push({ type: "op", value: op });
    i += op.length;
  }
  tokens.push({ type: "end", value: "" });
  return tokens;
}

/**
 * `nodetool.text.*`: NodeTool's text nodes with its type names, property names, defaults and outputs.
 * Semantics follow NodeTool's Python nodes (nodetool-base) and the newer TypeScript nodes; where they differ,
 * the comment on the node says which one this follows. Strings are measured and indexed by code point, as
 * Python does. Nodes that need a filesystem, a model or a tokenizer (SaveText, LoadTextFolder, Embedding,
 * AutomaticSpeechRecognition, CountTokens) are not part of the core library.
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl, NodeInputs, NodeOutputs } from "../registry/types";
import { enumValue, isRecord, toBool, toInt, toList, toText } from "../values/coerce";
import { renderTemplate, TemplateError } from "../template/index";
import { FILTER_TYPE } from "../values/enums";

const text = (v: unknown): string => toText(v);
const cps = (s: string): string[] => Array.from(s);
const cpLength = (s: string): number => cps(s).length;

/** UTF-16 offset of code point index `cp` in `s` (clamped to the string). */
function unitOffset(s: string, cp: number): number {
  let units = 0;
  let i = 0;
  for (const c of s) {
    if (i++ >= cp) break;
    units += c.length;
  }
  return units;
}

/** Code point index of UTF-16 offset `unit` in `s`. */
function cpIndex(s: string, unit: number): number {
  return cpLength(s.slice(0, unit));
}

/** Python slice of a code point list; `null` bounds are open. */
function pySlice(items: string[], start: number | null, stop: number | null, step: number): string {
  if (step === 0) throw new Error("slice step cannot be zero");
  const len = items.length;
  const norm = (v: number | null, dflt: number, lo: number, hi: number) => {
    if (v === null) return dflt;
    const x = v < 0 ? v + len : v;
    return Math.min(Math.max(x, lo), hi);
  };
  let out = "";
  if (step > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += step) out += items[i];
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += step) out += items[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Regular expressions: NodeTool's patterns are Python `re` syntax.

/**
 * Translates Python `re` syntax to a JavaScript RegExp: `(?P<name>...)` to `(?<name>...)`, `(?P=name)` to
 * `\k<name>`, `\A`/`\Z`, `(?#comments)`, a leading inline flag group `(?imsx)`, and `[]...]` classes.
 */
export function pythonRegex(pattern: string, flags = "", extraFlags = ""): RegExp {
  let src = pattern;
  let fl = new Set(flags.split("").filter(Boolean));
  let verbose = false;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    for (const f of inline[1]) {
      if (f === "i" || f === "m" || f === "s") fl.add(f);
      else if (f === "x") verbose = true;
      else if (f === "L") throw new Error(`invalid regular expression '${pattern}': the L (locale) flag is not supported`);
    }
    src = src.slice(inline[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === "\\") {
      const n = src[i + 1] ?? "";
      if (!inClass && n === "A") out += "(?<![\\s\\S])";
      else if (!inClass && n === "Z") out += "(?![\\s\\S])";
      else out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      i++;
      continue;
    }
    if (verbose && /\s/.test(c)) {
      i++;
      continue;
    }
    if (verbose && c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      i++;
      if (src[i] === "^") {
        out += "^";
        i++;
      }
      if (src[i] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (src.startsWith("(?P<", i)) {
      out += "(?<";
      i += 4;
      continue;
    }
    if (src.startsWith("(?P=", i)) {
      const end = src.indexOf(")", i);
      if (end < 0) throw new Error(`invalid regular expression '${pattern}': unterminated (?P=name)`);
      out += `\\k<${src.slice(i + 4, end)}>`;
      i = end + 1;
      continue;
    }
    if (src.startsWith("(?#", i)) {
      const end = src.indexOf(")", i);
      i = end < 0 ? src.length : end + 1;
      continue;
    }
    out += c;
    i++;
  }
  for (const f of extraFlags) fl.add(f);
  fl = new Set([...fl].filter((f) => "gimsyd".includes(f)));
  try {
    return new RegExp(out, [...fl].join(""));
  } catch (err) {
    throw new Error(`invalid regular expression '${pattern}': ${(err as Error).message}`);
  }
}

function regexFlags(inputs: Inputs): string {
  return (toBool(inputs.ignorecase) ? "i" : "") + (toBool(inputs.multiline) ? "m" : "") + (toBool(inputs.dotall) ? "s" : "");
}

type ReplacementPart = string | { group: number | string };

/**
 * Parses a replacement string. Python references (`\1`, `\g<1>`, `\g<name>`, escapes like `\n`) and
 * JavaScript ones (`$1`, `$<name>`, `$&`, `$$`) both work: older NodeTool used Python's `re.sub`, the
 * current one JavaScript's `replace`.
 */
function parseReplacement(repl: string): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let lit = "";
  const flush = () => {
    if (lit) parts.push(lit);
    lit = "";
  };
  const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", f: "\f", v: "\v", a: "\x07", b: "\b", "\\": "\\" };
  for (let i = 0; i < repl.length; ) {
    const c = repl[i];
    const n = repl[i + 1];
    if (c === "\\" && n !== undefined) {
      const g = /^\\g<([^>]+)>/.exec(repl.slice(i));
      if (g) {
        flush();
        parts.push({ group: /^\d+$/.test(g[1]) ? Number(g[1]) : g[1] });
        i += g[0].length;
        continue;
      }
      const d = /^\\(\d\d?)/.exec(repl.slice(i));
      if (d) {
        flush();
        parts.push({ group: Number(d[1]) });
        i += d[0].length;
        continue;
      }
      if (n in escapes) {
        lit += escapes[n];
        i += 2;
        continue;
      }
      lit += c + n;
      i += 2;
      continue;
    }
    if (c === "$" && n !== undefined) {
      if (n === "$") {
        lit += "$";
        i += 2;
        continue;
      }
      if (n === "&") {
        flush();
        parts.push({ group: 0 });
        i += 2;
        continue;
      }
      const d = /^\$(\d\d?)/.exec(repl.slice(i));
      if (d) {
        flush();
        parts.push({ group: Number(d[1]) });
        i += d[0].length;
        continue;
      }
      const named = /^\$<([^>]+)>/.exec(repl.slice(i));
      if (named) {
        flush();
        parts.push({ group: named[1] });
        i += named[0].length;
        continue;
      }
    }
    lit += c;
    i++;
  }
  flush();
  return parts;
}

function expandReplacement(parts: ReplacementPart[], m: RegExpExecArray | RegExpMatchArray, pattern: string): string {
  let out = "";
  for (const p of parts) {
    if (typeof p === "string") out += p;
    else if (typeof p.group === "number") {
      if (p.group >= m.length) throw new Error(`invalid group reference ${p.group} in replacement for pattern '${pattern}'`);
      out += m[p.group] ?? "";
    } else {
      if (!m.groups || !(p.group in m.groups)) throw new Error(`unknown group name '${p.group}' in replacement for pattern '${pattern}'`);
      out += m.groups[p.group] ?? "";
    }
  }
  return out;
}

function allMatches(re: RegExp, s: string): RegExpExecArray[] {
  const g = re.flags.includes("g") ? re : new RegExp(re.source, re.flags + "g");
  return [...s.matchAll(g)] as RegExpExecArray[];
}

// ---------------------------------------------------------------------------------------------------------
// JSONPath subset for ExtractJSON: `$`, `.key`, `['key']`, `[n]`, `[-n]`, `[a:b]`, `[*]`, `.*`, `..key`.

type PathStep = { recursive: boolean } & ({ t: "key"; key: string } | { t: "index"; index: number } | { t: "wild" } | { t: "slice"; start: number | null; stop: number | null });

function parseJsonPath(path: string): PathStep[] {
  let p = path.trim();
  if (p.startsWith("$")) p = p.slice(1);
  else if (p !== "" && !p.startsWith(".") && !p.startsWith("[")) p = "." + p;
  const steps: PathStep[] = [];
  let i = 0;
  const bad = (why: string): never => {
    throw new Error(`invalid JSONPath '${path}': ${why}`);
  };
  while (i < p.length) {
    let recursive = false;
    if (p.startsWith("..", i)) {
      recursive = true;
      i += 2;
    } else if (p[i] === ".") i++;
    else if (p[i] !== "[") bad(`unexpected '${p[i]}'`);
    if (p[i] === "[") {
      const end = p.indexOf("]", i);
      if (end < 0) bad("missing ']'");
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ recursive, t: "wild" });
      else if (/^-?\d+$/.test(inner)) steps.push({ recursive, t: "index", index: Number(inner) });
      else if (/^(-?\d+)?:(-?\d+)?$/.test(inner)) {
        const [a, b] = inner.split(":");
        steps.push({ recursive, t: "slice", start: a === "" ? null : Number(a), stop: b === "" ? null : Number(b) });
      } else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ recursive, t: "key", key: inner.slice(1, -1) });
      else bad(`unsupported selector [${inner}]`);
      continue;
    }
    const m = /^(\*|[^.[\]]+)/.exec(p.slice(i));
    if (!m) bad("expected a key after '.'");
    i += m![0].length;
    steps.push(m![0] === "*" ? { recursive, t: "wild" } : { recursive, t: "key", key: m![0] });
  }
  return steps;
}

function descendants(v: unknown, acc: unknown[]): unknown[] {
  acc.push(v);
  if (Array.isArray(v)) for (const x of v) descendants(x, acc);
  else if (isRecord(v)) for (const x of Object.values(v)) descendants(x, acc);
  return acc;
}

function applyStep(step: PathStep, v: unknown, out: unknown[]): void {
  switch (step.t) {
    case "wild":
      if (Array.isArray(v)) out.push(...v);
      else if (isRecord(v)) out.push(...Object.values(v));
      return;
    case "key":
      if (isRecord(v) && Object.hasOwn(v, step.key)) out.push(v[step.key]);
      return;
    case "index":
      if (Array.isArray(v)) {
        const i = step.index < 0 ? v.length + step.index : step.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
      return;
    case "slice":
      if (Array.isArray(v)) {
        const norm = (x: number | null, d: number) => (x === null ? d : Math.min(Math.max(x < 0 ? v.length + x : x, 0), v.length));
        out.push(...v.slice(norm(step.start, 0), norm(step.stop, v.length)));
      }
      return;
  }
}

function jsonPathFind(path: string, root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      for (const target of step.recursive ? descendants(v, []) : [v]) applyStep(step, target, next);
    }
    current = next;
  }
  return current;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers for individual nodes.

/** Python's str.splitlines(): a trailing line break does not start another line. */
function splitLines(s: string): string[] {
  if (s === "") return [];
  const lines = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function stripCharSet(s: string, set: string): string {
  const remove = new Set(cps(set));
  const cs = cps(s);
  let a = 0;
  let b = cs.length;
  while (a < b && remove.has(cs[a])) a++;
  while (b > a && remove.has(cs[b - 1])) b--;
  return cs.slice(a, b).join("");
}

/** Python's repr() of a JSON-like value, for ToString's `repr` mode. */
function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return String(v);
  }
  if (typeof v === "string") {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/[\\\n\r\t]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!);
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (isRecord(v)) return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  return String(v);
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  deg: "°",
  middot: "·",
  bull: "•",
  times: "×",
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[body.toLowerCase()] ?? m;
  });
}

function htmlToText(html: string, ignoreImages: boolean): string {
  let s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|head|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n* ")
    .replace(/<\/?(p|div|h[1-6]|ul|ol|table|tr|blockquote|pre|section|article|header|footer|nav|aside|main|form|hr)\b[^>]*>/gi, "\n\n")
    .replace(/<\/t[dh]\s*>/gi, " ");
  if (!ignoreImages) {
    s = s.replace(/<img\b[^>]*>/gi, (tag) => {
      const alt = /\balt\s*=\s*("([^"]*)"|'([^']*)')/i.exec(tag);
      return alt ? (alt[2] ?? alt[3] ?? "") : "";
    });
  }
  s = s.replace(/<[^>]*>/g, "");
  s = decodeEntities(s);
  return s
    .split("\n")
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function titleCase(s: string): string {
  return s.replace(/[\p{L}\p{N}_][^\s]*/gu, (w) => {
    const [first, ...rest] = cps(w);
    return first.toUpperCase() + rest.join("").toLowerCase();
  });
}

function capitalize(s: string): string {
  const [first, ...rest] = cps(s);
  return first === undefined ? "" : first.toUpperCase() + rest.join("").toLowerCase();
}

function render(source: unknown, vars: Record<string, unknown>): string {
  try {
    return renderTemplate(text(source), vars, { singleBrace: true });
  } catch (err) {
    if (err instanceof TemplateError) throw new Error(`Template error: ${err.message}`);
    throw err;
  }
}

/** The dynamic inputs of a node: every key that is not a declared property. */
function dynamicInputs(inputs: Inputs, declared: readonly string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (!declared.includes(k)) vars[k] = v;
  return vars;
}

const MATCH_MODE = { ANY: "any", ALL: "all", NONE: "none" } as const;
const MEASURE = { CHARACTERS: "characters", WORDS: "words", LINES: "lines" } as const;
const PAD_DIRECTION = { LEFT: "left", RIGHT: "right", BOTH: "both" } as const;
const TO_STRING_MODE = { STR: "str", REPR: "repr" } as const;

const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

const textProp = (description = "The input text") => prop("text", "str", "", { description });
const strOut = [out("output", "str")];
const boolOut = [out("output", "bool")];
const intOut = [out("output", "int")];
const listStrOut = [out("output", "list[str]")];

function simple(type: string, description: string, fn: (s: string) => string): NodeDecl {
  return defineNode({
    type: `nodetool.text.${type}`,
    description,
    properties: [textProp()],
    outputs: strOut,
    process: (inputs) => ({ output: fn(text(inputs.text)) }),
  });
}

/** Streaming filter shared by FilterString and FilterRegexString: buffers items until connected settings arrive. */
async function streamFilter(
  inputs: NodeInputs,
  outputs: NodeOutputs,
  settings: string[],
  makeTest: (state: Record<string, unknown>) => (value: string) => boolean,
): Promise<void> {
  const state: Record<string, unknown> = {};
  for (const s of settings) state[s] = inputs.value(s);
  const waiting = new Set(settings.filter((s) => inputs.connected(s)));
  let test: ((value: string) => boolean) | null = null;
  const pending: unknown[] = [];
  const check = (v: unknown) => {
    if (typeof v !== "string") return;
    test ??= makeTest(state);
    if (test(v)) outputs.emit("output", v);
  };
  for await (const [handle, item] of inputs.any()) {
    if (handle === "value") {
      if (waiting.size > 0) pending.push(item);
      else check(item);
      continue;
    }
    if (!settings.includes(handle)) continue;
    state[handle] = item;
    test = null;
    waiting.delete(handle);
    if (waiting.size === 0) for (const v of pending.splice(0)) check(v);
  }
  for (const v of pending.splice(0)) check(v);
}

export const textNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.text.ToString",
    description: "Converts any input value to its string representation.\n    text, string, convert, repr, str, cast",
    properties: [
      prop("value", "any", []),
      prop("mode", "enum", "str", { values: Object.values(TO_STRING_MODE), description: "Conversion mode: use `str(value)` or `repr(value)`." }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const mode = enumValue(inputs.mode, TO_STRING_MODE);
      return { output: mode === "repr" ? pyRepr(inputs.value) : text(inputs.value) };
    },
  }),

  // Current NodeTool concatenates any number of dynamic inputs; `a` and `b` are the older fixed pair.
  defineNode({
    type: "nodetool.text.Concat",
    title: "Concatenate Text",
    description: "Concatenates text inputs into a single output.\n    text, combine, add, +, concatenate, merge, join, append",
    isDynamic: true,
    properties: [prop("a", "str", ""), prop("b", "str", "")],
    outputs: strOut,
    process: (inputs) => {
      const values = [inputs.a, inputs.b, ...Object.values(dynamicInputs(inputs, ["a", "b"]))];
      return { output: values.flatMap((v) => (Array.isArray(v) ? v : [v])).map(text).join("") };
    },
  }),

  defineNode({
    type: "nodetool.text.Join",
    description: "Joins a list of strings into a single string using a specified separator.\n    text, join, combine, +, add, concatenate",
    properties: [prop("strings", "list[any]", []), prop("separator", "str", "")],
    outputs: strOut,
    process: (inputs) => ({ output: toList(inputs.strings).map(text).join(text(inputs.separator)) }),
  }),

  defineNode({
    type: "nodetool.text.Collect",
    description: "Collects a stream of text inputs into a single concatenated string.\n    text, collect, list, stream, aggregate",
    properties: [prop("input_item", "str", ""), prop("separator", "str", "")],
    outputs: strOut,
    run: async (inputs, outputs) => {
      const items: string[] = [];
      let separator = text(inputs.value("separator"));
      for await (const [handle, item] of inputs.any()) {
        if (handle === "input_item") items.push(text(item));
        else if (handle === "separator") separator = text(item);
      }
      outputs.emit("output", items.join(separator));
    },
  }),

  defineNode({
    type: "nodetool.text.FormatText",
    description:
      "Replaces placeholders in a string with dynamic inputs using Jinja2 templating.\n    text, template, formatting\n\n" +
      'Examples: "Hello, {{ name }}!", "Title: {{ title|truncate(20) }}", "Name: {{ name|upper }}"',
    isDynamic: true,
    properties: [
      prop("template", "str", "", {
        description: "Jinja2 template; every dynamic input is a variable. Filters: upper, lower, title, trim, replace, default, join, truncate, ...",
      }),
    ],
    outputs: strOut,
    process: (inputs) => ({ output: render(inputs.template, dynamicInputs(inputs, ["template"])) }),
  }),

  defineNode({
    type: "nodetool.text.Template",
    description:
      "Uses Jinja2 templating to format strings with variables and filters. Variables come from `values` and from dynamic inputs.\n" +
      "    text, template, formatting, format, combine, concatenate, +, add, variable, replace, filter",
    isDynamic: true,
    properties: [
      prop("string", "str", "", { description: "Template with {{ variable }} placeholders" }),
      prop("values", "any", {}, { description: "A dict of template variables; dynamic inputs override its keys" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const values = isRecord(inputs.values) ? inputs.values : {};
      return { output: render(inputs.string, { ...values, ...dynamicInputs(inputs, ["string", "values"]) }) };
    },
  }),

  // The newest NodeTool's replacement for FormatText.
  defineNode({
    type: "nodetool.text.Prompt",
    description: "Compose a prompt string with named variables referenced as {{ variable }} (or {variable}).\n    prompt, text, template, variable, llm, agent",
    isDynamic: true,
    properties: [prop("prompt", "str", "", { description: "Prompt text. Reference variables with {{ name }} or {name}." })],
    outputs: strOut,
    process: (inputs) => ({ output: render(inputs.prompt, dynamicInputs(inputs, ["prompt"])) }),
  }),

  // An empty `old` leaves the text unchanged (current NodeTool); Python would insert `new` between characters.
  defineNode({
    type: "nodetool.text.Replace",
    title: "Replace Text",
    description: "Replaces a substring in a text with another substring.\n    text, replace, substitute",
    properties: [textProp(), prop("old", "str", ""), prop("new", "str", "", { aliases: ["new_value"] })],
    outputs: strOut,
    process: (inputs) => {
      const s = text(inputs.text);
      const old = text(inputs.old);
      return { output: old === "" ? s : s.split(old).join(text(inputs.new)) };
    },
  }),

  defineNode({
    type: "nodetool.text.Split",
    title: "Split Text",
    description: "Separates text into a list of strings based on a specified delimiter.\n    text, split, tokenize",
    properties: [textProp(), prop("delimiter", "str", ",")],
    outputs: listStrOut,
    process: (inputs) => {
      const delimiter = text(inputs.delimiter);
      return { output: delimiter === "" ? cps(text(inputs.text)) : text(inputs.text).split(delimiter) };
    },
  }),

  // `end` 0 means "to the end of the text".
  defineNode({
    type: "nodetool.text.Extract",
    title: "Extract Text",
    description: "Extracts a substring from input text.\n    text, extract, substring",
    properties: [textProp(), prop("start", "int", 0), prop("end", "int", 0, { description: "Exclusive end index; 0 means the end of the text" })],
    outputs: strOut,
    process: (inputs) => {
      const end = toInt(inputs.end, "end");
      return { output: pySlice(cps(text(inputs.text)), toInt(inputs.start, "start"), end === 0 ? null : end, 1) };
    },
  }),

  defineNode({
    type: "nodetool.text.Chunk",
    title: "Split Text into Chunks",
    description: "Splits text into chunks of specified word length.\n    text, chunk, split",
    properties: [
      textProp(),
      prop("length", "int", 100, { min: 1, max: 1000, description: "Words per chunk" }),
      prop("overlap", "int", 0, { description: "Words shared by consecutive chunks" }),
      prop("separator", "str", " ", { description: "What separates words" }),
    ],
    outputs: listStrOut,
    process: (inputs) => {
      const length = toInt(inputs.length, "length");
      const overlap = toInt(inputs.overlap, "overlap");
      if (length < 1) throw new Error(`Chunk length must be at least 1, got ${length}`);
      if (overlap < 0 || overlap >= length) throw new Error(`Chunk overlap must be at least 0 and less than length (${length}), got ${overlap}`);
      const separator = text(inputs.separator);
      const s = text(inputs.text);
      const words = separator === "" ? s.split(/\s+/).filter(Boolean) : s.split(separator);
      const chunks: string[] = [];
      for (let i = 0; i < words.length; i += length - overlap) chunks.push(words.slice(i, i + length).join(" "));
      return { output: chunks };
    },
  }),

  // Unmatched optional groups come back as null (Python's None).
  defineNode({
    type: "nodetool.text.ExtractRegex",
    title: "Extract Regex Groups",
    description: "Extracts substrings matching regex groups from text.\n    text, regex, extract",
    properties: [textProp(), prop("regex", "str", ""), prop("dotall", "bool", false), prop("ignorecase", "bool", false), prop("multiline", "bool", false)],
    outputs: listStrOut,
    process: (inputs) => {
      const m = pythonRegex(text(inputs.regex), regexFlags(inputs)).exec(text(inputs.text));
      return { output: m ? m.slice(1).map((g) => g ?? null) : [] };
    },
  }),

  // Every full match (current NodeTool), also when the pattern has groups.
  defineNode({
    type: "nodetool.text.FindAllRegex",
    title: "Find All Regex Matches",
    description: "Finds all regex matches in text as separate substrings.\n    text, regex, find",
    properties: [textProp(), prop("regex", "str", ""), prop("dotall", "bool", false), prop("ignorecase", "bool", false), prop("multiline", "bool", false)],
    outputs: listStrOut,
    process: (inputs) => ({ output: allMatches(pythonRegex(text(inputs.regex), regexFlags(inputs)), text(inputs.text)).map((m) => m[0]) }),
  }),

  defineNode({
    type: "nodetool.text.ParseJSON",
    title: "Parse JSON String",
    description: "Parses a JSON string into an object.\n    json, parse, convert",
    properties: [prop("text", "str", "", { description: "JSON string" })],
    outputs: [out("output", "any")],
    process: (inputs) => {
      const s = text(inputs.text);
      try {
        return { output: JSON.parse(s) };
      } catch (err) {
        throw new Error(`ParseJSON: invalid JSON: ${(err as Error).message}`);
      }
    },
  }),

  defineNode({
    type: "nodetool.text.ExtractJSON",
    description: "Extracts data from JSON using JSONPath expressions.\n    json, extract, jsonpath",
    properties: [
      prop("text", "str", "", { description: "JSON text" }),
      prop("json_path", "str", "$.*", { description: "JSONPath expression: $, .key, ['key'], [n], [a:b], [*], .*, ..key" }),
      prop("find_all", "bool", false, { description: "Return every match as a list instead of the first" }),
    ],
    outputs: [out("output", "any")],
    process: (inputs) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text(inputs.text));
      } catch (err) {
        throw new Error(`ExtractJSON: invalid JSON: ${(err as Error).message}`);
      }
      const path = text(inputs.json_path);
      const matches = jsonPathFind(path, parsed);
      if (toBool(inputs.find_all)) return { output: matches };
      if (matches.length === 0) throw new Error(`ExtractJSON: JSONPath '${path}' matched nothing`);
      return { output: matches[0] };
    },
  }),

  defineNode({
    type: "nodetool.text.RegexMatch",
    title: "Find Regex Matches",
    description: "Find all matches of a regex pattern in text.\n    regex, search, pattern, match",
    properties: [
      prop("text", "str", "", { description: "Text to search in" }),
      prop("pattern", "str", "", { description: "Regular expression pattern" }),
      prop("group", "int", 0, { description: "Capture group to extract (0 for full match)" }),
    ],
    outputs: listStrOut,
    process: (inputs) => {
      const pattern = text(inputs.pattern);
      const re = pythonRegex(pattern);
      const matches = allMatches(re, text(inputs.text));
      if (inputs.group === null || inputs.group === undefined) return { output: matches.map((m) => m[0]) };
      const group = toInt(inputs.group, "group");
      const groups = new RegExp(`${re.source}|`, re.flags).exec("")!.length - 1;
      if (group < 0 || group > groups) throw new Error(`RegexMatch: pattern '${pattern}' has no group ${group}`);
      return { output: matches.map((m) => m[group]).filter((v): v is string => v !== undefined) };
    },
  }),

  defineNode({
    type: "nodetool.text.RegexReplace",
    title: "Replace with Regex",
    description: "Replace text matching a regex pattern.\n    regex, replace, substitute",
    properties: [
      prop("text", "str", "", { description: "Text to perform replacements on" }),
      prop("pattern", "str", "", { description: "Regular expression pattern" }),
      prop("replacement", "str", "", { description: "Replacement text; \\1, \\g<name>, $1 and $<name> refer to groups" }),
      prop("count", "int", 0, { description: "Maximum replacements (0 for unlimited)" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const pattern = text(inputs.pattern);
      const re = pythonRegex(pattern, "", "g");
      const parts = parseReplacement(text(inputs.replacement));
      const count = toInt(inputs.count, "count");
      let done = 0;
      const output = text(inputs.text).replace(re, (...args: unknown[]) => {
        const hasGroups = typeof args[args.length - 1] === "object";
        const groupsObj = hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined;
        const captures = args.slice(0, hasGroups ? -3 : -2) as string[];
        if (count > 0 && done >= count) return captures[0];
        done++;
        const m = Object.assign([...captures], { groups: groupsObj }) as unknown as RegExpMatchArray;
        return expandReplacement(parts, m, pattern);
      });
      return { output };
    },
  }),

  // Python's re.split: captured groups are included, empty matches split too, `maxsplit` bounds the splits.
  defineNode({
    type: "nodetool.text.RegexSplit",
    title: "Split with Regex",
    description: "Split text using a regex pattern as delimiter.\n    regex, split, tokenize",
    properties: [
      prop("text", "str", "", { description: "Text to split" }),
      prop("pattern", "str", "", { description: "Regular expression pattern to split on" }),
      prop("maxsplit", "int", 0, { description: "Maximum number of splits (0 for unlimited)" }),
    ],
    outputs: listStrOut,
    process: (inputs) => {
      const s = text(inputs.text);
      const maxsplit = toInt(inputs.maxsplit, "maxsplit");
      const parts: (string | null)[] = [];
      let last = 0;
      let splits = 0;
      for (const m of allMatches(pythonRegex(text(inputs.pattern)), s)) {
        if (maxsplit > 0 && splits >= maxsplit) break;
        parts.push(s.slice(last, m.index));
        for (const g of m.slice(1)) parts.push(g ?? null);
        last = m.index + m[0].length;
        splits++;
      }
      parts.push(s.slice(last));
      return { output: parts };
    },
  }),

  // Python's re.match: the pattern must match at the start of the text (use `$` to require the whole text).
  defineNode({
    type: "nodetool.text.RegexValidate",
    title: "Validate with Regex",
    description: "Check if text matches a regex pattern (anchored at the start of the text).\n    regex, validate, check",
    properties: [
      prop("text", "str", "", { description: "Text to validate" }),
      prop("pattern", "str", "", { description: "Regular expression pattern" }),
    ],
    outputs: boolOut,
    process: (inputs) => {
      const re = pythonRegex(text(inputs.pattern), "", "y");
      re.lastIndex = 0;
      return { output: re.test(text(inputs.text)) };
    },
  }),

  defineNode({
    type: "nodetool.text.Compare",
    title: "Compare Text",
    description: "Compares two text values and reports ordering: less, equal or greater.\n    text, compare, equality, sort, equals, =",
    properties: [
      prop("text_a", "str", ""),
      prop("text_b", "str", ""),
      prop("case_sensitive", "bool", true, { description: "Compare without lowercasing" }),
      prop("trim_whitespace", "bool", false, { description: "Strip leading/trailing whitespace before comparing" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const [a, b] = normalizePair(inputs);
      return { output: a === b ? "equal" : compareCodePoints(a, b) < 0 ? "less" : "greater" };
    },
  }),

  defineNode({
    type: "nodetool.text.Equals",
    description: "Checks if two text inputs are equal.\n    text, compare, equals, match, =",
    properties: [
      prop("text_a", "str", ""),
      prop("text_b", "str", ""),
      prop("case_sensitive", "bool", true, { description: "Disable lowercasing before compare" }),
      prop("trim_whitespace", "bool", false, { description: "Strip leading/trailing whitespace prior to comparison" }),
    ],
    outputs: boolOut,
    process: (inputs) => {
      const [a, b] = normalizePair(inputs);
      return { output: a === b };
    },
  }),

  simple("ToUppercase", "Converts text to uppercase.\n    text, transform, uppercase, format", (s) => s.toUpperCase()),
  simple("ToLowercase", "Converts text to lowercase.\n    text, transform, lowercase, format", (s) => s.toLowerCase()),
  simple("ToTitlecase", "Converts text to title case.\n    text, transform, titlecase, format", titleCase),
  simple("CapitalizeText", "Capitalizes only the first character.\n    text, transform, capitalize, format", capitalize),

  // `stop` 0 means "to the end" (so start=-5 gives the last five characters, step=-1 reverses).
  defineNode({
    type: "nodetool.text.Slice",
    title: "Slice Text",
    description: "Slices text using Python's slice notation (start:stop:step).\n    text, slice, substring",
    properties: [
      textProp(),
      prop("start", "int", 0, { description: "Start index" }),
      prop("stop", "int", 0, { description: "Stop index (exclusive); 0 means the end of the text" }),
      prop("step", "int", 1),
    ],
    outputs: strOut,
    process: (inputs) => {
      const step = toInt(inputs.step, "step");
      const start = toInt(inputs.start, "start");
      const stop = toInt(inputs.stop, "stop");
      return { output: pySlice(cps(text(inputs.text)), step < 0 && start === 0 ? null : start, stop === 0 ? null : stop, step) };
    },
  }),

  defineNode({
    type: "nodetool.text.StartsWith",
    description: "Checks if text starts with a specified prefix.\n    text, check, prefix, compare, validate, substring, string",
    properties: [textProp(), prop("prefix", "str", "")],
    outputs: boolOut,
    process: (inputs) => ({ output: text(inputs.text).startsWith(text(inputs.prefix)) }),
  }),

  defineNode({
    type: "nodetool.text.EndsWith",
    description: "Checks if text ends with a specified suffix.\n    text, check, suffix, compare, validate, substring, string",
    properties: [textProp(), prop("suffix", "str", "")],
    outputs: boolOut,
    process: (inputs) => ({ output: text(inputs.text).endsWith(text(inputs.suffix)) }),
  }),

  // With neither a substring nor search values there is nothing to find: false (current NodeTool).
  defineNode({
    type: "nodetool.text.Contains",
    title: "Contains Text",
    description: "Checks if text contains a specified substring.\n    text, compare, validate, substring, string",
    properties: [
      textProp(),
      prop("substring", "str", ""),
      prop("search_values", "list[str]", [], { description: "Optional list of substrings to check instead of `substring`" }),
      prop("case_sensitive", "bool", true),
      prop("match_mode", "enum", "any", { values: Object.values(MATCH_MODE), description: "ANY requires one match, ALL needs every value, NONE ensures none" }),
    ],
    outputs: boolOut,
    process: (inputs) => {
      const search = toList(inputs.search_values).map(text);
      const substring = text(inputs.substring);
      const targets = search.length > 0 ? search : substring !== "" ? [substring] : [];
      if (targets.length === 0) return { output: false };
      const cs = toBool(inputs.case_sensitive);
      const hay = cs ? text(inputs.text) : text(inputs.text).toLowerCase();
      const found = targets.map((t) => hay.includes(cs ? t : t.toLowerCase()));
      const mode = enumValue(inputs.match_mode, MATCH_MODE);
      if (mode === "all") return { output: found.every(Boolean) };
      if (mode === "none") return { output: !found.some(Boolean) };
      if (mode !== "any") throw new Error(`Contains: unknown match_mode '${mode}' (expected any, all or none)`);
      return { output: found.some(Boolean) };
    },
  }),

  defineNode({
    type: "nodetool.text.TrimWhitespace",
    description: "Trims whitespace from the start and/or end of text.\n    text, whitespace, clean, remove",
    properties: [textProp(), prop("trim_start", "bool", true), prop("trim_end", "bool", true)],
    outputs: strOut,
    process: (inputs) => {
      let s = text(inputs.text);
      if (toBool(inputs.trim_start)) s = s.trimStart();
      if (toBool(inputs.trim_end)) s = s.trimEnd();
      return { output: s };
    },
  }),

  defineNode({
    type: "nodetool.text.CollapseWhitespace",
    description: "Collapses consecutive whitespace into single separators.\n    text, whitespace, normalize, clean, remove",
    properties: [
      textProp(),
      prop("preserve_newlines", "bool", false, { description: "Keep newline characters instead of replacing them" }),
      prop("replacement", "str", " ", { description: "String used to replace whitespace runs" }),
      prop("trim_edges", "bool", true, { description: "Strip whitespace before collapsing" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const s = toBool(inputs.trim_edges) ? text(inputs.text).trim() : text(inputs.text);
      const re = toBool(inputs.preserve_newlines) ? /[^\S\r\n]+/g : /\s+/g;
      const replacement = text(inputs.replacement);
      return { output: s.replace(re, () => replacement) };
    },
  }),

  defineNode({
    type: "nodetool.text.IsEmpty",
    description: "Checks if text is empty or contains only whitespace.\n    text, check, empty, compare, validate, whitespace, string",
    properties: [textProp(), prop("trim_whitespace", "bool", true)],
    outputs: boolOut,
    process: (inputs) => {
      const s = text(inputs.text);
      return { output: (toBool(inputs.trim_whitespace) ? s.trim() : s).length === 0 };
    },
  }),

  defineNode({
    type: "nodetool.text.RemovePunctuation",
    description: "Removes punctuation characters from text.\n    text, cleanup, punctuation, normalize",
    properties: [
      textProp(),
      prop("replacement", "str", "", { description: "String to insert where punctuation was removed" }),
      prop("punctuation", "str", PUNCTUATION, { description: "Characters that should be removed or replaced" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const set = new Set(cps(text(inputs.punctuation)));
      const replacement = text(inputs.replacement);
      return { output: cps(text(inputs.text)).map((c) => (set.has(c) ? replacement : c)).join("") };
    },
  }),

  defineNode({
    type: "nodetool.text.StripAccents",
    description: "Removes accent marks while keeping base characters.\n    text, cleanup, accents, normalize",
    properties: [textProp(), prop("preserve_non_ascii", "bool", true, { description: "Keep non-ASCII characters that are not accents" })],
    outputs: strOut,
    process: (inputs) => {
      const stripped = text(inputs.text).normalize("NFKD").replace(/\p{Mn}/gu, "");
      return { output: toBool(inputs.preserve_non_ascii) ? stripped : stripped.replace(/[^\x00-\x7f]/g, "") };
    },
  }),

  defineNode({
    type: "nodetool.text.Slugify",
    description: "Converts text into a slug suitable for URLs or IDs.\n    text, slug, normalize, id",
    properties: [
      textProp(),
      prop("separator", "str", "-"),
      prop("lowercase", "bool", true),
      prop("allow_unicode", "bool", false, { description: "Keep unicode letters instead of converting to ASCII" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const separator = text(inputs.separator);
      let s = text(inputs.text).normalize("NFKD");
      if (!toBool(inputs.allow_unicode)) s = s.replace(/[^\x00-\x7f]/g, "");
      s = s.replace(/[^\p{L}\p{N}_\s-]/gu, "");
      s = s.replace(/[\s_-]+/gu, () => separator);
      if (separator !== "") s = stripCharSet(s, separator);
      return { output: toBool(inputs.lowercase) ? s.toLowerCase() : s };
    },
  }),

  // A bound of 0 is "not set" (NodeTool's defaults); with exact_length set the other bounds are ignored.
  defineNode({
    type: "nodetool.text.HasLength",
    title: "Check Length",
    description: "Checks if text length meets specified conditions.\n    text, check, length, compare, validate, whitespace, string",
    properties: [
      textProp(),
      prop("min_length", "int", 0, { description: "Minimum length; 0 means no minimum" }),
      prop("max_length", "int", 0, { description: "Maximum length; 0 means no maximum" }),
      prop("exact_length", "int", 0, { description: "Exact length; 0 means not checked" }),
    ],
    outputs: boolOut,
    process: (inputs) => {
      const n = cpLength(text(inputs.text));
      const exact = toInt(inputs.exact_length, "exact_length");
      const min = toInt(inputs.min_length, "min_length");
      const max = toInt(inputs.max_length, "max_length");
      if (exact > 0) return { output: n === exact };
      return { output: (min <= 0 || n >= min) && (max <= 0 || n <= max) };
    },
  }),

  defineNode({
    type: "nodetool.text.TruncateText",
    description: "Truncates text to a maximum length.\n    text, truncate, length, clip",
    properties: [
      textProp(),
      prop("max_length", "int", 100, { min: 0 }),
      prop("ellipsis", "str", "", { description: "Optional suffix appended when truncation occurs" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const cs = cps(text(inputs.text));
      const max = toInt(inputs.max_length, "max_length");
      const ellipsis = text(inputs.ellipsis);
      if (max <= 0) return { output: ellipsis };
      if (cs.length <= max) return { output: cs.join("") };
      const el = cpLength(ellipsis);
      if (ellipsis !== "" && el < max) return { output: cs.slice(0, max - el).join("") + ellipsis };
      return { output: cs.slice(0, max).join("") };
    },
  }),

  defineNode({
    type: "nodetool.text.PadText",
    description: "Pads text to a target length.\n    text, pad, length, format",
    properties: [
      textProp(),
      prop("length", "int", 0, { min: 0, description: "Target length" }),
      prop("pad_character", "str", " ", { description: "Single character to use for padding" }),
      prop("direction", "enum", "right", { values: Object.values(PAD_DIRECTION), description: "Where padding should be applied" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const s = text(inputs.text);
      const pad = text(inputs.pad_character);
      if (cpLength(pad) !== 1) throw new Error(`PadText: pad_character must be a single character, got '${pad}'`);
      const needed = toInt(inputs.length, "length") - cpLength(s);
      if (needed <= 0) return { output: s };
      const direction = enumValue(inputs.direction, PAD_DIRECTION);
      if (direction === "left") return { output: pad.repeat(needed) + s };
      if (direction === "both") {
        const left = Math.floor(needed / 2);
        return { output: pad.repeat(left) + s + pad.repeat(needed - left) };
      }
      return { output: s + pad.repeat(needed) };
    },
  }),

  defineNode({
    type: "nodetool.text.Length",
    title: "Measure Length",
    description: "Measures text length as characters, words, or lines.\n    text, analyze, length, count",
    properties: [
      textProp(),
      prop("measure", "enum", "characters", { values: Object.values(MEASURE), description: "Count characters, words, or lines" }),
      prop("trim_whitespace", "bool", false, { description: "Strip whitespace before counting" }),
    ],
    outputs: intOut,
    process: (inputs) => {
      const trim = toBool(inputs.trim_whitespace);
      const s = trim ? text(inputs.text).trim() : text(inputs.text);
      const measure = enumValue(inputs.measure, MEASURE);
      if (measure === "words") return { output: s.split(/\s+/).filter(Boolean).length };
      if (measure === "lines") return { output: splitLines(s).filter((line) => line !== "" || !trim).length };
      return { output: cpLength(s) };
    },
  }),

  // `end_index` 0 means "to the end of the text"; a negative one counts from the end.
  defineNode({
    type: "nodetool.text.IndexOf",
    description: "Finds the position of a substring in text (-1 when absent).\n    text, search, find, substring",
    properties: [
      textProp(),
      prop("substring", "str", ""),
      prop("case_sensitive", "bool", true),
      prop("start_index", "int", 0, { min: 0, description: "Index to begin the search from" }),
      prop("end_index", "int", 0, { description: "Exclusive end index for the search; 0 means the end of the text" }),
      prop("search_from_end", "bool", false, { description: "Use the last occurrence instead of the first" }),
    ],
    outputs: intOut,
    process: (inputs) => {
      let hay = text(inputs.text);
      let needle = text(inputs.substring);
      if (!toBool(inputs.case_sensitive)) {
        hay = hay.toLowerCase();
        needle = needle.toLowerCase();
      }
      const len = cpLength(hay);
      const start = Math.min(Math.max(toInt(inputs.start_index, "start_index"), 0), len);
      const endIn = toInt(inputs.end_index, "end_index");
      const end = Math.max(start, Math.min(endIn === 0 ? len : endIn < 0 ? len + endIn : endIn, len));
      const window = hay.slice(unitOffset(hay, start), unitOffset(hay, end));
      const at = toBool(inputs.search_from_end) ? window.lastIndexOf(needle) : window.indexOf(needle);
      return { output: at < 0 ? -1 : start + cpIndex(window, at) };
    },
  }),

  defineNode({
    type: "nodetool.text.SurroundWith",
    description: "Wraps text with the provided prefix and suffix.\n    text, format, surround, decorate",
    properties: [
      textProp(),
      prop("prefix", "str", ""),
      prop("suffix", "str", ""),
      prop("skip_if_wrapped", "bool", true, { description: "Do not add duplicates if the text is already wrapped" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const s = text(inputs.text);
      const prefix = text(inputs.prefix);
      const suffix = text(inputs.suffix);
      if (toBool(inputs.skip_if_wrapped) && s.startsWith(prefix) && s.endsWith(suffix)) return { output: s };
      return { output: prefix + s + suffix };
    },
  }),

  // A plain-text conversion (tags stripped, blocks and line breaks kept, entities decoded), not html2text's Markdown.
  defineNode({
    type: "nodetool.text.HtmlToText",
    title: "HTML to Text",
    description: "Converts HTML content to plain text.\n    html, convert, text, parse, extract",
    properties: [
      prop("html", "str", "", { description: "HTML content to convert" }),
      prop("base_url", "str", "", { description: "Base URL for resolving relative links" }),
      prop("body_width", "int", 1000, { description: "Width for text wrapping" }),
      prop("ignore_images", "bool", true, { description: "Whether to ignore image tags (otherwise their alt text is kept)" }),
      prop("ignore_mailto_links", "bool", true, { description: "Whether to ignore mailto links" }),
    ],
    outputs: strOut,
    process: (inputs) => ({ output: htmlToText(text(inputs.html), toBool(inputs.ignore_images)) }),
  }),

  defineNode({
    type: "nodetool.text.FilterString",
    description: "Filters a stream of strings based on various criteria.\n    filter, strings, text, stream",
    properties: [
      prop("value", "str", "", { description: "Input string stream" }),
      prop("filter_type", "enum", "contains", { values: Object.values(FILTER_TYPE), description: "The type of filter to apply" }),
      prop("criteria", "str", "", { description: "The filtering criteria (text to match or length as string)" }),
    ],
    outputs: strOut,
    run: (inputs, outputs) =>
      streamFilter(inputs, outputs, ["filter_type", "criteria"], (state) => {
        const type = enumValue(state.filter_type, FILTER_TYPE);
        const criteria = text(state.criteria);
        const n = /^\s*[-+]?\d+\s*$/.test(criteria) ? Number(criteria) : null;
        switch (type) {
          case "contains":
            return (v) => v.includes(criteria);
          case "starts_with":
            return (v) => v.startsWith(criteria);
          case "ends_with":
            return (v) => v.endsWith(criteria);
          case "equals":
            return (v) => v === criteria;
          case "type_is":
            // Only strings reach the filter, so the only type that matches is the string type.
            return () => ["str", "string", "text"].includes(criteria.trim().toLowerCase());
          case "length_greater":
            return (v) => n !== null && cpLength(v) > n;
          case "length_less":
            return (v) => n !== null && cpLength(v) < n;
          case "exact_length":
            return (v) => n !== null && cpLength(v) === n;
          default:
            throw new Error(`FilterString: unknown filter_type '${type}'`);
        }
      }),
  }),

  defineNode({
    type: "nodetool.text.FilterRegexString",
    description: "Filters a stream of strings using regular expressions.\n    filter, regex, pattern, text, stream",
    properties: [
      prop("value", "str", "", { description: "Input string stream" }),
      prop("pattern", "str", "", { description: "The regular expression pattern to match against." }),
      prop("full_match", "bool", false, { description: "Whether to match the entire string or find pattern anywhere in string" }),
    ],
    outputs: strOut,
    run: (inputs, outputs) =>
      streamFilter(inputs, outputs, ["pattern", "full_match"], (state) => {
        const pattern = text(state.pattern);
        const re = pythonRegex(pattern);
        if (!toBool(state.full_match)) return (v) => re.test(v);
        const full = new RegExp(`^(?:${re.source})$`, re.flags);
        return (v) => full.test(v);
      }),
  }),
];

function normalizePair(inputs: Inputs): [string, string] {
  const norm = (v: unknown) => {
    let s = text(v);
    if (toBool(inputs.trim_whitespace)) s = s.trim();
    return toBool(inputs.case_sensitive) ? s : s.toLowerCase();
  };
  return [norm(inputs.text_a), norm(inputs.text_b)];
}

/** Code point order, as Python compares strings. */
function compareCodePoints(a: string, b: string): number {
  const x = cps(a);
  const y = cps(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * Python `re` syntax to the syntax of RE2 (re2js). RE2 already reads most of it as Python does: `(?P<name>...)`,
 * `(?<name>...)`, `\A`, scoped flags `(?i:...)`, `[]...]` classes, `\d \w \b` (ASCII, as JavaScript's RegExp).
 * What differs is rewritten here: `\Z` (RE2 spells it `\z`), `\uXXXX` and `\UXXXXXXXX`, the quantifier `{,n}`,
 * comments `(?#...)`, verbose mode `(?x)`, and `\s`, which RE2 keeps to ASCII while Python and JavaScript
 * count every Unicode space. Constructs RE2 cannot run (backreferences, lookahead) pass through unchanged:
 * RE2 rejects them and engine/regex/safe-regex.ts decides what happens then.
 */

export interface Re2Source {
  source: string;
  ignorecase: boolean;
  multiline: boolean;
  dotall: boolean;
}

/** JavaScript's `\s` (ECMAScript WhiteSpace and LineTerminator), as class members in RE2 syntax. */
const SPACE_MEMBERS = "\\t-\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";

/** The flags of a leading inline group such as `(?im)`, and where the rest of the pattern starts. */
export function leadingInlineFlags(pattern: string): { flags: string; rest: string } {
  const m = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (!m) return { flags: "", rest: pattern };
  if (m[1].includes("L")) throw new Error(`invalid regular expression '${pattern}': the L (locale) flag is not supported`);
  return { flags: m[1], rest: pattern.slice(m[0].length) };
}

export function toRe2Source(pattern: string, flags: { ignorecase?: boolean; multiline?: boolean; dotall?: boolean } = {}): Re2Source {
  const inline = leadingInlineFlags(pattern);
  const src = inline.rest;
  const verbose = inline.flags.includes("x");
  let out = "";
  let inClass = false;
  // Position right after a class's `[` or `[^`, where a `]` is a literal.
  let classStart = -1;
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === "\\") {
      const n = src[i + 1] ?? "";
      const hex4 = /^[0-9A-Fa-f]{4}/.exec(src.slice(i + 2, i + 6));
      const hex8 = /^[0-9A-Fa-f]{8}/.exec(src.slice(i + 2, i + 10));
      if (n === "u" && hex4) {
        out += `\\x{${hex4[0]}}`;
        i += 6;
      } else if (n === "U" && hex8) {
        out += `\\x{${hex8[0]}}`;
        i += 10;
      } else if (n === "b" && inClass) {
        out += "\\x08";
        i += 2;
      } else if (n === "Z" && !inClass) {
        out += "\\z";
        i += 2;
      } else if (n === "s") {
        out += inClass ? SPACE_MEMBERS : `[${SPACE_MEMBERS}]`;
        i += 2;
      } else if (n === "S" && !inClass) {
        out += `[^${SPACE_MEMBERS}]`;
        i += 2;
      } else {
        out += c + n;
        i += 2;
      }
      continue;
    }
    if (inClass) {
      if (c === "]" && i !== classStart) inClass = false;
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
      classStart = i;
      continue;
    }
    if (src.startsWith("(?#", i)) {
      const end = src.indexOf(")", i);
      i = end < 0 ? src.length : end + 1;
      continue;
    }
    const upTo = /^\{,(\d+)\}/.exec(src.slice(i, i + 12));
    if (upTo && out !== "") {
      out += `{0,${upTo[1]}}`;
      i += upTo[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return {
    source: out,
    ignorecase: Boolean(flags.ignorecase) || inline.flags.includes("i"),
    multiline: Boolean(flags.multiline) || inline.flags.includes("m"),
    dotall: Boolean(flags.dotall) || inline.flags.includes("s"),
  };
}

/**
 * The construct of a pattern that needs a backtracking engine, in words, or null. Scans outside character
 * classes only; used to explain why a pattern is not run in linear time.
 */
export function backtrackingConstruct(pattern: string): string | null {
  let inClass = false;
  let classStart = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const n = pattern[i + 1] ?? "";
      if (!inClass && /[1-9]/.test(n)) return `a backreference (\\${n})`;
      if (!inClass && n === "k" && pattern[i + 2] === "<") return "a named backreference (\\k<name>)";
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]" && i !== classStart) inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      classStart = pattern[i + 1] === "^" ? i + 2 : i + 1;
      continue;
    }
    if (c !== "(" || pattern[i + 1] !== "?") continue;
    const rest = pattern.slice(i + 2, i + 4);
    if (rest.startsWith("P=")) return "a named backreference ((?P=name))";
    if (rest.startsWith("=")) return "a lookahead ((?=...))";
    if (rest.startsWith("!")) return "a negative lookahead ((?!...))";
    if (rest === "<=" || rest === "<!") return "a capture group inside a lookbehind";
    if (rest.startsWith(">")) return "an atomic group ((?>...))";
    if (rest.startsWith("(")) return "a conditional group ((?(id)yes|no))";
  }
  return null;
}

/**
 * Unix shell-style wildcards, as Python's `fnmatch` reads them (NodeTool: nodetool-base
 * src/nodetool/nodes/lib/os.py uses fnmatch): `*` any run of characters (`/` included), `?` one character,
 * `[seq]` one of seq (ranges allowed), `[!seq]` none of seq; a `[` without its `]` is literal.
 */

/** Longest pattern accepted: patterns come from users, and each compiles to a regular expression. */
const MAX_PATTERN_LENGTH = 1000;

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Compiles a pattern to an anchored regular expression (case-insensitive when asked). */
export function fnmatchRegExp(pattern: string, caseSensitive = true): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new Error(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i++];
    if (c === "*") {
      // Runs of `*` mean the same as one; collapsing them keeps the expression linear.
      while (pattern[i] === "*") i++;
      out += "[\\s\\S]*";
    } else if (c === "?") out += "[\\s\\S]";
    else if (c === "[") {
      let j = i;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j++;
      if (j >= pattern.length) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i, j);
      i = j + 1;
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      // Inside a class only `\`, `]`, `^` and `-` matter to a RegExp; `-` keeps its range meaning.
      const cls = [...body].map((ch) => (ch === "\\" || ch === "]" || ch === "^" || ch === "[" ? `\\${ch}` : ch)).join("");
      out += negate ? `[^${cls}]` : `[${cls}]`;
    } else out += escapeRegExp(c);
  }
  try {
    return new RegExp(`^(?:${out})$`, caseSensitive ? "u" : "iu");
  } catch {
    throw new Error(`invalid pattern '${pattern}' (a [...] range is out of order?)`);
  }
}

/** Whether `name` matches `pattern`. */
export function fnmatch(name: string, pattern: string, caseSensitive = true): boolean {
  return fnmatchRegExp(pattern, caseSensitive).test(name);
}

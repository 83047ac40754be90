/**
 * Python `re` patterns and replacement strings on top of JavaScript's RegExp. NodeTool's regex properties
 * are Python syntax (nodetool-base) or JavaScript syntax (the newer TypeScript nodes); both are accepted
 * where they do not conflict.
 */

/**
 * Translates Python `re` syntax to a JavaScript RegExp: `(?P<name>...)` to `(?<name>...)`, `(?P=name)` to
 * `\k<name>`, `\A`/`\Z`, `(?#comments)`, a leading inline flag group `(?imsx)`, `{,n}` and `[]...]` classes.
 * Nodes do not run the result on the host: engine/regex/safe-regex.ts runs it in the code sandbox only.
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
    const upTo = /^\{,(\d+)\}/.exec(src.slice(i, i + 12));
    if (upTo && out !== "") {
      out += `{0,${upTo[1]}}`;
      i += upTo[0].length;
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

export type ReplacementPart = string | { group: number | string };

/**
 * Parses a replacement string. Python references (`\1`, `\g<1>`, `\g<name>`, escapes like `\n`) and
 * JavaScript ones (`$1`, `$<name>`, `$&`, `$$`) both work: older NodeTool used Python's `re.sub`, the
 * current one JavaScript's `replace`.
 */
export function parseReplacement(repl: string): ReplacementPart[] {
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

export function expandReplacement(parts: ReplacementPart[], m: RegExpExecArray | RegExpMatchArray, pattern: string): string {
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

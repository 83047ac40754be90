/**
 * Python's glob matching for one path segment (fnmatch rules as `glob.glob` applies them): `*` any run of
 * characters, `?` one character, `[abc]`, `[a-z]` and `[!abc]` classes; names starting with a dot match only a
 * pattern that starts with a dot.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/\\/g, "\\\\").replace(/\^/g, "\\^")}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  const regex = new RegExp(`^${re}$`, "s");
  const dotted = pattern.startsWith(".");
  return (name) => (dotted || !name.startsWith(".")) && regex.test(name);
}

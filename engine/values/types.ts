/**
 * Type compatibility between an output handle and an input property, for edge validation. Deliberately
 * lenient: only combinations that cannot work at run time are mismatches, so real NodeTool files that rely
 * on NodeTool's own leniency (numbers into text, bools into numbers) keep validating.
 */
const MEDIA = new Set(["image", "audio", "video", "document", "model_3d", "dataframe", "folder", "text_ref"]);

function family(t: string): string {
  const base = t.replace(/\[.*$/, "").trim();
  if (base === "str" || base === "string" || base === "text" || base === "enum") return "text";
  if (base === "int" || base === "float" || base === "number") return "number";
  if (base === "list" || base === "tuple") return "list";
  if (base === "dict" || base === "object") return "dict";
  return base;
}

export function splitUnion(t: string): string[] {
  // "list[int|float]" keeps its brackets; only top-level `|` splits.
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "|" && depth === 0) {
      parts.push(t.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(t.slice(start).trim());
  return parts.map((p) => p.toLowerCase()).filter((p) => p !== "none" && p !== "");
}

function compatibleSingle(from: string, to: string): boolean {
  if (from === "any" || to === "any") return true;
  const f = family(from);
  const g = family(to);
  if (f === g) return true;
  // NodeTool coerces these at run time: numbers and booleans print into text, booleans count as numbers.
  if (g === "text" && (f === "number" || f === "bool" || f === "datetime" || f === "date")) return true;
  if (g === "number" && f === "bool") return true;
  if (g === "bool" && f === "number") return true;
  // A media reference is a record with a type and a uri.
  if (g === "dict" && MEDIA.has(f)) return true;
  return false;
}

export function typesCompatible(from: string, to: string): boolean {
  const fs = splitUnion(from);
  const ts = splitUnion(to);
  if (fs.length === 0 || ts.length === 0) return true;
  return fs.some((f) => ts.some((t) => compatibleSingle(f, t)));
}

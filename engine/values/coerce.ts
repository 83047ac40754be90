/**
 * Value coercions shared by the node library. NodeTool's Python nodes rely on duck typing; these keep the
 * same forgiving behaviour in one place instead of ad-hoc `String(x)` calls in every node.
 */

/** A value as text, the way current NodeTool substitutes it into templates (booleans as `true`/`false`). */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (isRecord(value) && typeof value.text === "string" && value.type === "text") return value.text;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function toNumber(value: unknown, what = "value"): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  if (value === null || value === undefined) return 0;
  throw new TypeError(`${what} must be a number, got ${describe(value)}`);
}

export function toInt(value: unknown, what = "value"): number {
  return Math.trunc(toNumber(value, what));
}

export function toBool(value: unknown): boolean {
  if (typeof value === "string") {
    const s = value.trim().toLowerCase();
    return !(s === "" || s === "false" || s === "0" || s === "no" || s === "off");
  }
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

export function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) return [];
  return [value];
}

export function toRecord(value: unknown, what = "value"): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (isRecord(value)) return value;
  throw new TypeError(`${what} must be an object, got ${describe(value)}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** NodeTool stores enum defaults as `"Comparison.EQUAL"` in some files and as the value (`"=="`) in others. */
export function enumValue(value: unknown, members: Readonly<Record<string, string>>): string {
  const text = toText(value);
  if (Object.values(members).includes(text)) return text;
  const key = text.includes(".") ? text.slice(text.lastIndexOf(".") + 1) : text;
  if (key in members) return members[key];
  const lower = text.toLowerCase();
  for (const v of Object.values(members)) if (v.toLowerCase() === lower) return v;
  return text;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

/** Structural equality for JSON-like values (used by Compare, Dedupe, Contains ...). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

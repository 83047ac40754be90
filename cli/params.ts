import { UsageError } from "./args";

/** A workflow's derived input schema (`{properties: {name: {type, ...}}}`), as far as reading `--param` needs it. */
type JsonSchema = Record<string, unknown>;

function typeOf(schema: JsonSchema | undefined, name: string): unknown {
  const properties = schema?.properties;
  if (typeof properties !== "object" || properties === null) return undefined;
  const property = (properties as Record<string, unknown>)[name];
  return typeof property === "object" && property !== null ? (property as { type?: unknown }).type : undefined;
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object of input values by name`);
  return value as Record<string, unknown>;
}

/** Reads a `--param` value by the input's JSON type; text stays text. Unknown inputs keep the text (the run reports them). */
export function coerceParam(name: string, raw: string, schema: JsonSchema | undefined): unknown {
  const types = [typeOf(schema, name)].flat().filter((t): t is string => typeof t === "string");
  const has = (t: string) => types.includes(t);
  if (has("integer") || has("number")) {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--param ${name}: '${raw}' is not a number`);
    return n;
  }
  if (has("boolean")) {
    const v = raw.trim().toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) return true;
    if (["false", "0", "no", "off"].includes(v)) return false;
    throw new UsageError(`--param ${name}: '${raw}' is not true or false`);
  }
  if (has("array")) {
    if (raw.trim().startsWith("[")) return parseJsonValue(name, raw);
    return raw === "" ? [] : raw.split(",").map((s) => s.trim());
  }
  if (has("object") && raw.trim().startsWith("{")) return parseJsonValue(name, raw);
  return raw;
}

function parseJsonValue(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`--param ${name}: not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The run's params: those read from stdin, then `--params`, then each `--param NAME=VALUE` (later wins).
 * `inputSchema` (the workflow's derived input schema) says how to read `--param` values.
 */
export function buildParams(
  opts: { params?: string; param: string[] },
  fromStdin: Record<string, unknown> | undefined,
  inputSchema: JsonSchema | undefined,
): Record<string, unknown> {
  const params: Record<string, unknown> = { ...(fromStdin ?? {}) };
  if (opts.params !== undefined) Object.assign(params, parseJsonObject(opts.params, "--params"));
  for (const entry of opts.param) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param takes NAME=VALUE, got '${entry}'`);
    const name = entry.slice(0, eq);
    params[name] = coerceParam(name, entry.slice(eq + 1), inputSchema);
  }
  return params;
}

export { parseJsonObject };

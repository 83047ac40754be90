import { z } from "zod";

/**
 * Reading settings from environment variables with zod, for the Worker (edge/config/schema.ts) and the CLI
 * (cli/config.ts). A deployment whose settings are wrong keeps serving: each variable is checked on its own
 * (safeParse per variable, or per entry of a list), and what is wrong becomes one sentence in `problems`,
 * naming the variable, the value and what is used instead. The caller reports them (log, /health, 503s).
 */

/** How one variable is read: its value, with any problem pushed as a sentence. */
export interface Setting<T> {
  read(name: string, raw: string | undefined, problems: string[]): T;
}

export type SettingsShape = Record<string, Setting<unknown>>;
export type SettingsOf<S extends SettingsShape> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };
/** The raw variables a shape reads: a Worker's env and `process.env` both fit. */
export type EnvOf<S extends SettingsShape> = { readonly [K in keyof S]?: string };

const isBlank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === "";

/** Reads every variable of `shape` from `env`, in the shape's order. */
export function readSettings<S extends SettingsShape>(shape: S, env: EnvOf<S>, problems: string[] = []): SettingsOf<S> & { problems: string[] } {
  const values: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(shape)) values[name] = setting.read(name, (env as Record<string, string | undefined>)[name], problems);
  return { ...(values as SettingsOf<S>), problems };
}

/**
 * A whole value checked by `schema` (given the trimmed text). Unset or blank is `fallback`; an invalid value is
 * reported as "NAME <the schema's message>, got 'raw'; using <using>" and `fallback` is used.
 */
export function checked<T>(schema: z.ZodType<T, string>, fallback: T, using = String(fallback)): Setting<T> {
  return {
    read(name, raw, problems) {
      if (isBlank(raw)) return fallback;
      const parsed = schema.safeParse(raw.trim());
      if (parsed.success) return parsed.data;
      problems.push(`${name} ${parsed.error.issues[0]?.message ?? "is invalid"}, got '${raw}'; using ${using}`);
      return fallback;
    },
  };
}

/** A number as written in a variable (`Number` semantics: `1e3` and `0x10` are numbers too). */
const numeric = (message: string) => z.string().transform(Number).pipe(z.number({ error: message }));

export const positiveNumber = (fallback: number) => {
  const message = "must be a positive number";
  return checked(numeric(message).pipe(z.number().positive({ error: message })), fallback);
};

/** Like positiveNumber, rounded down: byte counts and the like. */
export const positiveWholeNumber = (fallback: number) => {
  const message = "must be a positive number";
  return checked(numeric(message).pipe(z.number().positive({ error: message }).transform(Math.floor)), fallback);
};

export const positiveInteger = (fallback: number) => {
  const message = "must be a positive integer";
  return checked(numeric(message).pipe(z.number().int({ error: message }).positive({ error: message })), fallback);
};

/** A whole number of at least `min`; `message` says what it must be (e.g. "must be a whole number (0: no limit)"). */
export const wholeNumber = (fallback: number, min: number, message = `must be a whole number of at least ${min}`) =>
  checked(numeric(message).pipe(z.number().int({ error: message }).min(min, { error: message })), fallback);

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

export const flag = (fallback: boolean) => {
  const message = "must be true or false";
  return checked(
    z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum([...TRUE, ...FALSE] as [string, ...string[]], { error: message }))
      .transform((v) => TRUE.includes(v)),
    fallback,
  );
};

/** Free text, as set (tokens are compared exactly); undefined when unset or empty. */
export const text = (): Setting<string | undefined> => ({ read: (_name, raw) => raw || undefined });

/** Free text without surrounding white space; undefined when unset or blank. */
export const trimmedText = (): Setting<string | undefined> => ({ read: (_name, raw) => (isBlank(raw) ? undefined : raw.trim()) });

/**
 * A list of entries separated by `separator`; each entry is checked on its own by `entry`, whose message is the
 * whole sentence (it sees the entry). Invalid entries are reported and left out; the others apply.
 */
export function entries<T>(entry: z.ZodType<T, string>, separator: RegExp | string = ","): Setting<T[]> {
  return {
    read(_name, raw, problems) {
      const out: T[] = [];
      for (const part of (raw ?? "").split(separator)) {
        const trimmed = part.trim();
        if (trimmed === "") continue;
        const parsed = entry.safeParse(trimmed);
        if (parsed.success) out.push(parsed.data);
        else problems.push(...parsed.error.issues.map((i) => i.message));
      }
      return out;
    },
  };
}

/** The URL `raw` spells, or null. */
export function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** An http(s) URL without query, fragment or credentials, kept without trailing slashes; null when not one. */
export function httpBaseUrl(raw: string): string | null {
  const url = parseUrl(raw);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash || url.username || url.password) return null;
  return url.href.replace(/\/+$/, "");
}

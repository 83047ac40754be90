/**
 * The one way nodes run a user-supplied regular expression. A user's pattern must never hang the isolate, and
 * JavaScript's RegExp backtracks: `(a+)+$` against "aaaa…a!" takes exponential time and cannot be interrupted.
 *
 * Decision:
 * 1. Every pattern RE2 supports runs on re2js (a pure-JavaScript port of RE2, MIT): time linear in the text,
 *    whatever the pattern. NodeTool's Python syntax is translated first (engine/regex/re2-syntax.ts); the flags
 *    IGNORECASE, MULTILINE and DOTALL, Python's group numbering, named groups `(?P<name>...)` and lookbehinds
 *    without captures (re2js's linear-time LOOKBEHINDS mode) all keep their meaning.
 * 2. Patterns RE2 cannot run (backreferences, lookahead, captures inside a lookbehind, repeat counts above
 *    1000) run as JavaScript RegExps inside the code sandbox (`services.code`, QuickJS), whose interrupt
 *    handler also fires while a regex backtracks: each call gets a hard time limit (REGEX_SANDBOX_TIMEOUT_MS),
 *    after which the node fails with a message naming the construct.
 * 3. Without a sandbox such a pattern is refused, with a message naming the construct: never run on the host.
 * Matching semantics are JavaScript's where Python and JavaScript differ (`$` only at the very end without
 * MULTILINE, ASCII `\d \w \b`), as NodeTool's TypeScript nodes run them; an empty match advances by one code
 * point, as Python does.
 */
import { RE2JS } from "re2js";
import type { CodeSandbox } from "../code/sandbox";
import { pythonRegex } from "./python-regex";
import { backtrackingConstruct, toRe2Source } from "./re2-syntax";
import { runInSandbox, type SandboxMatch, type SandboxOp, type SandboxRegexRun } from "./sandbox-regex";

export const REGEX_SANDBOX_TIMEOUT_MS = 2000;
/** Bounds the list a find-all builds (an empty pattern matches once per character). */
export const MAX_REGEX_MATCHES = 1_000_000;
const MAX_PATTERN_LENGTH = 65_536;
const CACHE_SIZE = 128;

export interface RegexFlags {
  ignorecase?: boolean;
  multiline?: boolean;
  dotall?: boolean;
}

/** Like a RegExpExecArray: group 0, then each group (undefined when it did not take part). */
export type RegexMatch = (string | undefined)[] & { index: number; groups?: Record<string, string | undefined> };

export interface SafeRegexOptions {
  flags?: RegexFlags;
  /** Prefix of error messages, usually the node's name. */
  what: string;
  /** The run's code sandbox, for the patterns RE2 cannot run. */
  sandbox?: CodeSandbox;
  signal?: AbortSignal;
  /** Time limit of one sandboxed match (ms). */
  timeoutMs?: number;
}

export interface SafeRegex {
  readonly pattern: string;
  /** `re2`: linear time; `sandbox`: a backtracking RegExp under the sandbox's time limit. */
  readonly engine: "re2" | "sandbox";
  readonly groupCount: number;
  /** The first match anywhere (Python's re.search). */
  search(text: string): Promise<RegexMatch | null>;
  /** Every non-overlapping match, left to right (Python's re.finditer). */
  findAll(text: string): Promise<RegexMatch[]>;
  /** Whether the pattern matches anywhere. */
  test(text: string): Promise<boolean>;
  /** Whether the pattern matches at the start of the text (Python's re.match). */
  matchStart(text: string): Promise<boolean>;
  /** Whether the pattern matches the whole text (Python's re.fullmatch). */
  fullMatch(text: string): Promise<boolean>;
}

/** Why a pattern could not be used: not a valid pattern, or one needing backtracking where no sandbox can bound it. */
export class RegexError extends Error {
  constructor(
    message: string,
    readonly reason: "invalid" | "unsupported",
  ) {
    super(message);
    this.name = "RegexError";
  }
}

const cache = new Map<string, RE2JS | Error>();

function compileRe2(pattern: string, flags: RegexFlags): RE2JS | Error {
  const key = `${flags.ignorecase ? "i" : ""}${flags.multiline ? "m" : ""}${flags.dotall ? "s" : ""}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let compiled: RE2JS | Error;
  try {
    const t = toRe2Source(pattern, flags);
    const bits = (t.ignorecase ? RE2JS.CASE_INSENSITIVE : 0) | (t.multiline ? RE2JS.MULTILINE : 0) | (t.dotall ? RE2JS.DOTALL : 0) | RE2JS.LOOKBEHINDS;
    compiled = RE2JS.compile(t.source, bits);
  } catch (err) {
    compiled = err instanceof Error ? err : new Error(String(err));
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

function jsFlags(flags: RegexFlags): string {
  return (flags.ignorecase ? "i" : "") + (flags.multiline ? "m" : "") + (flags.dotall ? "s" : "");
}

/** Compiles a NodeTool (Python `re` syntax) pattern; throws a clear Error when it is invalid or cannot be run safely. */
export function compileRegex(pattern: string, options: SafeRegexOptions): SafeRegex {
  const { what } = options;
  const flags = options.flags ?? {};
  if (pattern.length > MAX_PATTERN_LENGTH) throw new RegexError(`${what}: the regular expression is longer than ${MAX_PATTERN_LENGTH} characters`, "unsupported");
  const re2 = compileRe2(pattern, flags);
  if (!(re2 instanceof Error)) return re2Regex(pattern, re2, what);

  // RE2 refused it: either it is no valid pattern at all, or it needs backtracking.
  let js: RegExp;
  try {
    js = pythonRegex(pattern, jsFlags(flags));
  } catch (err) {
    throw new RegexError(`${what}: ${(err as Error).message}`, "invalid");
  }
  const construct = backtrackingConstruct(pattern) ?? `a construct the linear-time engine does not support (${re2.message.replace(/^error parsing regexp: /, "")})`;
  const describe = `${what}: the regular expression '${pattern}' uses ${construct}`;
  if (!options.sandbox) {
    throw new RegexError(`${describe}, which needs a backtracking engine; this run has no code sandbox to run it under a time limit, so it is refused. Rewrite the pattern without it.`, "unsupported");
  }
  return sandboxRegex(pattern, js, {
    sandbox: options.sandbox,
    source: js.source,
    flags: js.flags.replace(/[gy]/g, ""),
    timeoutMs: options.timeoutMs ?? REGEX_SANDBOX_TIMEOUT_MS,
    maxMatches: MAX_REGEX_MATCHES,
    signal: options.signal,
    describe,
  });
}

function re2Regex(pattern: string, re: RE2JS, what: string): SafeRegex {
  return {
    pattern,
    engine: "re2",
    groupCount: re.groupCount(),
    search: async (text) => re.exec(text) as RegexMatch | null,
    findAll: async (text) => {
      const out: RegexMatch[] = [];
      for (const m of re.matchAll(text)) {
        if (out.length >= MAX_REGEX_MATCHES) throw new Error(`${what}: the regular expression '${pattern}' matched more than ${MAX_REGEX_MATCHES} times`);
        out.push(m as unknown as RegexMatch);
      }
      return out;
    },
    test: async (text) => re.test(text),
    matchStart: async (text) => re.matcher(text).lookingAt(),
    fullMatch: async (text) => re.testExact(text),
  };
}

function fromSandbox(m: SandboxMatch): RegexMatch {
  const arr = m.values.map((v) => v ?? undefined) as RegexMatch;
  arr.index = m.index;
  if (m.groups) arr.groups = Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, v ?? undefined]));
  return arr;
}

function sandboxRegex(pattern: string, js: RegExp, run: SandboxRegexRun): SafeRegex {
  const call = (op: SandboxOp, text: string) => runInSandbox(run, op, text);
  return {
    pattern,
    engine: "sandbox",
    groupCount: captureGroupCount(js.source),
    search: async (text) => {
      const found = (await call("first", text)) as SandboxMatch[];
      return found.length > 0 ? fromSandbox(found[0]) : null;
    },
    findAll: async (text) => ((await call("all", text)) as SandboxMatch[]).map(fromSandbox),
    test: async (text) => (await call("test", text)) === true,
    matchStart: async (text) => (await call("start", text)) === true,
    fullMatch: async (text) => (await call("full", text)) === true,
  };
}

/** Capture groups of a (valid) JavaScript pattern, counted from its source: `(` not followed by `?`, and `(?<name>`. */
function captureGroupCount(source: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") {
      if (source[i + 1] !== "?") n++;
      else if (source[i + 2] === "<" && source[i + 3] !== "=" && source[i + 3] !== "!") n++;
    }
  }
  return n;
}

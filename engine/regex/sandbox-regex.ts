/**
 * Runs a JavaScript RegExp inside the code sandbox (engine/code/sandbox.ts, QuickJS), for the patterns RE2
 * cannot run. QuickJS's regex engine checks the interrupt handler while it backtracks, so the sandbox's time
 * limit (a step budget where the host clock is frozen) stops a catastrophic pattern; the host's own RegExp
 * could not be stopped.
 */
import { SandboxLimitError, type CodeSandbox } from "../code/sandbox";

export type SandboxOp = "first" | "all" | "test" | "start" | "full";

export interface SandboxMatch {
  index: number;
  /** Group 0 and every capture group; null for one that did not take part. */
  values: (string | null)[];
  groups: Record<string, string | null> | null;
}

// Runs inside QuickJS: `__rx` holds the JSON inputs. Empty matches advance by a code point, as RE2 does.
const PROGRAM = `
const { src, flags, text, op, max } = __rx;
if (op === "test") return new RegExp(src, flags).test(text);
if (op === "start") return new RegExp(src, flags + "y").test(text);
if (op === "full") return new RegExp("(?:" + src + ")(?![\\\\s\\\\S])", flags + "y").test(text);
const re = new RegExp(src, flags + "g");
const out = [];
let m;
while ((m = re.exec(text)) !== null) {
  const groups = m.groups ? {} : null;
  if (groups) for (const k of Object.keys(m.groups)) groups[k] = m.groups[k] === undefined ? null : m.groups[k];
  out.push({ index: m.index, values: Array.from(m, (v) => (v === undefined ? null : v)), groups });
  if (op === "first") break;
  if (out.length > max) throw new Error("more than " + max + " matches");
  if (m[0] === "") {
    const c = text.charCodeAt(m.index);
    re.lastIndex = m.index + (c >= 0xd800 && c <= 0xdbff && m.index + 1 < text.length ? 2 : 1);
  }
}
return out;
`;

export interface SandboxRegexRun {
  sandbox: CodeSandbox;
  /** JavaScript RegExp source and flags (already translated from Python syntax). */
  source: string;
  flags: string;
  timeoutMs: number;
  maxMatches: number;
  signal?: AbortSignal;
  /** Explains a timeout: "the regular expression '...' uses a backreference (\1)". */
  describe: string;
}

export async function runInSandbox(run: SandboxRegexRun, op: SandboxOp, text: string): Promise<unknown> {
  try {
    const result = await run.sandbox.runJavaScript(
      { mode: "function", code: PROGRAM, globals: { __rx: { src: run.source, flags: run.flags, text, op, max: run.maxMatches } } },
      { timeoutMs: run.timeoutMs },
      run.signal,
    );
    if (result.error !== undefined) throw new Error(`${run.describe}, and matching it failed: ${result.error.split("\n")[0]}`);
    return result.value;
  } catch (err) {
    if (err instanceof SandboxLimitError && err.limit === "time") {
      throw new Error(
        `${run.describe}, which needs a backtracking engine, and matching it ran longer than ${run.timeoutMs / 1000} s and was stopped (likely catastrophic backtracking; simplify the pattern or avoid the construct so it runs in linear time)`,
      );
    }
    if (err instanceof SandboxLimitError && err.limit === "memory") throw new Error(`${run.describe}, and matching it used more memory than allowed`);
    throw err;
  }
}

/**
 * The JavaScript sandbox the nodetool.code nodes run user code in (EngineServices.code). The engine only
 * sees this interface; the host builds it around QuickJS compiled to WebAssembly (engine/code/quickjs.ts),
 * handing in the compiled .wasm module the way its runtime allows (workerd imports it as a module, Node
 * compiles it from the package file).
 *
 * What runs inside has no host access at all: no network, no files, no environment, no host objects. Inputs
 * go in as JSON, results come back as JSON, and console/process output is captured as text.
 */

/** How a piece of code is run. */
export interface JavaScriptRun {
  /** The source. In `script` mode a Node-style script; in `function` mode the body of an async function. */
  code: string;
  /**
   * `script`: run like `node -e code` (stdout/stderr/exit code matter; timers and promises run until no work
   * is left). `function`: the body of an async function whose return value (or, with `generator`, whose
   * yielded values) is the result.
   */
  mode: "script" | "function";
  /** function mode: the body is an async generator; the result is the array of yielded values. */
  generator?: boolean;
  /** Defined as global variables before the code runs (JSON values only). */
  globals?: Record<string, unknown>;
  /** What `process.stdin` and `require("fs").readFileSync(0)` deliver. */
  stdin?: string;
  /** function mode: a JSON object exposed as the global `state`; its final value comes back in `state`. */
  state?: Record<string, unknown>;
}

export interface JavaScriptLimits {
  /** Wall-clock limit in milliseconds (also enforced as an interpreter step budget, see quickjs.ts). */
  timeoutMs: number;
  /** Heap limit of the interpreter in bytes. */
  memoryBytes?: number;
}

export interface JavaScriptResult {
  /** function mode: the JSON result; script mode: undefined. */
  value?: unknown;
  /** function mode: the final `state`. */
  state?: Record<string, unknown>;
  /** An uncaught error (message with the interpreter's stack), or undefined when the code completed. */
  error?: string;
  stdout: string;
  stderr: string;
  /** script mode: 0, the code given to process.exit(), or 1 after an uncaught error. */
  exitCode: number;
}

/** Thrown when the code exceeded a limit or was cancelled; the message says which. */
export class SandboxLimitError extends Error {
  constructor(
    message: string,
    readonly limit: "time" | "memory" | "cancelled" | "output",
  ) {
    super(message);
    this.name = "SandboxLimitError";
  }
}

export interface CodeSandbox {
  /** Runs code in a fresh interpreter. Rejects with SandboxLimitError when a limit was hit. */
  runJavaScript(run: JavaScriptRun, limits: JavaScriptLimits, signal?: AbortSignal): Promise<JavaScriptResult>;
}

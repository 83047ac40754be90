import releaseSyncVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from "quickjs-emscripten-core";
import { CODE_NODE_PRELUDE, PRELUDE } from "./prelude";
import { SandboxLimitError, type CodeSandbox, type JavaScriptLimits, type JavaScriptResult, type JavaScriptRun } from "./sandbox";

export interface QuickJSSandboxOptions {
  /**
   * The compiled QuickJS .wasm (`@jitl/quickjs-wasmfile-release-sync`'s emscripten-module.wasm), or a loader.
   * workerd cannot compile WebAssembly from bytes at run time, so the Worker imports the file as a module;
   * Node compiles it from node_modules.
   */
  wasmModule: WebAssembly.Module | (() => Promise<WebAssembly.Module>);
  /** Upper bound for any run's time limit (ms). Default 30 s, the Workers CPU limit of one request. */
  maxTimeoutMs?: number;
  /** Heap limit when a run names none (bytes). Default 64 MiB. */
  defaultMemoryBytes?: number;
  /**
   * Interpreter step budget per second of time limit, counted in QuickJS interrupt checks (one check per
   * ~10,000 function calls or loop iterations). Deployed Workers freeze Date.now() while code runs, so the
   * wall-clock deadline alone cannot stop a busy loop there; this budget always can. Default 20,000: a
   * plain busy loop makes roughly 10,000-40,000 checks a second, allocation-heavy code fewer.
   */
  stepsPerSecond?: number;
  /** Captured stdout and stderr are each cut after this many characters. Default 1 MiB. */
  maxOutputChars?: number;
  /** Clock for the wall-clock deadline; injectable for tests. */
  now?: () => number;
}

const DEFAULT_MAX_TIMEOUT_MS = 30_000;
const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;
const MAX_STACK_BYTES = 512 * 1024;
const DEFAULT_STEPS_PER_SECOND = 20_000;
const DEFAULT_MAX_OUTPUT = 1024 * 1024;
/** After this many timer ticks the run gives the host's event loop a turn, so that other work proceeds. */
const TICKS_PER_TURN = 64;

class Output {
  private parts: string[] = [];
  private size = 0;
  private cut = false;
  constructor(private readonly max: number) {}
  push(text: string): void {
    if (this.cut) return;
    if (this.size + text.length > this.max) {
      this.parts.push(text.slice(0, this.max - this.size), `\n[output cut at ${this.max} characters]\n`);
      this.cut = true;
      return;
    }
    this.parts.push(text);
    this.size += text.length;
  }
  text(): string {
    return this.parts.join("");
  }
}

/** `Name: message` plus the interpreter's stack, from an error thrown inside the sandbox. */
function describeError(ctx: QuickJSContext, handle: QuickJSHandle): string {
  const dumped = ctx.dump(handle) as unknown;
  if (dumped && typeof dumped === "object") {
    const e = dumped as { name?: unknown; message?: unknown; stack?: unknown };
    const head = `${typeof e.name === "string" ? e.name : "Error"}: ${typeof e.message === "string" ? e.message : String(e.message)}`;
    return typeof e.stack === "string" && e.stack.trim() !== "" ? `${head}\n${e.stack.replace(/\n$/, "")}` : head;
  }
  return `Uncaught ${typeof dumped === "string" ? dumped : JSON.stringify(dumped)}`;
}

function wrapFunction(code: string, generator: boolean): string {
  const fn = generator ? `async function* () {\n${code}\n}` : `async function () {\n${code}\n}`;
  const collect = generator
    ? "async function () { const items = []; for await (const item of __nt_fn()) items.push(item); return items; }"
    : "__nt_fn";
  return `(function () {
  const __nt_fn = ${fn};
  const __nt_collect = ${collect};
  __nt_collect().then(function (v) {
    try { globalThis.__nt_out = JSON.stringify({ v: v === undefined ? null : v, s: globalThis.state }); }
    catch (e) { globalThis.__nt_err = "the result cannot be turned into JSON: " + (e && e.message); }
  }, function (e) {
    globalThis.__nt_err = e instanceof Error ? e.name + ": " + e.message + (e.stack ? "\\n" + e.stack.replace(/\\n$/, "") : "") : "Uncaught " + String(e);
  });
})();`;
}

/**
 * A CodeSandbox over QuickJS in WebAssembly. Every run gets a fresh runtime with its own heap limit, stack
 * limit and interrupt handler, so runs share nothing but the compiled module.
 */
export function createQuickJSSandbox(options: QuickJSSandboxOptions): CodeSandbox {
  const maxTimeoutMs = options.maxTimeoutMs ?? DEFAULT_MAX_TIMEOUT_MS;
  const stepsPerSecond = options.stepsPerSecond ?? DEFAULT_STEPS_PER_SECOND;
  const maxOutput = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT;
  const now = options.now ?? (() => Date.now());
  let loading: Promise<QuickJSWASMModule> | undefined;
  const engine = () => {
    loading ??= newQuickJSWASMModuleFromVariant(newVariant(releaseSyncVariant, { wasmModule: options.wasmModule }));
    return loading;
  };

  return {
    async runJavaScript(run: JavaScriptRun, limits: JavaScriptLimits, signal?: AbortSignal): Promise<JavaScriptResult> {
      const loaded = engine();
      const qjs = await loaded;
      const timeoutMs = Math.max(1, Math.min(Number.isFinite(limits.timeoutMs) && limits.timeoutMs > 0 ? limits.timeoutMs : maxTimeoutMs, maxTimeoutMs));
      const seconds = timeoutMs / 1000;
      const deadline = now() + timeoutMs;
      const stepBudget = Math.max(1, Math.ceil(seconds * stepsPerSecond));
      const stdout = new Output(maxOutput);
      const stderr = new Output(maxOutput);
      let steps = 0;
      let exitCode: number | undefined;
      let stop: SandboxLimitError | undefined;
      const overTime = (): boolean => {
        if (stop) return true;
        if (signal?.aborted) stop = new SandboxLimitError("the run was cancelled", "cancelled");
        else if (++steps > stepBudget || now() > deadline) stop = new SandboxLimitError(`the code ran longer than its time limit of ${seconds} s and was stopped`, "time");
        return stop !== undefined;
      };

      const rt: QuickJSRuntime = qjs.newRuntime();
      rt.setMemoryLimit(limits.memoryBytes ?? options.defaultMemoryBytes ?? DEFAULT_MEMORY_BYTES);
      rt.setMaxStackSize(MAX_STACK_BYTES);
      rt.setInterruptHandler(() => exitCode !== undefined || overTime());
      const ctx = rt.newContext();
      let uncaught: string | undefined;
      // An error handle from the interpreter: a limit or process.exit() explains it; otherwise it is the code's own.
      const failed = (handle: QuickJSHandle): void => {
        const text = describeError(ctx, handle);
        handle.dispose();
        if (stop || exitCode !== undefined) return;
        if (/out of memory/i.test(text)) {
          stop = new SandboxLimitError(`the code used more memory than its limit of ${Math.round((limits.memoryBytes ?? options.defaultMemoryBytes ?? DEFAULT_MEMORY_BYTES) / 1048576)} MiB`, "memory");
          return;
        }
        uncaught ??= text;
      };
      const evaluate = (source: string, file: string): boolean => {
        const result = ctx.evalCode(source, file);
        if (result.error) {
          failed(result.error);
          return false;
        }
        result.value.dispose();
        return true;
      };
      const setString = (name: string, value: string): void => {
        const h = ctx.newString(value);
        ctx.setProp(ctx.global, name, h);
        h.dispose();
      };
      const readGlobal = (name: string): string | undefined => {
        const h = ctx.getProp(ctx.global, name);
        const v = ctx.typeof(h) === "string" ? ctx.getString(h) : undefined;
        h.dispose();
        return v;
      };

      try {
        const write = ctx.newFunction("__nt_write", (fd, text) => {
          (ctx.getNumber(fd) === 2 ? stderr : stdout).push(ctx.getString(text));
        });
        ctx.setProp(ctx.global, "__nt_write", write);
        write.dispose();
        const exit = ctx.newFunction("__nt_exit", (code) => {
          exitCode ??= ctx.getNumber(code);
        });
        ctx.setProp(ctx.global, "__nt_exit", exit);
        exit.dispose();
        setString("__nt_stdin", run.stdin ?? "");
        setString("__nt_globals", JSON.stringify(run.globals ?? {}));
        setString("__nt_state", JSON.stringify(run.state ?? {}));
        const ready =
          evaluate(PRELUDE, "prelude.js") &&
          (run.mode !== "function" || evaluate(CODE_NODE_PRELUDE, "prelude.js")) &&
          evaluate(
            `Object.assign(globalThis, JSON.parse(globalThis.__nt_globals)); ${run.mode === "function" ? "globalThis.state = JSON.parse(globalThis.__nt_state);" : ""} delete globalThis.__nt_globals; delete globalThis.__nt_state;`,
            "inputs.js",
          );
        if (!ready && !stop) throw new Error(`the sandbox could not be prepared: ${uncaught ?? "unknown error"}`);

        const source = run.mode === "function" ? wrapFunction(run.code, run.generator ?? false) : run.code;
        let alive = evaluate(source, run.mode === "function" ? "code.js" : "[eval]");
        let ticks = 0;
        const settled = () => run.mode === "function" && (readGlobal("__nt_out") !== undefined || readGlobal("__nt_err") !== undefined);
        while (alive && !stop && exitCode === undefined && uncaught === undefined) {
          const jobs = rt.executePendingJobs();
          if (jobs.error) {
            failed(jobs.error);
            break;
          }
          if (settled()) break;
          if (rt.hasPendingJob()) {
            if (overTime()) break;
            continue;
          }
          const tick = ctx.getProp(ctx.global, "__nt_tick");
          const fired = ctx.callFunction(tick, ctx.undefined);
          tick.dispose();
          if (fired.error) {
            failed(fired.error);
            break;
          }
          alive = ctx.dump(fired.value) === true;
          fired.value.dispose();
          if (overTime()) break;
          if (++ticks % TICKS_PER_TURN === 0) await new Promise<void>((resolve) => setTimeout(resolve, 0));
        }
        if (stop) throw stop;

        if (run.mode === "script") {
          if (uncaught !== undefined) stderr.push(`Uncaught ${uncaught}\n`);
          return { stdout: stdout.text(), stderr: stderr.text(), exitCode: exitCode ?? (uncaught !== undefined ? 1 : 0) };
        }
        const out = readGlobal("__nt_out");
        const err = uncaught ?? readGlobal("__nt_err");
        if (out !== undefined && err === undefined) {
          const parsed = JSON.parse(out) as { v: unknown; s?: Record<string, unknown> };
          return { value: parsed.v, state: parsed.s, stdout: stdout.text(), stderr: stderr.text(), exitCode: 0 };
        }
        const error = err ?? (exitCode !== undefined ? `process.exit(${exitCode}) was called` : "the code's promise never settled (it waits for something that never happens)");
        return { error, stdout: stdout.text(), stderr: stderr.text(), exitCode: exitCode ?? 1 };
      } finally {
        // A run stopped by a limit may leave the interpreter mid-operation, and QuickJS then aborts the whole
        // WebAssembly instance when the runtime is freed: such an instance is dropped undisposed instead (the
        // garbage collector reclaims it) and the next run instantiates a fresh one.
        let dropped = stop !== undefined;
        if (!dropped) {
          try {
            ctx.dispose();
            rt.dispose();
          } catch {
            dropped = true;
          }
        }
        if (dropped && loading === loaded) loading = undefined;
      }
    },
  };
}

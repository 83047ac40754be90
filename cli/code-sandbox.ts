import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createQuickJSSandbox } from "../engine/code/quickjs";
import type { CodeSandbox } from "../engine/code/sandbox";

const require = createRequire(import.meta.url);

// The project's types are the Workers' ones, where WebAssembly.Module cannot be constructed; Node can.
const WasmModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;

let shared: CodeSandbox | undefined;
let compiled: Promise<WebAssembly.Module> | undefined;

/** QuickJS's .wasm from node_modules, compiled once per process. */
export function quickJSWasmModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm")).then((bytes) => new WasmModule(bytes));
  return compiled;
}

/**
 * The code nodes' sandbox in Node (CLI, local runs, tests): QuickJS compiled from the package's .wasm file.
 * The Worker gets the same sandbox around its imported module (edge/code/sandbox.ts).
 */
export function nodeCodeSandbox(): CodeSandbox {
  shared ??= createQuickJSSandbox({ wasmModule: quickJSWasmModule });
  return shared;
}

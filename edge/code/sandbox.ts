import quickjsWasm from "../../node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm";
import { createQuickJSSandbox } from "../../engine/code/quickjs";
import type { CodeSandbox } from "../../engine/code/sandbox";

let shared: CodeSandbox | undefined;

/**
 * The code nodes' sandbox in the Worker: QuickJS around the .wasm that the bundle imports as a compiled
 * module (the package's own loader would compile it from bytes, which workerd forbids). One per isolate;
 * every run still gets a fresh interpreter.
 */
export function workerCodeSandbox(): CodeSandbox {
  shared ??= createQuickJSSandbox({ wasmModule: quickjsWasm });
  return shared;
}

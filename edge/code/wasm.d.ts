// A .wasm import is a compiled WebAssembly.Module in workerd (wrangler's CompiledWasm module rule) and in the
// workerd test pool; workerd cannot compile WebAssembly from bytes at run time.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

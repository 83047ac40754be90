// Worker threads start from plain JavaScript: this registers tsx's loader in the worker, then imports the
// TypeScript worker. It works the same whether the runner runs under `node --import tsx` or inside vitest,
// whose own transform does not reach worker threads.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");

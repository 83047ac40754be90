import type { Env } from "./config/env";

/** Hono's type parameters for this app: Worker bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: { userId: string };
}

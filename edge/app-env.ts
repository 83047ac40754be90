import type { Principal } from "./auth/authenticate";
import type { Env } from "./config/env";

/** Hono's type parameters for this app: Worker bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  /** `principal`: the caller and the API key they used, if any (edge/auth/middleware.ts). */
  Variables: { userId: string; principal: Principal };
}

import { getConfig, type Limits } from "../config/config";
import type { Env } from "../config/env";

export type { Limits } from "../config/config";

/** The request bounds of this env (docs/configuration.md), read once per isolate with the other settings. */
export function getLimits(env: Env): Limits {
  return getConfig(env).limits;
}

import { getConfig, type StorageConfig } from "../config/config";
import type { Env } from "../config/env";

export type { StorageConfig } from "../config/config";

/** Settings of storage and media (docs/configuration.md), read once per isolate with the other settings. */
export function getStorageConfig(env: Env): StorageConfig {
  return getConfig(env).storage;
}

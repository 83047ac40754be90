import { scratchDir } from "../fixtures/scratch";
// @ts-expect-error: plain ESM helper shared with npm start, without type declarations
import { applyLocalMigrations, startBundledEdge, startLocalEdge } from "../../scripts/local-edge.mjs";

/** A fresh local state directory with the D1 migrations applied, shared by the workers a test file starts. */
export function migratedStateDir(): string {
  const dir = scratchDir("state-");
  applyLocalMigrations(dir);
  return dir;
}

export interface LocalEdge {
  url: string;
  stop(): Promise<void>;
}

/** Starts the Worker on `port` (0: any free port). */
export function startEdge(persistTo: string, vars: Record<string, string>, port = 0): Promise<LocalEdge> {
  return startLocalEdge({ persistTo, vars, port });
}

/**
 * The Worker as `wrangler deploy` bundles it, served by workerd on its own socket: no wrangler dev proxy (a
 * second workerd that copies every byte) in front. For tests that move hundreds of MiB.
 */
export function startDeployedBundle(persistTo: string, vars: Record<string, string>): Promise<LocalEdge> {
  return startBundledEdge({ persistTo, vars });
}

import { z } from "zod";
import { entries, type EnvOf, positiveNumber, positiveWholeNumber, readSettings, type SettingsOf, type SettingsShape } from "../config/env-settings";
import type { AllowedHosts } from "./remote";

/** Settings of the web nodes' outbound HTTP (README "Configuration"). */
export interface FetchSettings {
  /** `host:port` pairs that skip the private-address check (FETCH_ALLOW_HOSTS). */
  allowed: AllowedHosts;
  /** Largest response body read (bytes); larger ones fail while streaming. */
  maxBytes: number;
  /** Longest a request may take, redirects and body included (milliseconds). */
  timeoutMs: number;
  problems: string[];
}

/** The env settings outbound HTTP reads; a plain object, so the CLI passes `process.env` as it is. */
export type FetchEnv = EnvOf<typeof FETCH_SETTINGS>;

export const DEFAULT_FETCH_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_FETCH_TIMEOUT_SECONDS = 30;

/**
 * A FETCH_ALLOW_HOSTS entry: `host:port`, IPv6 hosts in brackets (`[::1]:8080`). The port is required, so
 * allowing a private service never opens every port of its host. Entries that do not parse are reported and
 * left out (the guard stays stricter, never looser).
 */
const AllowedHostEntry = z.string().transform((entry, ctx) => {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]@]+):(\d{1,5})$/.exec(entry);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    ctx.addIssue({ code: "custom", message: `FETCH_ALLOW_HOSTS: '${entry}' is not host:port; left out` });
    return z.NEVER;
  }
  try {
    // The URL parser normalises the host exactly as it will appear in a request's URL (case, IPv6 form).
    return `${new URL(`http://${m[1]}/`).hostname}:${port}`;
  } catch {
    ctx.addIssue({ code: "custom", message: `FETCH_ALLOW_HOSTS: '${entry}' is not a valid host; left out` });
    return z.NEVER;
  }
});

/** The variables of outbound HTTP (README "Configuration"); the Worker's settings schema includes them. */
export const FETCH_SETTINGS = {
  FETCH_ALLOW_HOSTS: entries(AllowedHostEntry),
  FETCH_MAX_BYTES: positiveWholeNumber(DEFAULT_FETCH_MAX_BYTES),
  FETCH_TIMEOUT_SECONDS: positiveNumber(DEFAULT_FETCH_TIMEOUT_SECONDS),
} satisfies SettingsShape;

export function parseAllowedHosts(raw: string | undefined, problems: string[] = []): Set<string> {
  return new Set(FETCH_SETTINGS.FETCH_ALLOW_HOSTS.read("FETCH_ALLOW_HOSTS", raw, problems));
}

/** The settings from variables already read (the Worker's schema reads them with the rest). */
export function fetchSettingsFrom(values: SettingsOf<typeof FETCH_SETTINGS>, problems: string[]): FetchSettings {
  return { allowed: new Set(values.FETCH_ALLOW_HOSTS), maxBytes: values.FETCH_MAX_BYTES, timeoutMs: values.FETCH_TIMEOUT_SECONDS * 1000, problems };
}

export function parseFetchSettings(env: FetchEnv): FetchSettings {
  const values = readSettings(FETCH_SETTINGS, env);
  return fetchSettingsFrom(values, values.problems);
}

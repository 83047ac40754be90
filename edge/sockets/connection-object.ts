import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";

/** Placeholder until the WebSocket protocol lands: one object per client connection. */
export class ConnectionObject extends DurableObject<Env> {}

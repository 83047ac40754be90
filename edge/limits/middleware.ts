import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { isModelUpload } from "../models/routes";
import { isStreamingUpload } from "../storage/routes";
import { readLimitedBody, refuseWhileDraining } from "./body";
import { getLimits } from "./config";
import { depthError, graphSizeError } from "./check";
import { jsonDepth } from "./json";

/** Requests already checked: the chat routes are mounted in the app too, and are checked only once. */
const checked = new WeakSet<Request>();

/**
 * The request bounds, ahead of every route: MAX_BODY_BYTES, then for JSON bodies MAX_JSON_DEPTH and the graph
 * size (MAX_GRAPH_NODES, MAX_GRAPH_EDGES). `refuse` writes the error in the routes' own shape. Storage PUTs and
 * asset uploads stream to R2 under MAX_UPLOAD_BYTES (edge/storage), model uploads under MAX_MODEL_BYTES.
 */
export function requestLimits(refuse: (err: ApiError) => Response): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body || checked.has(raw)) return next();
    if (isStreamingUpload(c.req.method, c.req.path) || isModelUpload(c.req.method, c.req.path)) return next();
    const limits = getLimits(c.env);
    const read = await readLimitedBody(raw, limits.maxBodyBytes);
    if (!read.ok) {
      const err = new ApiError("payload_too_large", `Request body is larger than ${limits.maxBodyBytes} bytes (MAX_BODY_BYTES)`);
      return refuseWhileDraining(refuse(err), read.rest);
    }
    checked.add(read.request);
    c.req.raw = read.request;
    if (read.bytes && /json/i.test(c.req.header("content-type") ?? "")) {
      const problem = jsonProblem(read.bytes, limits, c.req.raw);
      if (problem) return refuse(problem);
    }
    return next();
  };
}

function jsonProblem(bytes: Uint8Array, limits: ReturnType<typeof getLimits>, request: Request): ApiError | null {
  const depth = jsonDepth(bytes, limits.maxJsonDepth);
  if (depth > limits.maxJsonDepth) return depthError(limits);
  // Only bodies that may carry a graph are parsed here; the route parses its own body as usual.
  if (!mayCarryGraph(request.method, new URL(request.url).pathname)) return null;
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null; // malformed: the route's validator answers it
  }
  return graphSizeError(body, limits);
}

/** Routes whose bodies are workflows or graphs. */
function mayCarryGraph(method: string, path: string): boolean {
  if (method !== "POST" && method !== "PUT") return false;
  return path.startsWith("/api/workflows") || path.startsWith("/api/graph/") || path.startsWith("/workflows");
}

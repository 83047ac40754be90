import { ApiError } from "../errors/api-error";
import type { Limits } from "./config";
import { graphSize, valueDepth } from "./json";

/** MAX_JSON_DEPTH's refusal, in the same words for an HTTP body and a WebSocket command. */
export function depthError(limits: Limits): ApiError {
  return new ApiError("invalid_request", `JSON body is nested deeper than ${limits.maxJsonDepth} levels (MAX_JSON_DEPTH)`);
}

/** MAX_GRAPH_NODES / MAX_GRAPH_EDGES: the refusal of a body carrying a larger graph, or null. */
export function graphSizeError(body: unknown, limits: Limits): ApiError | null {
  const size = graphSize(body);
  if (size && size.nodes > limits.maxGraphNodes) {
    return new ApiError("payload_too_large", `The graph has ${size.nodes} nodes; at most ${limits.maxGraphNodes} are allowed (MAX_GRAPH_NODES)`);
  }
  if (size && size.edges > limits.maxGraphEdges) {
    return new ApiError("payload_too_large", `The graph has ${size.edges} edges; at most ${limits.maxGraphEdges} are allowed (MAX_GRAPH_EDGES)`);
  }
  return null;
}

/**
 * The bounds of a WebSocket command's `data`, checked as an HTTP route checks its body (edge/limits/middleware.ts):
 * `data` is the body's equivalent, so its nesting counts from 1, and a `run_job` graph is held to the graph limits.
 * Throws the same ApiError the HTTP route would answer with.
 */
export function checkCommandData(command: string, data: unknown, limits: Limits): void {
  if (valueDepth(data, limits.maxJsonDepth) > limits.maxJsonDepth) throw depthError(limits);
  if (command === "run_job") {
    const error = graphSizeError(data, limits);
    if (error) throw error;
  }
}

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  CaptureIndexSchema,
  CapturedValueSchema,
  StateListSchema,
  StateResetRequestSchema,
  StateResetResponseSchema,
  StepsIndexSchema,
} from "../../schema/execution";
import type { AppEnv } from "../app-env";
import { validationHook } from "../openapi/hook";
import { commonErrors, error, notFoundError } from "../openapi/responses";
import { capturedValue, deleteCapture, gradIndex, NO_GRADIENTS, ownedCapture, stepsIndex } from "./outputs";
import { listState, resetState } from "./state";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const pathParam = (name: string) => z.string().min(1).max(200).openapi({ param: { name, in: "path" } });
const RunParam = z.object({ run_id: pathParam("run_id") });
const NodeParam = z.object({ run_id: pathParam("run_id"), node_id: pathParam("node_id") });
const PortParam = z.object({ run_id: pathParam("run_id"), node_id: pathParam("node_id"), port: pathParam("port") });
const runningError = { 409: error("The run has not ended yet; its capture is listed once it ends") } as const;

const listOutputs = createRoute({
  method: "get",
  path: "/api/execution/outputs/{run_id}",
  tags: ["execution"],
  summary: "What a run started with `record_outputs: true` captured, by node output port",
  request: { params: RunParam },
  responses: { 200: json(CaptureIndexSchema, "The capture index"), ...notFoundError, ...runningError, ...commonErrors },
});

const deleteOutputs = createRoute({
  method: "delete",
  path: "/api/execution/outputs/{run_id}",
  tags: ["execution"],
  summary: "Free a run's captured outputs",
  request: { params: RunParam },
  responses: { 200: json(z.object({ run_id: z.string(), deleted: z.number().int() }), "How many objects were deleted"), ...notFoundError, ...commonErrors },
});

const steps = createRoute({
  method: "get",
  path: "/api/execution/outputs/{run_id}/{node_id}/__steps_index",
  tags: ["execution"],
  summary: "Every item the node's output ports emitted during the run (seq, time, shape), in emission order",
  request: { params: NodeParam },
  responses: { 200: json(StepsIndexSchema, "The node's step trace"), ...notFoundError, ...runningError, ...commonErrors },
});

const grads = createRoute({
  method: "get",
  path: "/api/execution/outputs/{run_id}/{node_id}/__grad_index",
  tags: ["execution"],
  summary: "Captured gradients: always a 404, since runs here are inference only",
  description: NO_GRADIENTS,
  request: { params: NodeParam },
  responses: { ...notFoundError, ...runningError, ...commonErrors },
});

const value = createRoute({
  method: "get",
  path: "/api/execution/outputs/{run_id}/{node_id}/{port}",
  tags: ["execution"],
  summary: "One captured value of a port, whole or sliced with NumPy's basic slice syntax (`?slice=0,:,1:3`)",
  description:
    "`seq` picks the port's item (0 the first, -1 the last; the last by default, which for a non-streaming port is its only one). `slice` applies to tensors, NPArrays and nested lists of numbers: integers (negative from the end), `start:stop:step` and `...`, comma-separated; a bad slice, or a slice of a value that is not an array, is a 422.",
  request: { params: PortParam, query: z.object({ slice: z.string().max(1024).optional(), seq: z.string().max(16).optional() }) },
  responses: { 200: json(CapturedValueSchema, "The value"), ...notFoundError, ...runningError, ...commonErrors },
});

const stateList = createRoute({
  method: "get",
  path: "/api/execution/state/list",
  tags: ["execution"],
  summary: "What the system keeps across runs: model sessions on the runners, the caller's presets and run captures",
  responses: { 200: json(StateListSchema, "The state entries, each saying whether it can be reset"), ...commonErrors },
});

const stateReset = createRoute({
  method: "post",
  path: "/api/execution/state/reset",
  tags: ["execution"],
  summary: "Reset per graph (`workflow_id` or `run_id`) or per node (`node_id`) what can be reset",
  request: { body: { required: true, content: { "application/json": { schema: StateResetRequestSchema } } } },
  responses: { 200: json(StateResetResponseSchema, "What was reset, and what cannot be and why"), ...commonErrors },
});

export function executionRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(listOutputs, async (c) => c.json(await ownedCapture(c.env, c.get("userId"), c.req.valid("param").run_id), 200));
  app.openapi(deleteOutputs, async (c) => c.json(await deleteCapture(c.env, c.get("userId"), c.req.valid("param").run_id), 200));
  // Registered before the port route, which would otherwise take `__steps_index` for a port name.
  app.openapi(steps, async (c) => {
    const { run_id, node_id } = c.req.valid("param");
    return c.json(stepsIndex(await ownedCapture(c.env, c.get("userId"), run_id), node_id), 200);
  });
  app.openapi(grads, async (c) => {
    const { run_id, node_id } = c.req.valid("param");
    return gradIndex(await ownedCapture(c.env, c.get("userId"), run_id), node_id);
  });
  app.openapi(value, async (c) => {
    const { run_id, node_id, port } = c.req.valid("param");
    const { slice, seq } = c.req.valid("query");
    const userId = c.get("userId");
    return c.json(await capturedValue(c.env, userId, await ownedCapture(c.env, userId, run_id), node_id, port, seq, slice), 200);
  });
  app.openapi(stateList, async (c) => c.json(await listState(c.env, c.get("userId")), 200));
  app.openapi(stateReset, async (c) => c.json(await resetState(c.env, c.get("userId"), c.req.valid("json")), 200));
  return app;
}

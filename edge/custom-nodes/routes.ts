import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { CustomNodeDeclarationSchema, CustomNodeListSchema, CustomNodeSchema, CustomNodeToggleSchema } from "../../schema/custom-nodes";
import type { AppEnv } from "../app-env";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { manifestKey } from "../models/keys";
import { receiveModelUpload } from "../models/upload";
import { validationHook } from "../openapi/hook";
import { commonErrors, error, notFoundError } from "../openapi/responses";
import { customNodeStore, nameFromModel, saveCustomNode } from "./service";
import { customNameOf } from "./store";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const FilenameParam = z.object({
  filename: z.string().min(1).max(200).openapi({ param: { name: "filename", in: "path" }, description: "The node's filename (`<name>.onnx` / `<name>.json`), name or type.", example: "classifier.onnx" }),
});
const UPLOAD_PATHS = ["/api/custom-nodes/upload", "/api/custom-nodes/upload/"];

const listCustomNodes = createRoute({
  method: "get",
  path: "/api/custom-nodes",
  tags: ["custom-nodes"],
  summary: "The caller's custom nodes (node types `custom.<name>` made from uploaded ONNX models), enabled or not",
  responses: { 200: json(CustomNodeListSchema, "Every custom node of the caller, by name"), ...commonErrors },
});

const toggleCustomNode = createRoute({
  method: "post",
  path: "/api/custom-nodes/toggle",
  tags: ["custom-nodes"],
  summary: "Enable or disable a custom node (a disabled one is not in the catalog, and a graph using it is a 422 at save and run)",
  request: { body: { required: true, content: { "application/json": { schema: CustomNodeToggleSchema } } } },
  responses: { 200: json(CustomNodeSchema, "The custom node, in its new state"), ...notFoundError, ...commonErrors },
});

const deleteCustomNode = createRoute({
  method: "delete",
  path: "/api/custom-nodes/{filename}",
  tags: ["custom-nodes"],
  summary: "Delete a custom node (its model stays among your models; graphs using the node then fail validation)",
  request: { params: FilenameParam },
  responses: { 204: { description: "Deleted" }, ...notFoundError, ...commonErrors },
});

function nameParam(raw: string): string {
  const name = customNameOf(raw);
  if (name === null) throw ApiError.notFound(`Custom node '${raw.slice(0, 200)}'`);
  return name;
}

/** A declaration is small; bounded here too, since the route may stream outside the app's body limit. */
const MAX_DECLARATION_BYTES = 1024 * 1024;

async function boundedText(request: Request, max: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new ApiError("payload_too_large", `A custom node declaration is at most ${max} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) all.set(c, (at += c.length) - c.length);
  return new TextDecoder().decode(all);
}

/** `POST /api/custom-nodes/upload` with a JSON declaration: a node over an already uploaded model. */
async function fromDeclaration(env: Env, request: Request, userId: string) {
  let body: unknown;
  const text = await boundedText(request, MAX_DECLARATION_BYTES);
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError("invalid_request", "Malformed JSON body");
  }
  const parsed = CustomNodeDeclarationSchema.safeParse(body);
  if (!parsed.success) validationHook({ success: false, error: parsed.error, target: "json" });
  const decl = parsed.data!;
  const existing = await customNodeStore(env, userId).get(decl.name);
  if (existing && decl.replace !== true) throw new ApiError("conflict", `A custom node named '${decl.name}' exists; send "replace": true to replace it`);
  const node = await saveCustomNode(env, userId, { ...decl, source: "declaration" }, existing);
  return { node, replaced: existing !== null };
}

/** `POST /api/custom-nodes/upload` with a model file: stored as a model (edge/models/upload.ts), then made a node. */
async function fromModelFile(env: Env, request: Request, userId: string) {
  const url = new URL(request.url);
  const requested = url.searchParams.get("node_name");
  if (requested !== null && customNameOf(requested) !== requested) {
    throw new ApiError("invalid_request", "node_name must be 1-64 letters, digits, '_' or '-' (not starting with '-')");
  }
  const { model, replaced } = await receiveModelUpload(env, request, userId);
  const name = requested ?? nameFromModel(model.name);
  const existing = await customNodeStore(env, userId).get(name);
  try {
    const node = await saveCustomNode(env, userId, { name, model: model.name, source: "onnx" }, existing);
    return { node, replaced: existing !== null };
  } catch (err) {
    // A file that passed the upload's check but whose graph cannot be a node: nothing new is left behind.
    if (!replaced && err instanceof ApiError && err.status === 422) {
      const key = manifestKey(userId, model.name);
      const head = await env.STORAGE.head(key);
      await env.STORAGE.delete(key);
      const file = head?.customMetadata?.file;
      if (file) await env.STORAGE.delete(file);
    }
    throw err;
  }
}

/** The caller's custom nodes, stored in R2 below their own owner segment (edge/custom-nodes/store.ts). */
export function customNodeRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(listCustomNodes, async (c) => {
    const nodes = await customNodeStore(c.env, c.get("userId")).all();
    return c.json({ custom_nodes: nodes, count: nodes.length }, 200);
  });

  // The upload streams a model file: a zod body validator would buffer it, so it is a plain handler, documented below.
  for (const path of UPLOAD_PATHS) {
    app.post(path, async (c) => {
      const userId = c.get("userId");
      const isJson = /^\s*application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(c.req.header("Content-Type") ?? "");
      const { node, replaced } = isJson ? await fromDeclaration(c.env, c.req.raw, userId) : await fromModelFile(c.env, c.req.raw, userId);
      return c.json(node, replaced ? 200 : 201);
    });
  }

  app.openapi(toggleCustomNode, async (c) => {
    const req = c.req.valid("json");
    const name = nameParam(req.name);
    const store = customNodeStore(c.env, c.get("userId"));
    const node = await store.get(name);
    if (!node) throw ApiError.notFound(`Custom node '${req.name}'`);
    const updated = { ...node, enabled: req.enabled ?? !node.enabled, updated_at: new Date().toISOString() };
    await store.put(updated);
    return c.json(updated, 200);
  });

  app.openapi(deleteCustomNode, async (c) => {
    const { filename } = c.req.valid("param");
    if (!(await customNodeStore(c.env, c.get("userId")).delete(nameParam(filename)))) throw ApiError.notFound(`Custom node '${filename}'`);
    return c.body(null, 204);
  });

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/api/custom-nodes/upload",
    tags: ["custom-nodes"],
    summary: "Make a custom node `custom.<name>` from an ONNX model file, or from a declaration naming an uploaded model",
    description:
      "A model file is sent as to POST /api/models/upload (`multipart/form-data` with a `file` part and an optional `name`, or `application/octet-stream` with `?name=`): it is stored among your models and checked, then its graph inputs and outputs (names, element types, shapes) become the node's properties and outputs. The node's name is `?node_name=`, else the model name's last segment without `.onnx`; an upload replaces a node of that name. An `application/json` body is a declaration: `name`, `model` (an uploaded model) and optional `preprocess` / `postprocess` steps per port from a fixed set (scale, normalize, clip, transpose, reshape, unsqueeze, squeeze, softmax, sigmoid, argmax, cast); an existing name is a 409 unless `replace` is true. Nothing uploaded is executed as code: the node runs as Prepare Tensors -> Run ONNX Model -> Finish Tensors.",
    request: {
      query: z.object({
        name: z.string().optional().openapi({ description: "The model's name (file uploads)" }),
        node_name: z.string().optional().openapi({ description: "The custom node's name (file uploads)" }),
      }),
      body: {
        required: true,
        content: {
          "application/json": { schema: CustomNodeDeclarationSchema },
          "multipart/form-data": { schema: z.object({ file: z.string().openapi({ format: "binary" }), name: z.string().optional() }) },
          "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
    },
    responses: {
      ...commonErrors,
      200: json(CustomNodeSchema, "Replaced a custom node of that name"),
      201: json(CustomNodeSchema, "Created"),
      400: error("Malformed JSON or multipart, no file, an invalid name"),
      409: error("A custom node of this name exists (declarations: send `replace: true`), or too many custom nodes"),
      413: error("The model is larger than MAX_MODEL_BYTES"),
      422: error("Not an ONNX model, a graph whose ports cannot be tensors, an unknown model, steps naming no port, an invalid declaration"),
    },
  });
  return app;
}

/** The file upload streams under MAX_MODEL_BYTES, like the model upload route (edge/limits). */
export function isCustomNodeUpload(method: string, path: string): boolean {
  return method === "POST" && UPLOAD_PATHS.includes(path);
}

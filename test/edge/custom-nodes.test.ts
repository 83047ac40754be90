import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { addMulModel, doubleInt64Model, linearModel } from "../fixtures/onnx-models";
import { call, errorOf, tokenFor, worker } from "./users";

type Port = { name: string; dtype: string; shape: (number | string | null)[] | null };
type CustomNode = { name: string; filename: string; node_type: string; source: string; model: string; enabled: boolean; inputs: Port[]; outputs: Port[]; preprocess: Record<string, unknown[]> };
type CatalogNode = { type: string; namespace: string; properties: { name: string; type: string; required: boolean }[]; outputs: { name: string }[]; runs_on: string };

let counter = 0;
const freshUser = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}`;

async function raw(user: string | null, path: string, bytes: Uint8Array, contentType = "application/octet-stream"): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": contentType };
  if (user !== null) headers.Authorization = `Bearer ${await tokenFor(user)}`;
  return worker().fetch(`https://edge.test${path}`, { method: "POST", headers, body: bytes });
}

async function uploadNode(user: string, model: string, bytes: Uint8Array, status = 201, extra = ""): Promise<CustomNode> {
  const res = await raw(user, `/api/custom-nodes/upload?name=${encodeURIComponent(model)}${extra}`, bytes);
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as CustomNode;
}

async function uploadModel(user: string, name: string, bytes: Uint8Array): Promise<void> {
  const res = await raw(user, `/api/models/upload?name=${encodeURIComponent(name)}`, bytes);
  expect(res.status, await res.clone().text()).toBe(201);
}

async function catalog(user: string): Promise<CatalogNode[]> {
  const res = await call(user, "GET", "/api/nodes?namespace=custom");
  expect(res.status).toBe(200);
  return ((await res.json()) as { nodes: CatalogNode[] }).nodes;
}

/** A graph using `custom.<name>` between a constant and an output. */
function usingGraph(type: string, input = "x", output = "y") {
  return {
    nodes: [
      { id: "c", type: "nodetool.constant.List", data: { value: [[1, 2, 3]] } },
      { id: "n", type, data: {} },
      { id: "o", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    edges: [
      { id: "e1", source: "c", sourceHandle: "output", target: "n", targetHandle: input },
      { id: "e2", source: "n", sourceHandle: output, target: "o", targetHandle: "value" },
    ],
  };
}

describe("custom nodes", () => {
  it("refuse every route without a token", async () => {
    for (const [method, path] of [
      ["GET", "/api/custom-nodes"],
      ["POST", "/api/custom-nodes/upload"],
      ["POST", "/api/custom-nodes/toggle"],
      ["DELETE", "/api/custom-nodes/linear.onnx"],
    ]) {
      const res = await call(null, method, path, method === "POST" ? { name: "linear" } : undefined);
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect((await raw(null, "/api/custom-nodes/upload?name=a.onnx", linearModel(3, 2).bytes)).status).toBe(401);
  });

  it("are made from an uploaded ONNX file: the graph's inputs and outputs become the node's ports", async () => {
    const user = freshUser("cn-upload");
    const node = await uploadNode(user, "nets/linear.onnx", linearModel(3, 2).bytes);
    expect(node).toMatchObject({ name: "linear", filename: "linear.onnx", node_type: "custom.linear", source: "onnx", model: "nets/linear.onnx", enabled: true });
    // W and b are initializers, not inputs.
    expect(node.inputs).toEqual([{ name: "x", dtype: "float32", shape: ["batch", 3] }]);
    expect(node.outputs).toEqual([{ name: "y", dtype: "float32", shape: ["batch", 2] }]);

    const nodes = await catalog(user);
    expect(nodes.map((n) => n.type)).toEqual(["custom.linear"]);
    expect(nodes[0]).toMatchObject({ namespace: "custom", runs_on: "gpu-runner", outputs: [{ name: "y" }] });
    expect(nodes[0].properties).toMatchObject([{ name: "x", type: "tensor", required: true }]);
    const one = await call(user, "GET", "/api/nodes/custom.linear");
    expect(one.status).toBe(200);
    // The model is one of the user's models too.
    const models = (await (await call(user, "GET", "/api/models")).json()) as { models: { name: string }[] };
    expect(models.models.map((m) => m.name)).toContain("nets/linear.onnx");
    // Multipart works like the model upload route; node_name picks the node's name.
    const form = new FormData();
    form.append("file", new File([addMulModel(4)], "am.onnx"));
    const res = await worker().fetch("https://edge.test/api/custom-nodes/upload?node_name=addmul", { method: "POST", headers: { Authorization: `Bearer ${await tokenFor(user)}` }, body: form });
    expect(res.status, await res.clone().text()).toBe(201);
    const am = (await res.json()) as CustomNode;
    expect(am.inputs.map((p) => p.name)).toEqual(["a", "b"]);
    expect(am.outputs.map((p) => p.name)).toEqual(["sum", "prod"]);
    expect(am.model).toBe("am.onnx");
  });

  it("read int64 ports and models that list initializers among their inputs", async () => {
    const user = freshUser("cn-types");
    const node = await uploadNode(user, "double.onnx", doubleInt64Model());
    expect(node.inputs).toEqual([{ name: "x", dtype: "int64", shape: ["n"] }]);
    const { onnx } = onnxProto;
    const old = onnx.ModelProto.encode({
      irVersion: 3,
      opsetImport: [{ version: 9 }],
      graph: {
        name: "old",
        node: [{ opType: "Add", input: ["x", "w"], output: ["y"] }],
        initializer: [{ name: "w", dataType: 1, dims: [2], floatData: [1, 2] }],
        input: [
          { name: "x", type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } },
          { name: "w", type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } },
        ],
        output: [{ name: "y", type: { tensorType: { elemType: 11 } } }],
      },
    }).finish();
    const n = await uploadNode(user, "old.onnx", new Uint8Array(old));
    expect(n.inputs).toEqual([{ name: "x", dtype: "float32", shape: [2] }]);
    expect(n.outputs).toEqual([{ name: "y", dtype: "float64", shape: null }]);
  });

  it("answer 422 naming the problem for an invalid ONNX upload, and store nothing", async () => {
    const user = freshUser("cn-invalid");
    const res = await raw(user, "/api/custom-nodes/upload?name=bad.onnx", new TextEncoder().encode("this is not a model at all"));
    expect(res.status).toBe(422);
    const err = await errorOf(res);
    expect(err.message).toMatch(/Not an ONNX model/);
    expect(err.details).toMatchObject([{ code: "invalid_model" }]);
    // A structurally valid file whose graph port is a string tensor: the runner cannot feed it.
    const { onnx } = onnxProto;
    const strings = onnx.ModelProto.encode({
      irVersion: 8,
      graph: { name: "s", input: [{ name: "t", type: { tensorType: { elemType: 8 } } }], output: [{ name: "t", type: { tensorType: { elemType: 8 } } }] },
    }).finish();
    const res2 = await raw(user, "/api/custom-nodes/upload?name=strings.onnx", new Uint8Array(strings));
    expect(res2.status).toBe(422);
    expect((await errorOf(res2)).message).toMatch(/element type string/);
    const list = (await (await call(user, "GET", "/api/custom-nodes")).json()) as { count: number };
    expect(list.count).toBe(0);
    const models = (await (await call(user, "GET", "/api/models")).json()) as { models: unknown[] };
    expect(models.models).toEqual([]);
  });

  it("are declared over an uploaded model with steps from the fixed set", async () => {
    const user = freshUser("cn-decl");
    await uploadModel(user, "lin.onnx", linearModel(3, 2).bytes);
    const decl = { name: "classify", model: "lin.onnx", preprocess: { x: [{ op: "scale", factor: 0.5 }] }, postprocess: { y: [{ op: "softmax" }, { op: "argmax" }] } };
    const res = await call(user, "POST", "/api/custom-nodes/upload", decl);
    expect(res.status, await res.clone().text()).toBe(201);
    const node = (await res.json()) as CustomNode;
    expect(node).toMatchObject({ name: "classify", filename: "classify.json", source: "declaration", model: "lin.onnx" });
    expect(node.preprocess.x).toEqual([{ op: "scale", factor: 0.5, offset: 0 }]);
    // The same name again: 409 unless replace.
    expect((await call(user, "POST", "/api/custom-nodes/upload", decl)).status).toBe(409);
    expect((await call(user, "POST", "/api/custom-nodes/upload", { ...decl, replace: true })).status).toBe(200);

    const unknownModel = await call(user, "POST", "/api/custom-nodes/upload", { name: "x", model: "nope.onnx" });
    expect(unknownModel.status).toBe(422);
    expect((await errorOf(unknownModel)).message).toMatch(/Model 'nope.onnx' was not found/);
    const badPort = await call(user, "POST", "/api/custom-nodes/upload", { name: "x", model: "lin.onnx", preprocess: { z: [] } });
    expect(badPort.status).toBe(422);
    expect((await errorOf(badPort)).message).toMatch(/'z', which is not a model input/);
    const code = await call(user, "POST", "/api/custom-nodes/upload", { name: "x", model: "lin.onnx", postprocess: { y: [{ op: "eval", code: "1+1" }] } });
    expect(code.status).toBe(422);
    const badName = await call(user, "POST", "/api/custom-nodes/upload", { name: "no.dots", model: "lin.onnx" });
    expect(badName.status).toBe(422);
  });

  it("are the owner's only: another user gets 404s and an unknown node type", async () => {
    const owner = freshUser("cn-owner");
    const other = freshUser("cn-other");
    await uploadNode(owner, "mine.onnx", linearModel(3, 2).bytes);
    expect((await catalog(other)).map((n) => n.type)).toEqual([]);
    expect((await call(other, "GET", "/api/nodes/custom.mine")).status).toBe(404);
    expect((await call(other, "POST", "/api/custom-nodes/toggle", { name: "mine" })).status).toBe(404);
    expect((await call(other, "DELETE", "/api/custom-nodes/mine.onnx")).status).toBe(404);
    const list = (await (await call(other, "GET", "/api/custom-nodes")).json()) as { count: number };
    expect(list.count).toBe(0);
    const save = await call(other, "POST", "/api/workflows", { name: "steal", graph: usingGraph("custom.mine") });
    expect(save.status).toBe(422);
    expect(JSON.stringify(await errorOf(save))).toMatch(/unknown node type 'custom.mine'/);
    // A declaration cannot name another user's model either.
    const decl = await call(other, "POST", "/api/custom-nodes/upload", { name: "stolen", model: "mine.onnx" });
    expect(decl.status).toBe(422);
    // Still the owner's.
    expect((await call(owner, "GET", "/api/nodes/custom.mine")).status).toBe(200);
  });

  it("are rewritten into Prepare -> Run ONNX Model -> Finish before validation", async () => {
    const user = freshUser("cn-validate");
    await uploadNode(user, "lin.onnx", linearModel(3, 2).bytes);
    const ok = await call(user, "POST", "/api/graph/validate", { graph: usingGraph("custom.lin") });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ valid: true });
    const save = await call(user, "POST", "/api/workflows", { name: "uses lin", graph: usingGraph("custom.lin") });
    expect(save.status, await save.clone().text()).toBe(201);
    // The document is stored as sent.
    const saved = (await save.json()) as { graph: { nodes: { type: string }[] } };
    expect(saved.graph.nodes.map((n) => n.type)).toContain("custom.lin");

    const badPort = await call(user, "POST", "/api/graph/validate", { graph: usingGraph("custom.lin", "nope", "y") });
    const verdict = (await badPort.json()) as { valid: boolean; issues: { message: string }[] };
    expect(verdict.valid).toBe(false);
    expect(verdict.issues.map((i) => i.message).join("\n")).toMatch(/custom node 'lin' has no input 'nope' \(its inputs: x\)/);
    const badOut = await call(user, "POST", "/api/workflows", { name: "bad out", graph: usingGraph("custom.lin", "x", "zzz") });
    expect(badOut.status).toBe(422);
  });

  it("toggle: a disabled node leaves the catalog and is refused at save with a 422; enabling brings it back", async () => {
    const user = freshUser("cn-toggle");
    await uploadNode(user, "lin.onnx", linearModel(3, 2).bytes);
    const off = await call(user, "POST", "/api/custom-nodes/toggle", { name: "lin.onnx", enabled: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ name: "lin", enabled: false });
    expect(await catalog(user)).toEqual([]);
    expect((await call(user, "GET", "/api/nodes/custom.lin")).status).toBe(404);
    const save = await call(user, "POST", "/api/workflows", { name: "disabled", graph: usingGraph("custom.lin") });
    expect(save.status).toBe(422);
    expect(JSON.stringify(await errorOf(save))).toMatch(/custom node 'lin' is disabled: enable it with POST \/api\/custom-nodes\/toggle/);
    const listed = (await (await call(user, "GET", "/api/custom-nodes")).json()) as { custom_nodes: CustomNode[] };
    expect(listed.custom_nodes.map((n) => [n.name, n.enabled])).toEqual([["lin", false]]);
    // Without `enabled` it flips.
    const on = await call(user, "POST", "/api/custom-nodes/toggle", { name: "lin" });
    expect(await on.json()).toMatchObject({ enabled: true });
    expect((await catalog(user)).map((n) => n.type)).toEqual(["custom.lin"]);
    expect((await call(user, "POST", "/api/workflows", { name: "enabled", graph: usingGraph("custom.lin") })).status).toBe(201);
    expect((await call(user, "POST", "/api/custom-nodes/toggle", { name: "unknown" })).status).toBe(404);
    expect((await call(user, "POST", "/api/custom-nodes/toggle", {})).status).toBe(422);
  });

  it("delete by filename or name; unknown names are 404s", async () => {
    const user = freshUser("cn-delete");
    await uploadNode(user, "a.onnx", linearModel(3, 2).bytes);
    await uploadNode(user, "b.onnx", linearModel(3, 2).bytes);
    expect((await call(user, "DELETE", "/api/custom-nodes/a.onnx")).status).toBe(204);
    expect((await call(user, "DELETE", "/api/custom-nodes/b")).status).toBe(204);
    expect((await call(user, "DELETE", "/api/custom-nodes/a.onnx")).status).toBe(404);
    expect((await call(user, "DELETE", "/api/custom-nodes/..")).status).toBe(404);
    expect(await catalog(user)).toEqual([]);
  });

  it("reload re-reads them; the plugin list has the user's custom-node pack", async () => {
    const user = freshUser("cn-reload");
    const before = (await (await call(user, "POST", "/api/nodes/reload")).json()) as { custom_nodes_loaded: number; custom_nodes: string[] };
    expect(before).toMatchObject({ custom_nodes_loaded: 0, custom_nodes: [] });
    await uploadNode(user, "lin.onnx", linearModel(3, 2).bytes);
    const after = (await (await call(user, "POST", "/api/nodes/reload")).json()) as { custom_nodes_loaded: number; custom_nodes: string[] };
    expect(after).toMatchObject({ custom_nodes_loaded: 1, custom_nodes: ["custom.lin"] });

    const plugin = await call(user, "GET", "/api/plugins/user.custom_nodes");
    expect(plugin.status).toBe(200);
    const p = (await plugin.json()) as { kind: string; node_types: string[]; readme: string };
    expect(p).toMatchObject({ kind: "custom_nodes", node_types: ["custom.lin"] });
    expect(p.readme).toContain("custom.lin");
    const others = (await (await call(freshUser("cn-reload-other"), "GET", "/api/plugins/user.custom_nodes")).json()) as { node_types: string[] };
    expect(others.node_types).toEqual([]);
  });

  it("are documented in the OpenAPI document", async () => {
    const doc = (await (await call(null, "GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ["/api/custom-nodes", "get"],
      ["/api/custom-nodes/upload", "post"],
      ["/api/custom-nodes/toggle", "post"],
      ["/api/custom-nodes/{filename}", "delete"],
    ]) {
      expect(doc.paths[path], path).toHaveProperty(method);
    }
  });

  it("need workflows scopes for API keys, and storage:write to upload", async () => {
    const user = freshUser("cn-keys");
    const created = await call(user, "POST", "/api/keys", { name: "reader", scopes: ["workflows:read", "workflows:write"] });
    expect(created.status).toBe(201);
    const { secret: key } = (await created.json()) as { secret: string };
    const withKey = (method: string, path: string, body?: unknown) =>
      worker().fetch(`https://edge.test${path}`, { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await withKey("GET", "/api/custom-nodes")).status).toBe(200);
    expect((await withKey("POST", "/api/custom-nodes/toggle", { name: "none" })).status).toBe(404);
    const upload = await withKey("POST", "/api/custom-nodes/upload", { name: "x", model: "m.onnx" });
    expect(upload.status).toBe(403);
    expect((await errorOf(upload)).message).toMatch(/storage:write/);
  });
});

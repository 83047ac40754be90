import { freePort } from "../helpers/free-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linearModel, seededFloats } from "../fixtures/onnx-models";
import { randomToken, startRunnerProcess, type ChildRunner } from "../runner/helpers/runner";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

/**
 * Custom nodes end to end: a model built in code is uploaded through POST /api/custom-nodes/upload, becomes
 * the node type `custom.<name>`, and runs inside a saved workflow on the Worker (workerd) with a real
 * gpu-runner process (onnxruntime-node); the outputs match a JS reference computed here.
 */

const SERVER_TOKEN = "custom-nodes-e2e-server-token";
const RUNNER_TOKEN = randomToken();

let edge: LocalEdge;
let runner: ChildRunner | undefined;
let edgeUrl: string;

const api = (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${edgeUrl}${path}`, { method, body, headers: { Authorization: `Bearer ${SERVER_TOKEN}`, ...headers } });
const apiJson = (method: string, path: string, body: unknown) => api(method, path, JSON.stringify(body), { "Content-Type": "application/json" });

async function runGraph(name: string, graph: unknown): Promise<{ status: string; results: Record<string, unknown>; error?: string }> {
  const saved = await apiJson("POST", "/api/workflows", { name, graph });
  expect(saved.status, await saved.clone().text()).toBe(201);
  const { id } = (await saved.json()) as { id: string };
  const res = await apiJson("POST", `/workflows/${id}/run`, { params: {} });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; results: Record<string, unknown>; error?: string };
}

const rowsOf = (flat: Float32Array, rows: number, cols: number) => Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * cols, (r + 1) * cols)));

beforeAll(async () => {
  process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING = "true";
  const edgePort = await freePort();
  edgeUrl = `http://127.0.0.1:${edgePort}`;
  runner = await startRunnerProcess({ GPU_RUNNER_TOKEN: RUNNER_TOKEN, EDGE_URL: edgeUrl, GPU_RUNNER_WORKERS: "1" });
  edge = await startEdge(
    migratedStateDir(),
    { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: SERVER_TOKEN, GPU_RUNNER_URLS: runner.url, GPU_RUNNER_TOKEN: RUNNER_TOKEN },
    edgePort,
  );
});

afterAll(async () => {
  await edge?.stop();
  await runner?.kill("SIGKILL");
});

describe("custom nodes on a real gpu-runner", () => {
  const model = linearModel(6, 4, 21);
  const rows = 3;
  const x = seededFloats(rows * 6, 9);

  it("a node made from an uploaded ONNX file runs in a workflow and matches the JS reference", async () => {
    const res = await api("POST", "/api/custom-nodes/upload?name=e2e/linear.onnx&node_name=linear", model.bytes, { "Content-Type": "application/octet-stream" });
    expect(res.status, await res.clone().text()).toBe(201);
    const node = (await res.json()) as { node_type: string; inputs: { name: string }[] };
    expect(node.node_type).toBe("custom.linear");

    const out = await runGraph("custom linear", {
      nodes: [
        { id: "c", type: "nodetool.constant.List", data: { value: rowsOf(x, rows, 6) } },
        { id: "lin", type: "custom.linear", data: {} },
        { id: "o", type: "nodetool.output.Output", data: { name: "y" } },
      ],
      edges: [
        { id: "e1", source: "c", sourceHandle: "output", target: "lin", targetHandle: "x" },
        { id: "e2", source: "lin", sourceHandle: "y", target: "o", targetHandle: "value" },
      ],
    });
    expect(out.status, out.error).toBe("completed");
    const y = out.results.y as { dtype: string; shape: number[]; value: number[] };
    expect(y.dtype).toBe("float32");
    expect(y.shape).toEqual([rows, 4]);
    const expected = model.reference(x, rows);
    expect(y.value).toHaveLength(expected.length);
    expected.forEach((v, i) => expect(y.value[i]).toBeCloseTo(v, 4));
  });

  it("a declared node with pre- and post-processing steps, used twice in one graph, matches the JS reference", async () => {
    const decl = {
      name: "classify",
      model: "e2e/linear.onnx",
      preprocess: { x: [{ op: "scale", factor: 0.5, offset: 0.25 }] },
      postprocess: { y: [{ op: "softmax", axis: -1 }, { op: "argmax", axis: -1 }] },
    };
    const res = await apiJson("POST", "/api/custom-nodes/upload", decl);
    expect(res.status, await res.clone().text()).toBe(201);

    const x2 = seededFloats(rows * 6, 33);
    const out = await runGraph("custom classify", {
      nodes: [
        { id: "a", type: "custom.classify", data: { x: rowsOf(x, rows, 6) } },
        { id: "b", type: "custom.classify", data: { x: { type: "tensor", dtype: "float32", shape: [rows, 6], value: Array.from(x2) } } },
        { id: "oa", type: "nodetool.output.Output", data: { name: "a" } },
        { id: "ob", type: "nodetool.output.Output", data: { name: "b" } },
      ],
      edges: [
        { id: "e1", source: "a", sourceHandle: "y", target: "oa", targetHandle: "value" },
        { id: "e2", source: "b", sourceHandle: "y", target: "ob", targetHandle: "value" },
      ],
    });
    expect(out.status, out.error).toBe("completed");
    // JS reference: scale, the linear layer, softmax (monotonic, so argmax of the logits), argmax per row.
    const reference = (input: Float32Array) => {
      const scaled = Float32Array.from(input, (v) => v * 0.5 + 0.25);
      const logits = model.reference(scaled, rows);
      return Array.from({ length: rows }, (_, r) => {
        const row = Array.from(logits.subarray(r * 4, r * 4 + 4));
        return row.indexOf(Math.max(...row));
      });
    };
    expect(out.results.a).toEqual({ type: "tensor", dtype: "int64", shape: [rows], value: reference(x) });
    expect(out.results.b).toEqual({ type: "tensor", dtype: "int64", shape: [rows], value: reference(x2) });
  });

  it("a disabled node is refused with a 422 when a run starts", async () => {
    const saved = await apiJson("POST", "/api/workflows", { name: "to disable", graph: { nodes: [{ id: "a", type: "custom.classify", data: { x: [[1, 2, 3, 4, 5, 6]] } }], edges: [] } });
    expect(saved.status).toBe(201);
    const { id } = (await saved.json()) as { id: string };
    const toggled = await apiJson("POST", "/api/custom-nodes/toggle", { name: "classify", enabled: false });
    expect(toggled.status).toBe(200);
    const run = await apiJson("POST", `/workflows/${id}/run`, { params: {} });
    expect(run.status).toBe(422);
    expect(await run.text()).toMatch(/custom node 'classify' is disabled/);
  });
});

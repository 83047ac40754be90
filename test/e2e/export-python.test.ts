import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDir } from "../fixtures/scratch";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

// POST /api/graph/export?language=python gives a script that needs only Python 3 and `requests` (Debian's
// python3-requests; .ci/run installs it when missing). These tests run it with the system's python3 against a
// real Worker and compare what it prints with what the API returns for the same run.

const ROOT = path.resolve(__dirname, "../..");
const TOKEN = "export-python-token";

let edge: LocalEdge;
let dir: string;

beforeAll(async () => {
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN });
  dir = scratchDir("export-py-");
});

afterAll(async () => {
  await edge?.stop();
});

async function api(method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(`${edge.url}${p}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function python(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", args, { cwd: dir, env: { ...process.env, NODETOOL_EDGE_URL: "", NODETOOL_EDGE_TOKEN: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function exportPython(body: unknown): Promise<{ file: string; workflowId: string }> {
  const res = await api("POST", "/api/graph/export?language=python", body);
  expect(res.status, await res.clone().text()).toBe(200);
  const filename = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")![1];
  const file = path.join(dir, filename);
  writeFileSync(file, await res.text());
  return { file, workflowId: res.headers.get("x-workflow-id")! };
}

const example = (name: string) => JSON.parse(readFileSync(path.join(ROOT, "examples", `${name}.json`), "utf8")) as Record<string, unknown>;

describe("exported Python scripts", () => {
  it("run with the system's python3 and print the same outputs as the API", async () => {
    const { file, workflowId } = await exportPython({ ...example("hello-world"), params: { name: "Grace" } });
    expect(path.basename(file)).toBe("run-hello-world.py");
    const out = await python([file], { NODETOOL_EDGE_URL: edge.url, NODETOOL_EDGE_TOKEN: TOKEN });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const printed = JSON.parse(out.stdout) as Record<string, unknown>;
    const viaApi = await (await api("POST", `/api/workflows/${workflowId}/run`, { params: { name: "Grace" } })).json();
    expect(printed).toEqual(viaApi);
    expect(printed).toEqual({ greeting: "Hello, Grace! You have 5 letters in your name.", loud: "HELLO, GRACE! YOU HAVE 5 LETTERS IN YOUR NAME." });
  });

  it("take --url, --token and --params over the environment, and print what the API's run gives", async () => {
    const { file, workflowId } = await exportPython(example("shopping-list"));
    const out = await python([file, "--url", edge.url, "--token", TOKEN, "--params", '{"items": "plum, date, plum"}'], { NODETOOL_EDGE_TOKEN: "wrong" });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const viaApi = (await (await api("POST", `/workflows/${workflowId}/run`, { params: { items: "plum, date, plum" } })).json()) as { results: unknown };
    expect(JSON.parse(out.stdout)).toEqual(viaApi.results);
    expect(JSON.parse(out.stdout)).toEqual({ sorted: ["date", "plum"], count: 2, numbered: "1. date\n2. plum" });
  });

  it("carry the caller's presets expanded, so the script is self-contained", async () => {
    const preset = await api("POST", "/api/presets/create", {
      name: "double",
      graph: {
        nodes: [
          { id: "x", type: "nodetool.input.FloatInput", data: { name: "x", value: 0 } },
          { id: "m", type: "lib.math.Multiply", data: { b: 2 } },
          { id: "y", type: "nodetool.output.Output", data: { name: "y" } },
        ],
        edges: [
          { id: "a", source: "x", sourceHandle: "output", target: "m", targetHandle: "a" },
          { id: "b", source: "m", sourceHandle: "output", target: "y", targetHandle: "value" },
        ],
      },
    });
    expect(preset.status).toBe(201);
    const graph = {
      nodes: [
        { id: "n", type: "nodetool.input.FloatInput", data: { name: "n", value: 1.5 } },
        { id: "d1", type: "preset.double", data: {} },
        { id: "d2", type: "preset.double", data: {} },
        { id: "o", type: "nodetool.output.Output", data: { name: "quadrupled" } },
      ],
      edges: [
        { id: "a", source: "n", sourceHandle: "output", target: "d1", targetHandle: "x" },
        { id: "b", source: "d1", sourceHandle: "y", target: "d2", targetHandle: "x" },
        { id: "c", source: "d2", sourceHandle: "y", target: "o", targetHandle: "value" },
      ],
    };
    const { file } = await exportPython({ name: "Quadruple", graph, params: { n: 2.5 } });
    expect(readFileSync(file, "utf8")).not.toContain("preset.double");
    // The preset is gone from the server: the script still runs, and prints what the API gave with it.
    const saved = await api("POST", "/api/graph/save", { name: "quadruple", graph });
    const { id } = (await saved.json()) as { id: string };
    const viaApi = await (await api("POST", `/api/workflows/${id}/run`, { params: { n: 2.5 } })).json();
    expect((await api("DELETE", "/api/presets/double")).status).toBe(204);
    const out = await python([file, "--url", edge.url, "--token", TOKEN]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(viaApi);
    expect(viaApi).toEqual({ quadrupled: 10 });
  });

  it("exit 1 with the job's error when a node fails, and with the server's error on a bad token", async () => {
    const { file } = await exportPython({
      name: "fails",
      graph: {
        nodes: [
          { id: "a", type: "nodetool.constant.Float", data: { value: 1 } },
          { id: "m", type: "lib.math.Modulus", data: { b: 0 } },
          { id: "o", type: "nodetool.output.Output", data: { name: "rest" } },
        ],
        edges: [
          { id: "e1", source: "a", sourceHandle: "output", target: "m", targetHandle: "a" },
          { id: "e2", source: "m", sourceHandle: "output", target: "o", targetHandle: "value" },
        ],
      },
    });
    const out = await python([file, "--url", edge.url, "--token", TOKEN]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/^job [0-9a-f]+ failed: .*modulo by zero/m);
    const denied = await python([file, "--url", edge.url, "--token", "wrong"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/failed with 401: Invalid token/);
  });
});

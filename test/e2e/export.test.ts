import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDir } from "../fixtures/scratch";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

// POST /api/graph/export gives a script; these tests run it the way its header says (npx tsx for
// TypeScript, node for the JavaScript module) from a directory without any package.json, against a real
// Worker, and compare what it prints with what the API returns for the same run.

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const TOKEN = "export-test-token";

let edge: LocalEdge;
let dir: string;

beforeAll(async () => {
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN });
  dir = scratchDir("export-");
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

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Exports `body`, writes the script into the temp directory, returns its path and the workflow id it uses. */
async function exportScript(body: unknown, language: "typescript" | "javascript" = "typescript"): Promise<{ file: string; workflowId: string }> {
  const res = await api("POST", `/api/graph/export?language=${language}`, body);
  expect(res.status).toBe(200);
  const filename = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")![1];
  const file = path.join(dir, filename);
  writeFileSync(file, await res.text());
  return { file, workflowId: res.headers.get("x-workflow-id")! };
}

const example = (name: string) => JSON.parse(readFileSync(path.join(ROOT, "examples", `${name}.json`), "utf8")) as Record<string, unknown>;
const env = { NODETOOL_EDGE_URL: "", NODETOOL_EDGE_TOKEN: "" };

describe("exported scripts", () => {
  it("run with npx tsx and print the same outputs as the API, with the baked-in params", async () => {
    const { file, workflowId } = await exportScript({ ...example("hello-world"), params: { name: "Grace" } });
    expect(path.basename(file)).toBe("run-hello-world.ts");
    const out = await run(TSX, [file], { ...env, NODETOOL_EDGE_URL: edge.url, NODETOOL_EDGE_TOKEN: TOKEN });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const printed = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(printed).toEqual({ greeting: "Hello, Grace! You have 5 letters in your name.", loud: "HELLO, GRACE! YOU HAVE 5 LETTERS IN YOUR NAME." });
    // The script saved the graph under its stable id; a run through the API gives the same outputs.
    const viaApi = await (await api("POST", `/api/workflows/${workflowId}/run`, { params: { name: "Grace" } })).json();
    expect(printed).toEqual(viaApi);
  });

  it("take the server and token from flags, and params from --params, over the environment and defaults", async () => {
    const { file, workflowId } = await exportScript(example("shopping-list"));
    const out = await run(TSX, [file, "--url", edge.url, "--token", TOKEN, "--params", '{"items": "plum, date, plum"}'], { ...env, NODETOOL_EDGE_TOKEN: "wrong" });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const printed = JSON.parse(out.stdout) as Record<string, unknown>;
    const viaApi = (await (await api("POST", `/workflows/${workflowId}/run`, { params: { items: "plum, date, plum" } })).json()) as { results: unknown };
    expect(printed).toEqual(viaApi.results);
    expect(printed).toEqual({ sorted: ["date", "plum"], count: 2, numbered: "1. date\n2. plum" });
    // Running it again replaces the same workflow rather than adding one.
    const count = async () => ((await (await api("GET", "/api/workflows")).json()) as { workflows: { id: string }[] }).workflows.filter((w) => w.id === workflowId).length;
    expect(await count()).toBe(1);
    expect((await run(TSX, [file, "--url", edge.url, "--token", TOKEN], env)).code).toBe(0);
    expect(await count()).toBe(1);
  });

  it("also come as a plain JavaScript module for node, with the same output", async () => {
    const body = { ...example("temperature"), params: { celsius: 37 } };
    const { file } = await exportScript(body, "javascript");
    expect(file.endsWith(".mjs")).toBe(true);
    const js = await run(process.execPath, [file, "--url", edge.url, "--token", TOKEN], env);
    expect(js.stderr).toBe("");
    expect(js.code).toBe(0);
    const ts = await run(TSX, [(await exportScript(body)).file, "--url", edge.url, "--token", TOKEN], env);
    expect(JSON.parse(js.stdout)).toEqual(JSON.parse(ts.stdout));
    expect(JSON.parse(js.stdout)).toMatchObject({ feel: "warm" });
    expect((JSON.parse(js.stdout) as { fahrenheit: number }).fahrenheit).toBeCloseTo(98.6, 10);
  });

  it("exit 1 with the job's error when a node fails, and with the server's error on a bad token", async () => {
    const failing = {
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
    };
    const { file } = await exportScript(failing);
    const out = await run(TSX, [file, "--url", edge.url, "--token", TOKEN], env);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/^job [0-9a-f]+ failed: .*modulo by zero/m);

    const denied = await run(TSX, [file, "--url", edge.url, "--token", "wrong"], env);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/failed with 401: Invalid token/);
  });
});

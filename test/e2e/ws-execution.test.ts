/**
 * `/ws/execution` against the real Worker: a query token, a posted graph run with `run_id` and
 * `record_outputs`, the run's messages, then the capture index; and the capture read back over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

type Msg = Record<string, unknown>;
const TOKEN = "ws-execution-token";
let edge: LocalEdge;

beforeAll(async () => {
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN });
});
afterAll(async () => {
  await edge?.stop();
});

const graph = {
  nodes: [
    { id: "arr", type: "lib.numpy.reshaping.Reshape2D", data: { values: [0, 1, 2, 3, 4, 5], num_rows: 2, num_cols: 3 } },
    { id: "out", type: "nodetool.output.Output", data: { name: "arr" } },
  ],
  edges: [{ id: "e1", source: "arr", sourceHandle: "output", target: "out", targetHandle: "value" }],
};

/** Opens the socket; every JSON frame lands in `frames`, and `until` waits for one that matches. */
function open(query: string): Promise<{ ws: WebSocket; frames: Msg[]; until(match: (m: Msg) => boolean): Promise<Msg>; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${edge.url.replace(/^http/, "ws")}/ws/execution?${query}`);
  const frames: Msg[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (data: Buffer) => {
    frames.push(JSON.parse(data.toString("utf8")) as Msg);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const until = async (match: (m: Msg) => boolean) => {
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      if (ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed; frames: ${JSON.stringify(frames).slice(0, 500)}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, frames, until, closed }));
    ws.once("error", reject);
  });
}

describe("/ws/execution", () => {
  it("runs a posted graph under the query's run_id, streams its messages, then the capture index", async () => {
    const runId = `ws-exec-${Date.now().toString(36)}`;
    const client = await open(`token=${TOKEN}&run_id=${runId}&record_outputs=true`);
    client.ws.send(JSON.stringify({ graph, params: {} }));
    const ack = await client.until((m) => m.command === "run_job");
    expect(ack).toMatchObject({ job_id: runId, message: "Job started" });
    const end = await client.until((m) => m.type === "job_update" && m.status === "completed");
    expect(end.job_id).toBe(runId);
    const output = client.frames.find((m) => m.type === "output_update" && m.node_id === "out")!;
    expect((output.value as { value: unknown }).value).toEqual([[0, 1, 2], [3, 4, 5]]);
    const index = (await client.until((m) => m.type === "capture_index")) as { run_id: string; index: { ports: { node_id: string; port: string; count: number }[] } };
    expect(index.run_id).toBe(runId);
    expect(index.index.ports.map((p) => `${p.node_id}.${p.port}`).sort()).toEqual(["arr.output", "out.arr"]);
    // The capture index came after the run's terminal message.
    expect(client.frames.indexOf(index as Msg)).toBeGreaterThan(client.frames.indexOf(end));
    client.ws.close();

    const sliced = await fetch(`${edge.url}/api/execution/outputs/${runId}/arr/output?slice=${encodeURIComponent(":,::-1")}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(sliced.status).toBe(200);
    expect(((await sliced.json()) as { value: { value: unknown } }).value.value).toEqual([[2, 1, 0], [5, 4, 3]]);
  });

  it("takes run_job frames too, and record_outputs=false records nothing", async () => {
    const client = await open(`token=${TOKEN}&record_outputs=false`);
    client.ws.send(JSON.stringify({ command: "run_job", data: { graph, run_id: "ws-exec-plain" } }));
    expect(await client.until((m) => m.command === "run_job")).toMatchObject({ job_id: "ws-exec-plain" });
    await client.until((m) => m.type === "job_update" && m.status === "completed");
    // Give a capture index the time it would need to arrive; none must.
    await new Promise((r) => setTimeout(r, 300));
    expect(client.frames.some((m) => m.type === "capture_index")).toBe(false);
    client.ws.close();
    const res = await fetch(`${edge.url}/api/execution/outputs/ws-exec-plain`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
  });

  it("refuses a missing or wrong token with close code 1008", async () => {
    for (const query of ["run_id=x", "token=wrong"]) {
      const client = await open(query);
      expect((await client.closed).code, query).toBe(1008);
    }
  });
});

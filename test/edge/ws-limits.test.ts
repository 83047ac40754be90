import { env } from "cloudflare:test";
import { decode, encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import type { Env } from "../../edge/config/env";
import { runCommand, type CommandContext } from "../../edge/sockets/commands";
import { call, tokenFor, worker } from "./users";

// A `run_job` over the WebSocket is held to the request bounds of the HTTP routes (edge/limits): MAX_JSON_DEPTH,
// MAX_GRAPH_NODES and MAX_GRAPH_EDGES, answered as an error reply of the protocol (docs/websocket-protocol.md).

type Msg = Record<string, unknown>;

/** An open /ws connection as `user` that records what it receives. */
async function connect(user: string) {
  const res = await worker().fetch("https://edge.test/ws", { headers: { Upgrade: "websocket", Authorization: `Bearer ${await tokenFor(user)}` } });
  const socket = res.webSocket!;
  const received: Msg[] = [];
  let wake = () => {};
  // Binary frames arrive as Blobs: decoded in arrival order through one chain.
  let decoding = Promise.resolve();
  socket.addEventListener("message", (e) => {
    decoding = decoding.then(async () => {
      const data = e.data as string | Blob;
      received.push((typeof data === "string" ? JSON.parse(data) : decode(new Uint8Array(await data.arrayBuffer()))) as Msg);
      wake();
    });
  });
  socket.accept();
  return {
    send: (frame: unknown) => socket.send(JSON.stringify(frame)),
    sendBinary: (frame: unknown) => socket.send(encode(frame).slice()),
    /** The first message not yet taken that matches. */
    async next(match: (m: Msg) => boolean): Promise<Msg> {
      for (;;) {
        const i = received.findIndex(match);
        if (i >= 0) return received.splice(i, 1)[0];
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close: () => socket.close(1000),
  };
}

const wide = (n: number) => ({ nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: "nodetool.constant.String", data: {} })), edges: [] });
const chain = (n: number) => ({
  nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: "nodetool.constant.String", data: { value: "x" } })),
  edges: Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, sourceHandle: "output", target: `n${i + 1}`, targetHandle: "value" })),
});
const deep = (levels: number): unknown => JSON.parse("[".repeat(levels) + "]".repeat(levels));

/** The command context of a connection whose Worker has `vars` set. */
function context(user: string, vars: Record<string, string>): CommandContext {
  return {
    env: { ...env, ...vars } as unknown as Env,
    userId: user,
    pinMode: () => {},
    followedJobIds: () => [],
    hasFollowed: () => false,
    chat: () => Promise.reject(new Error("no chat here")),
    stopChats: () => [],
  };
}

describe("WebSocket run_job and the graph limits", () => {
  it("refuses a graph over MAX_GRAPH_NODES or MAX_GRAPH_EDGES, and JSON deeper than MAX_JSON_DEPTH, as the HTTP routes do", async () => {
    const ws = await connect("ws-limits-a");
    ws.send({ command: "run_job", data: { graph: wide(5_001), params: {} } });
    expect(await ws.next((m) => m.command === "run_job")).toEqual({
      command: "run_job",
      error: "The graph has 5001 nodes; at most 5000 are allowed (MAX_GRAPH_NODES)",
      error_type: "payload_too_large",
    });
    const edges = { nodes: [{ id: "a", type: "nodetool.constant.String", data: {} }], edges: Array.from({ length: 20_001 }, () => ({ source: "a", target: "a" })) };
    ws.send({ command: "run_job", data: { graph: edges } });
    expect(await ws.next((m) => m.command === "run_job")).toMatchObject({ error: expect.stringMatching(/20001 edges.*MAX_GRAPH_EDGES/), error_type: "payload_too_large" });
    // Nesting counts from `data`, as from an HTTP body: data itself is level 1.
    ws.send({ command: "run_job", data: { graph: chain(2), params: { x: deep(10_000) } } });
    expect(await ws.next((m) => m.command === "run_job")).toEqual({
      command: "run_job",
      error: "JSON body is nested deeper than 64 levels (MAX_JSON_DEPTH)",
      error_type: "invalid_request",
    });
    // A MessagePack frame is held to the same bound (and answered in MessagePack); the connection stays usable.
    ws.sendBinary({ command: "run_job", data: { graph: chain(2), params: { x: deep(80) } } });
    expect(await ws.next((m) => m.command === "run_job")).toMatchObject({ error: expect.stringContaining("MAX_JSON_DEPTH"), error_type: "invalid_request" });
    ws.send({ command: "ping" });
    expect(await ws.next((m) => m.command === "ping")).toMatchObject({ type: "pong" });
    ws.close();
    // Nothing was started.
    const jobs = (await (await call("ws-limits-a", "GET", "/api/jobs")).json()) as { jobs: unknown[] };
    expect(jobs.jobs).toEqual([]);
  });

  it("applies the configured limits exactly: up to the limit runs, one more is refused", async () => {
    const vars = { MAX_GRAPH_NODES: "3", MAX_GRAPH_EDGES: "2", MAX_JSON_DEPTH: "8" };
    const over = await runCommand(context("ws-limits-b", vars), { command: "run_job", data: { graph: chain(4) } });
    expect(over.reply).toMatchObject({ command: "run_job", error: "The graph has 4 nodes; at most 3 are allowed (MAX_GRAPH_NODES)", error_type: "payload_too_large" });
    const tooManyEdges = await runCommand(context("ws-limits-b", vars), {
      command: "run_job",
      data: { graph: { nodes: chain(2).nodes, edges: [...chain(2).edges, ...chain(2).edges, ...chain(2).edges] } },
    });
    expect(tooManyEdges.reply).toMatchObject({ error: "The graph has 3 edges; at most 2 are allowed (MAX_GRAPH_EDGES)" });
    // data (1) > params (2) > x (3) > deep(6): 8 levels fit, 9 do not.
    const fits = await runCommand(context("ws-limits-b", vars), { command: "run_job", data: { graph: chain(3), params: { x: deep(6) } } });
    expect(fits.reply).toMatchObject({ command: "run_job", message: "Job started" });
    const deeper = await runCommand(context("ws-limits-b", vars), { command: "run_job", data: { graph: chain(3), params: { x: deep(7) } } });
    expect(deeper.reply).toMatchObject({ error: expect.stringContaining("MAX_JSON_DEPTH"), error_type: "invalid_request" });
    // Every command's data is bounded in depth, not only run_job's.
    const status = await runCommand(context("ws-limits-b", vars), { command: "get_status", data: { job_id: deep(9) } });
    expect(status.reply).toMatchObject({ command: "get_status", error: expect.stringContaining("MAX_JSON_DEPTH") });
  });
});

describe("WebSocket run_job with a saved preset", () => {
  it("expands `preset.<name>` nodes of an inline graph and runs it", async () => {
    const user = "ws-preset";
    const affine = {
      nodes: [
        { id: "x", type: "nodetool.input.FloatInput", data: { name: "x", value: 0 } },
        { id: "mul", type: "lib.math.Multiply", data: { b: 2 } },
        { id: "add", type: "lib.math.Add", data: { b: 1 } },
        { id: "y", type: "nodetool.output.Output", data: { name: "y" } },
      ],
      edges: [
        { id: "e1", source: "x", sourceHandle: "output", target: "mul", targetHandle: "a" },
        { id: "e2", source: "mul", sourceHandle: "output", target: "add", targetHandle: "a" },
        { id: "e3", source: "add", sourceHandle: "output", target: "y", targetHandle: "value" },
      ],
    };
    const made = await call(user, "POST", "/api/presets/create", { name: "affine", graph: affine, node_ids: ["x", "mul", "add", "y"] });
    expect(made.status, await made.clone().text()).toBe(201);

    const ws = await connect(user);
    ws.send({
      command: "run_job",
      data: {
        graph: {
          nodes: [
            { id: "v", type: "nodetool.constant.Float", data: { value: 3 } },
            { id: "p", type: "preset.affine", data: { "add.b": 10 } },
            { id: "out", type: "nodetool.output.Output", data: { name: "result" } },
          ],
          edges: [
            { id: "a", source: "v", sourceHandle: "output", target: "p", targetHandle: "x" },
            { id: "b", source: "p", sourceHandle: "y", target: "out", targetHandle: "value" },
          ],
        },
        params: {},
      },
    });
    const reply = await ws.next((m) => m.command === "run_job");
    expect(reply).toMatchObject({ message: "Job started", status: expect.any(String) });
    const done = await ws.next((m) => m.type === "job_update" && ["completed", "failed", "cancelled", "timed_out"].includes(m.status as string));
    // 3 * 2 + 10, as a list per output (NodeTool's job_update result).
    expect(done).toMatchObject({ status: "completed", job_id: reply.job_id, result: { result: [16] } });
    ws.close();
  });
});

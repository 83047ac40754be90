/**
 * The WebSocket protocol as NodeTool's own clients speak it, checked against NodeTool's definitions:
 * - server messages: nodetool-ai/nodetool packages/protocol/src/messages.ts (`jobUpdateSchema`, `chunkSchema`,
 *   `edgeUpdateSchema`) and nodetool-ai/nodetool-core src/nodetool/types/job.py (`JobUpdate`, `RunStateInfo`);
 * - client frames: packages/protocol/src/ws-commands.ts (`streamInputDataSchema`, `endInputStreamDataSchema`,
 *   `stopDataSchema`, `pingMessageInSchema`, `pongMessageOutSchema`) and the runner's command handlers
 *   (packages/websocket/src/unified-websocket-runner.ts `handleCommand`, `startHeartbeat`).
 * Real `ws` clients, MessagePack (`@msgpack/msgpack`) and JSON frames, against the local Worker.
 */
import { decode, encode } from "@msgpack/msgpack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { OPENAI_KEY, startOpenAIUpstream, type Upstream } from "./chat-upstreams";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

type Msg = Record<string, unknown>;
type Mode = "binary" | "text";

const TOKEN = "nodetool-ws-token";
const TERMINAL = ["completed", "failed", "cancelled", "timed_out"];
const isTerminal = (m: Msg) => m.type === "job_update" && TERMINAL.includes(m.status as string);

/** Records every frame; `next` hands out the first not yet taken that matches. */
class Client {
  readonly frames: { kind: Mode; msg: Msg }[] = [];
  private readonly taken = new Set<number>();
  private wake: (() => void)[] = [];

  private constructor(
    private readonly ws: WebSocket,
    private readonly mode: Mode,
  ) {
    ws.on("message", (data: Buffer, binary: boolean) => {
      this.frames.push({ kind: binary ? "binary" : "text", msg: (binary ? decode(data) : JSON.parse(data.toString("utf8"))) as Msg });
      for (const w of this.wake.splice(0)) w();
    });
    ws.on("close", () => this.wake.splice(0).forEach((w) => w()));
  }

  static open(url: string, mode: Mode): Promise<Client> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Client(ws, mode)));
      ws.once("error", reject);
    });
  }

  frame(value: unknown): void {
    this.ws.send(this.mode === "binary" ? encode(value) : JSON.stringify(value));
  }

  send(command: string, data?: unknown): void {
    this.frame(data === undefined ? { command } : { command, data });
  }

  async next(match: (m: Msg) => boolean): Promise<Msg> {
    for (;;) {
      const i = this.frames.findIndex((f, idx) => !this.taken.has(idx) && match(f.msg));
      if (i >= 0) {
        this.taken.add(i);
        return this.frames[i].msg;
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error("socket closed while waiting");
      await new Promise<void>((r) => this.wake.push(r));
    }
  }

  async call(command: string, data?: unknown): Promise<Msg> {
    this.send(command, data);
    return this.next((m) => m.command === command);
  }

  events(jobId: string): Msg[] {
    return this.frames.filter((f) => typeof f.msg.job_seq === "number" && f.msg.job_id === jobId).map((f) => f.msg);
  }

  async untilEnd(jobId: string): Promise<Msg[]> {
    await this.next((m) => m.job_id === jobId && isTerminal(m));
    return this.events(jobId);
  }

  close(): void {
    this.ws.close(1000);
  }
}

function tickerGraph(intervalMs: number, count: number) {
  return {
    nodes: [
      { id: "count", type: "nodetool.input.IntegerInput", data: { name: "count", value: count, min: 1, max: 500 } },
      { id: "ticker", type: "edge.diagnostics.Ticker", data: { interval_ms: intervalMs } },
      { id: "out", type: "nodetool.output.Output", data: { name: "total" } },
    ],
    edges: [
      { id: "e1", source: "count", sourceHandle: "output", target: "ticker", targetHandle: "count" },
      { id: "e2", source: "ticker", sourceHandle: "output", target: "out", targetHandle: "value" },
    ],
  };
}

/** A streaming input (NodeTool's RealtimeAudioInput, `is_streaming_output`) wired straight to an Output. */
const streamGraph = {
  nodes: [
    { id: "mic-node", type: "nodetool.input.RealtimeAudioInput", data: { name: "mic" } },
    { id: "out", type: "nodetool.output.Output", data: { name: "heard" } },
  ],
  edges: [{ id: "m1", source: "mic-node", sourceHandle: "chunk", target: "out", targetHandle: "value" }],
};

let edge: LocalEdge;
let openai: Upstream;

beforeAll(async () => {
  openai = await startOpenAIUpstream();
  edge = await startEdge(migratedStateDir(), {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: TOKEN,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    WS_HEARTBEAT_MS: "600",
  });
});
afterAll(async () => {
  await edge?.stop();
  await openai?.close();
});

describe("NodeTool job messages on the socket", () => {
  it("job_update: a completed result holds a list per output, with NodeTool's message; the HTTP result map keeps bare values", async () => {
    const c = await Client.open(edge.url, "binary");
    const graph = {
      nodes: [
        { id: "name", type: "nodetool.input.StringInput", data: { name: "name", value: "Ada" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "greeting" } },
      ],
      edges: [{ id: "g1", source: "name", sourceHandle: "output", target: "out", targetHandle: "value" }],
    };
    // NodeTool's MessagePack clients send nil for an absent job_id (ws-commands.ts runJobDataSchema).
    const reply = await c.call("run_job", { type: "run_job_request", graph, params: { name: "Hello" }, job_id: null });
    const jobId = reply.job_id as string;
    const last = (await c.untilEnd(jobId)).at(-1)!;
    // messages.ts jobUpdateSchema: result is a record; both NodeTool servers fill it with lists per output.
    expect(last).toMatchObject({ type: "job_update", status: "completed", job_id: jobId, result: { greeting: ["Hello"] } });
    expect(last.message).toMatch(new RegExp(`^Workflow ${jobId} completed in \\d+\\.\\d\\d seconds$`));
    expect(last).not.toHaveProperty("outputs");
    const http = (await (await fetch(`${edge.url}/api/jobs/${jobId}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as Msg;
    expect(http).toMatchObject({ result: { greeting: "Hello" }, outputs: { greeting: ["Hello"] } });
    c.close();
  });

  it("edge_update: message_sent per item with the edge's counter, then drained with the total; a replay is the same bytes", async () => {
    const c = await Client.open(edge.url, "binary");
    const graph = {
      nodes: [
        { id: "words", type: "nodetool.input.StringListInput", data: { name: "words", value: [] } },
        { id: "each", type: "nodetool.control.ForEach", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "word" } },
      ],
      edges: [
        { id: "e1", source: "words", sourceHandle: "output", target: "each", targetHandle: "input_list" },
        { id: "e2", source: "each", sourceHandle: "output", target: "out", targetHandle: "value" },
      ],
    };
    const { job_id } = await c.call("run_job", { graph, params: { words: ["a", "b", "c", "d"] } });
    const events = await c.untilEnd(job_id as string);
    expect(events.at(-1)).toMatchObject({ result: { word: ["a", "b", "c", "d"] } });
    const e2 = events.filter((m) => m.type === "edge_update" && m.edge_id === "e2");
    // messages.ts edgeUpdateSchema {edge_id, status, counter}; Python runner: status "message_sent" per item.
    expect(e2.map((m) => [m.status, m.counter])).toEqual([
      ["message_sent", 1],
      ["message_sent", 2],
      ["message_sent", 3],
      ["message_sent", 4],
      ["drained", 4],
    ]);
    expect(events.filter((m) => m.type === "edge_update" && m.edge_id === "e1").map((m) => [m.status, m.counter])).toEqual([
      ["message_sent", 1],
      ["drained", 1],
    ]);
    for (const m of e2) expect(m).toMatchObject({ job_id, workflow_id: null });

    // Counters come from the job's log, not the connection: another socket replays identical frames.
    const d = await Client.open(edge.url, "binary");
    await d.call("reconnect_job", { job_id, last_seq: 0 });
    expect(await d.untilEnd(job_id as string)).toEqual(events);
    c.close();
    d.close();
  });

  it("streams LLM text as top-level chunk messages (node_id, content, content_type, done) instead of output_update", async () => {
    const c = await Client.open(edge.url, "text");
    const graph = {
      nodes: [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: { type: "language_model", provider: "openai", id: "gpt-4o-mini" }, prompt: "hi there friend" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      edges: [{ id: "a1", source: "agent", sourceHandle: "text", target: "out", targetHandle: "value" }],
    };
    const { job_id } = await c.call("run_job", { graph });
    const events = await c.untilEnd(job_id as string);
    const chunks = events.filter((m) => m.type === "chunk");
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      // messages.ts chunkSchema
      expect(chunk).toMatchObject({ type: "chunk", node_id: "agent", job_id, workflow_id: null, content_type: "text", done: false });
      expect(typeof chunk.content).toBe("string");
    }
    expect(chunks.map((m) => m.content).join("")).toBe("echo: hi there friend");
    expect(events.filter((m) => m.type === "output_update" && m.output_name === "chunk")).toEqual([]);
    expect(events.at(-1)).toMatchObject({ status: "completed", result: { answer: ["echo: hi there friend"] } });
    c.close();
  });
});

describe("NodeTool control frames", () => {
  for (const mode of ["binary", "text"] as const) {
    it(`answers {type: "ping"} with {type: "pong", ts} in ${mode} mode and ignores a client's pong`, async () => {
      const c = await Client.open(edge.url, mode);
      const before = Date.now() / 1000;
      c.frame({ type: "ping", ts: before });
      // ws-commands.ts pongMessageOutSchema {type: "pong", ts: number}: seconds, as NodeTool's servers send it.
      const pong = await c.next((m) => m.type === "pong");
      expect(Object.keys(pong).sort()).toEqual(["ts", "type"]);
      expect(pong.ts as number).toBeGreaterThanOrEqual(Math.floor(before));
      expect(pong.ts as number).toBeLessThan(before + 60);
      expect(c.frames.at(-1)!.kind).toBe(mode);
      c.frame({ type: "pong", ts: 1 }); // an answer to the heartbeat: nothing comes back
      c.frame({ type: "tool_approval_response" });
      expect(await c.next((m) => typeof m.error === "string")).toMatchObject({ error_type: "invalid_request", error: expect.stringMatching(/tool_approval_response/) });
      // The ping command keeps its own reply.
      expect(await c.call("ping")).toMatchObject({ command: "ping", type: "pong" });
      expect(c.frames.filter((f) => f.msg.error !== undefined)).toHaveLength(1);
      c.close();
    });
  }

  it("sends a {type: 'ping', ts} heartbeat on an idle connection (WS_HEARTBEAT_MS)", async () => {
    const c = await Client.open(edge.url, "binary");
    const started = Date.now();
    const ping = await c.next((m) => m.type === "ping");
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(ping).toEqual({ type: "ping", ts: expect.any(Number) });
    const second = await c.next((m) => m.type === "ping");
    expect((second.ts as number) - (ping.ts as number)).toBeGreaterThan(0.4);
    c.close();
  });
});

describe("NodeTool commands", () => {
  it("stream_input feeds a running job's streaming input until end_input_stream; the items are the output's list", async () => {
    const c = await Client.open(edge.url, "binary");
    const { job_id } = await c.call("run_job", { graph: streamGraph });
    const jobId = job_id as string;
    await c.next((m) => m.job_id === jobId && m.type === "job_update" && m.status === "running");
    const items = [
      { type: "chunk", content: "aGVsbG8=", content_type: "audio", done: false },
      { type: "chunk", content: "d29ybGQ=", content_type: "audio", done: false },
      "plain text",
    ];
    for (const value of items) {
      // ws-commands.ts streamInputDataSchema {job_id, input, value, handle?}; reply as the runner's.
      expect(await c.call("stream_input", { job_id: jobId, input: "mic", value })).toEqual({ command: "stream_input", message: "Input item streamed", job_id: jobId, workflow_id: null });
    }
    // The input may be named by its node id too; bytes travel as MessagePack bin.
    expect(await c.call("stream_input", { job_id: jobId, input: "mic-node", value: new Uint8Array([1, 2, 3]) })).toMatchObject({ message: "Input item streamed" });
    expect(await c.call("stream_input", { job_id: jobId, input: "nope", value: 1 })).toMatchObject({
      command: "stream_input",
      error_type: "conflict",
      job_id: jobId,
      error: "No streaming input 'nope' in this job's workflow (streaming inputs: 'mic', 'mic-node')",
    });
    expect(await c.call("end_input_stream", { job_id: jobId, input: "mic" })).toEqual({ command: "end_input_stream", message: "Input stream ended", job_id: jobId, workflow_id: null });
    const last = (await c.untilEnd(jobId)).at(-1)!;
    expect(last).toMatchObject({ status: "completed" });
    const heard = (last.result as { heard: unknown[] }).heard;
    expect(heard.slice(0, 3)).toEqual(items);
    expect([...(heard[3] as Uint8Array)]).toEqual([1, 2, 3]);
    expect(await c.call("stream_input", { job_id: jobId, input: "mic", value: 1 })).toMatchObject({ error_type: "conflict", error: `Job '${jobId}' has already finished (completed)` });
    c.close();
  });

  it("end_input_stream by node id; stream_input refuses missing fields, unknown jobs and jobs not started over the socket", async () => {
    const c = await Client.open(edge.url, "text");
    const { job_id } = await c.call("run_job", { graph: streamGraph });
    await c.next((m) => m.job_id === job_id && m.status === "running");
    await c.call("stream_input", { job_id, input: "mic", value: "one" });
    expect(await c.call("end_input_stream", { job_id, input: "mic-node" })).toMatchObject({ message: "Input stream ended" });
    expect((await c.untilEnd(job_id as string)).at(-1)).toMatchObject({ result: { heard: ["one"] } });

    expect(await c.call("stream_input", { input: "mic", value: 1 })).toMatchObject({ error_type: "validation_error", error: "Invalid data for stream_input: data.job_id: job_id is required" });
    expect(await c.call("stream_input", { job_id, value: 1 })).toMatchObject({ error: expect.stringMatching(/data\.input: input is required/) });
    expect(await c.call("end_input_stream", { job_id: "no-such-job", input: "mic" })).toMatchObject({ error_type: "not_found", error: "Job 'no-such-job' not found" });

    // A job started over HTTP has no feed: it says so.
    const saved = (await (await fetch(`${edge.url}/api/workflows`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: "slow", graph: tickerGraph(30, 200) }) })).json()) as { id: string };
    const res = await fetch(`${edge.url}/api/workflows/${saved.id}/run?stream=true`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: "{}" });
    const httpJob = res.headers.get("x-job-id")!;
    expect(await c.call("stream_input", { job_id: httpJob, input: "mic", value: 1 })).toMatchObject({ error_type: "conflict", error: `Job '${httpJob}' was not started over the WebSocket, so it takes no streamed input` });
    expect(await c.call("stop", { job_id: httpJob })).toMatchObject({ cancelled: [httpJob] });
    await res.body?.cancel();
    c.close();
  });

  it("resume_job follows a job from last_seq like reconnect_job", async () => {
    const c = await Client.open(edge.url, "binary");
    const { job_id } = await c.call("run_job", { graph: tickerGraph(0, 3) });
    const whole = await c.untilEnd(job_id as string);
    const d = await Client.open(edge.url, "text");
    // ws-commands.ts: resume_job takes reconnectJobDataSchema {job_id, workflow_id?, last_seq?}.
    const reply = await d.call("resume_job", { job_id, workflow_id: "ignored", last_seq: 2 });
    expect(reply).toMatchObject({ command: "resume_job", job_id, status: "completed", last_seq: 2, message: `Resumption initiated for job ${job_id} after job_seq 2` });
    expect(await d.untilEnd(job_id as string)).toEqual(whole.slice(2));
    expect(await d.call("resume_job", {})).toMatchObject({ error_type: "validation_error" });
    c.close();
    d.close();
  });

  it("stop cancels the named job (generation_stopped, then the reply) and, without job_id, every job the connection follows", async () => {
    const c = await Client.open(edge.url, "binary");
    const { job_id } = await c.call("run_job", { graph: tickerGraph(25, 400) });
    await c.next((m) => m.job_id === job_id && m.type === "node_progress");
    c.send("stop", { job_id });
    // unified-websocket-runner.ts stop: generation_stopped first, then "Stop command processed".
    const stopped = await c.next((m) => m.type === "generation_stopped");
    expect(stopped).toEqual({ type: "generation_stopped", message: "Generation stopped by user", job_id, thread_id: null });
    const reply = await c.next((m) => m.command === "stop");
    expect(reply).toEqual({ command: "stop", message: "Stop command processed", job_id, thread_id: null, cancelled: [job_id] });
    expect(c.frames.findIndex((f) => f.msg === stopped)).toBeLessThan(c.frames.findIndex((f) => f.msg === reply));
    const end = (await c.untilEnd(job_id as string)).at(-1)!;
    // job.py RunStateInfo on a run that ended without completing.
    expect(end).toMatchObject({ status: "cancelled", message: "The job was cancelled", run_state: { status: "cancelled", error_message: "The job was cancelled", is_resumable: false } });

    const a = (await c.call("run_job", { graph: tickerGraph(25, 400) })).job_id;
    const b = (await c.call("run_job", { graph: tickerGraph(25, 400) })).job_id;
    await c.next((m) => m.job_id === b && m.type === "node_progress");
    expect(await c.call("stop")).toMatchObject({ job_id: null, thread_id: null, cancelled: [a, b].sort() });
    for (const id of [a, b]) expect((await c.untilEnd(id as string)).at(-1)).toMatchObject({ status: "cancelled" });
    expect(await c.call("stop", { job_id: "no-such-job" })).toMatchObject({ error_type: "not_found" });
    c.close();
  });
});

import { decode, encode } from "@msgpack/msgpack";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { encodeJobMessage, encodeReply, readClientFrame } from "../../edge/sockets/frame-codec";
import { closeReason } from "../../edge/sockets/close";
import { encodeMsgpack } from "../../edge/streaming/wire";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

// ---- a small protocol client ---------------------------------------------------------------------------

type Mode = "binary" | "text";
type Msg = Record<string, unknown>;
interface Received {
  kind: Mode;
  msg: Msg;
}

const TERMINAL = ["completed", "failed", "cancelled", "timed_out"];
const isTerminal = (m: Msg) => m.type === "job_update" && TERMINAL.includes(m.status as string);
const isEvent = (m: Msg) => typeof m.job_seq === "number";

/**
 * A `ws` client that records every frame it receives (decoded, with its kind) and lets a test wait for the
 * next message matching a predicate. Waits have no deadline of their own: vitest's test timeout ends a hang.
 */
class Client {
  readonly received: Received[] = [];
  private readonly taken = new Set<number>();
  private listeners: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    private readonly ws: WebSocket,
    public mode: Mode,
  ) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      this.received.push(isBinary ? { kind: "binary", msg: decode(data) as Msg } : { kind: "text", msg: JSON.parse(data.toString("utf8")) as Msg });
      for (const l of this.listeners.splice(0)) l();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") })));
    void this.closed.then(() => {
      for (const l of this.listeners.splice(0)) l();
    });
  }

  static connect(url: string, mode: Mode, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(url.replace(/^http/, "ws"), { headers });
    const client = new Client(ws, mode);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(command: string, data?: unknown): void {
    const frame = data === undefined ? { command } : { command, data };
    this.raw(this.mode === "binary" ? encode(frame) : JSON.stringify(frame));
  }

  raw(data: string | Uint8Array): void {
    this.ws.send(data, { binary: typeof data !== "string" });
  }

  /** The next message (in arrival order, not handed out before) that matches. */
  async next(match: (m: Msg) => boolean): Promise<Received> {
    for (;;) {
      const i = this.received.findIndex((r, idx) => !this.taken.has(idx) && match(r.msg));
      if (i >= 0) {
        this.taken.add(i);
        return this.received[i];
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error("socket closed while waiting for a message");
      await new Promise<void>((resolve) => this.listeners.push(resolve));
    }
  }

  async reply(command: string): Promise<Msg> {
    return (await this.next((m) => m.command === command)).msg;
  }

  /** Sends a command and returns its reply (replies carry the command they answer). */
  async call(command: string, data?: unknown): Promise<Msg> {
    this.send(command, data);
    return this.reply(command);
  }

  /** Every job message received so far for `jobId`, in arrival order. */
  events(jobId: string): Msg[] {
    return this.received.filter((r) => isEvent(r.msg) && r.msg.job_id === jobId).map((r) => r.msg);
  }

  /** Waits for the job's terminal job_update and returns all its messages received on this socket. */
  async untilEnd(jobId: string): Promise<Msg[]> {
    await this.next((m) => m.job_id === jobId && isTerminal(m));
    return this.events(jobId);
  }

  /** A ping round trip: everything the server sent before its pong has arrived when this resolves. */
  async sync(): Promise<void> {
    const pong = await this.call("ping");
    expect(pong).toMatchObject({ type: "pong" });
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close(1000, "bye");
    return this.closed;
  }

  /** Drops the TCP connection without a closing handshake (a lost network). */
  terminate(): Promise<{ code: number; reason: string }> {
    this.ws.terminate();
    return this.closed;
  }
}

/** Opens a socket that the server is expected to refuse; resolves with the close code and reason. */
async function refused(url: string, headers: Record<string, string> = {}): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(url.replace(/^http/, "ws"), { headers });
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") }));
  });
}

// ---- fixtures ------------------------------------------------------------------------------------------

const SECRET = "e2e-websocket-secret-000000000000000000";

function tokenFor(sub: string, secret = SECRET): Promise<string> {
  return new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime("10m").sign(new TextEncoder().encode(secret));
}

/** `count` (an integer input, 1..500) ticks of a Ticker `interval_ms` apart; the sink `total` gets the count. */
function tickerGraph(intervalMs: number, count = 3) {
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

/** The job's messages must be exactly job_seq 1..N, one job, ending in its single terminal update. */
function expectWholeRun(events: Msg[], jobId: string, workflowId: string | null, status = "completed"): Msg {
  expect(events.length).toBeGreaterThan(1);
  expect(events.map((e) => e.job_seq)).toEqual(events.map((_, i) => i + 1));
  for (const e of events) expect(e).toMatchObject({ job_id: jobId, workflow_id: workflowId });
  expect(events.filter(isTerminal)).toHaveLength(1);
  const last = events.at(-1)!;
  expect(last).toMatchObject({ type: "job_update", status });
  return last;
}

let state: string;
let edge: LocalEdge;
let alice: string;
let bob: string;
let savedTicker: string;

async function api(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  if (init.body) headers.set("Content-Type", "application/json");
  return fetch(`${edge.url}${path}`, { ...init, headers });
}

const as = (token: string, mode: Mode = "binary", path = "/ws") => Client.connect(`${edge.url}${path}`, mode, { Authorization: `Bearer ${token}` });

beforeAll(async () => {
  state = migratedStateDir();
  edge = await startEdge(state, { AUTH_PROVIDER: "supabase", SUPABASE_JWT_SECRET: SECRET });
  alice = await tokenFor("alice");
  bob = await tokenFor("bob");
  const created = await api("/api/workflows", alice, { method: "POST", body: JSON.stringify({ name: "ticker", graph: tickerGraph(0) }) });
  expect(created.status).toBe(201);
  savedTicker = ((await created.json()) as { id: string }).id;
});
afterAll(() => edge?.stop());

// ---- tests ---------------------------------------------------------------------------------------------

describe("WebSocket: running jobs", () => {
  for (const mode of ["binary", "text"] as const) {
    it(`runs a saved workflow and an inline graph in ${mode} mode, streaming every message to one terminal update`, async () => {
      const c = await as(alice, mode, mode === "binary" ? "/predict" : "/ws");
      for (const [target, workflowId, count] of [
        [{ workflow_id: savedTicker }, savedTicker, 4],
        [{ graph: tickerGraph(0) }, null, 6],
      ] as const) {
        const reply = await c.call("run_job", { type: "run_job_request", ...target, params: { count } });
        expect(reply).toMatchObject({ command: "run_job", message: "Job started", workflow_id: workflowId, replayed: false });
        expect(["queued", "running"]).toContain(reply.status);
        const jobId = reply.job_id as string;
        const events = await c.untilEnd(jobId);
        const last = expectWholeRun(events, jobId, workflowId);
        // NodeTool's result shape on the socket: a list per output (the HTTP result map keeps bare values).
        expect(last.result).toEqual({ total: [count] });
        expect(events[0]).toMatchObject({ type: "job_update", status: "running" });
        expect(events.filter((e) => e.type === "node_progress" && e.node_id === "ticker")).toHaveLength(count);
        expect(events).toContainEqual(expect.objectContaining({ type: "output_update", node_id: "out", output_name: "total", value: count }));
        expect(events).toContainEqual(expect.objectContaining({ type: "node_update", node_id: "out", status: "completed" }));
        // The reply comes before the job's first message.
        const replyIndex = c.received.findIndex((r) => r.msg.command === "run_job" && r.msg.job_id === jobId);
        const firstEvent = c.received.findIndex((r) => r.msg.job_id === jobId && isEvent(r.msg));
        expect(replyIndex).toBeLessThan(firstEvent);
      }
      // Every frame (replies and job messages) came in the mode of the frames sent.
      expect(new Set(c.received.map((r) => r.kind))).toEqual(new Set([mode]));
      await c.close();
    });
  }

  it("runs a sent graph under a saved workflow's id when run_job names both (an editor's unsaved edits)", async () => {
    const c = await as(alice, "binary");
    const reply = await c.call("run_job", { workflow_id: savedTicker, graph: tickerGraph(0, 2), params: {} });
    expect(reply).toMatchObject({ message: "Job started", workflow_id: savedTicker });
    const last = expectWholeRun(await c.untilEnd(reply.job_id as string), reply.job_id as string, savedTicker);
    // The sent graph ran (its default count is 2; the saved one's is 3).
    expect(last.result).toEqual({ total: [2] });
    expect(await c.call("run_job", { workflow_id: "not-saved", graph: tickerGraph(0) })).toMatchObject({ error_type: "not_found", error: "Workflow 'not-saved' not found" });
    await c.close();
  });

  it("routes several concurrent jobs on one connection by job_id, each complete and correct", async () => {
    const c = await as(alice, "text");
    const counts = [3, 5, 8, 2];
    counts.forEach((count) => c.send("run_job", { graph: tickerGraph(5), params: { count } }));
    const replies = await Promise.all(counts.map(() => c.reply("run_job")));
    const ids = replies.map((r) => r.job_id as string);
    expect(new Set(ids).size).toBe(counts.length);
    const results = await Promise.all(ids.map(async (id) => expectWholeRun(await c.untilEnd(id), id, null).result));
    // Totals per job: which reply answered which run_job is not fixed, so compare the sets.
    expect(results.map((r) => (r as { total: number[] }).total[0]).sort()).toEqual([...counts].sort());
    for (const id of ids) {
      const total = (c.events(id).at(-1)!.result as { total: number[] }).total[0];
      expect(c.events(id).filter((e) => e.type === "node_progress")).toHaveLength(total);
    }
    await c.close();
  });

  it("cancel_job stops a running job: exactly one terminal 'cancelled' update and fewer ticks than asked", async () => {
    const c = await as(alice, "binary");
    const count = 400;
    const { job_id } = await c.call("run_job", { graph: tickerGraph(25), params: { count } });
    const jobId = job_id as string;
    await c.next((m) => m.job_id === jobId && m.type === "node_progress");
    const cancelled = await c.call("cancel_job", { job_id: jobId });
    expect(cancelled).toEqual({ command: "cancel_job", message: "Job cancelled", job_id: jobId, status: "cancelled" });
    const events = await c.untilEnd(jobId);
    expectWholeRun(events, jobId, null, "cancelled");
    expect(events.filter((e) => e.type === "node_progress").length).toBeLessThan(count);
    await c.sync();
    expect(c.events(jobId).filter(isTerminal)).toHaveLength(1);
    // A second cancel says the job is over, with how it ended.
    expect(await c.call("cancel_job", { job_id: jobId })).toMatchObject({ error_type: "conflict", job_id: jobId, status: "cancelled", error: `Job '${jobId}' has already finished (cancelled)` });
    const row = (await (await api(`/api/jobs/${jobId}`, alice)).json()) as { status: string };
    expect(row.status).toBe("cancelled");
    await c.close();
  });

  it("makes run_job idempotent by client job_id: same request attaches, a different one is refused", async () => {
    const jobId = `client-job-${Date.now()}`;
    const c = await as(alice, "text");
    const first = await c.call("run_job", { graph: tickerGraph(5), params: { count: 5 }, job_id: jobId });
    expect(first).toMatchObject({ job_id: jobId, message: "Job started", replayed: false });
    const again = await c.call("run_job", { graph: tickerGraph(5), params: { count: 5 }, job_id: jobId });
    expect(again).toMatchObject({ job_id: jobId, replayed: true });
    expectWholeRun(await c.untilEnd(jobId), jobId, null);
    await c.sync();
    // Attaching on the same connection did not send anything twice.
    expectWholeRun(c.events(jobId), jobId, null);

    const conflict = await c.call("run_job", { graph: tickerGraph(5), params: { count: 6 }, job_id: jobId });
    expect(conflict).toMatchObject({ command: "run_job", error_type: "conflict", job_id: jobId });
    expect(conflict.error).toMatch(/already exists with a different request/);

    // On another connection, the same request attaches to the finished job and replays it whole.
    const d = await as(alice, "binary");
    const replay = await d.call("run_job", { graph: tickerGraph(5), params: { count: 5 }, job_id: jobId });
    expect(replay).toMatchObject({ job_id: jobId, replayed: true, status: "completed" });
    expect(await d.untilEnd(jobId)).toEqual(c.events(jobId));

    // Another user cannot take the id, and learns nothing about the job.
    const b = await as(bob, "text");
    const taken = await b.call("run_job", { graph: tickerGraph(5), params: { count: 5 }, job_id: jobId });
    expect(taken).toMatchObject({ error_type: "conflict" });
    await b.sync();
    expect(b.events(jobId)).toEqual([]);
    await Promise.all([c.close(), d.close(), b.close()]);
  });
});

describe("WebSocket: reconnecting and ownership", () => {
  it("resumes after a dropped connection with reconnect_job: before + after = the uninterrupted run", async () => {
    const a = await as(alice, "binary");
    const { job_id } = await a.call("run_job", { graph: tickerGraph(20), params: { count: 100 } });
    const jobId = job_id as string;
    await a.next((m) => m.job_id === jobId && m.type === "node_progress" && (m.progress as number) >= 3);
    const closing = a.terminate();
    const before = a.events(jobId);
    await closing;
    expect(before.some(isTerminal)).toBe(false);
    const lastSeq = before.at(-1)!.job_seq as number;

    // The same user on a new connection (in the other mode) adopts the job.
    const b = await as(alice, "text");
    const reply = await b.call("reconnect_job", { job_id: jobId, last_seq: lastSeq });
    expect(reply).toMatchObject({ command: "reconnect_job", job_id: jobId, workflow_id: null, last_seq: lastSeq });
    const status = await b.call("get_status", {});
    expect(status.active_jobs).toContainEqual(expect.objectContaining({ job_id: jobId, status: "running" }));
    const after = await b.untilEnd(jobId);
    expect(after[0].job_seq).toBe(lastSeq + 1);
    const whole = [...before, ...after];
    const last = expectWholeRun(whole, jobId, null);
    expect(last.result).toEqual({ total: [100] });

    // The uninterrupted sequence of the same job, replayed from the start, is the same messages.
    const c = await as(alice, "binary");
    await c.call("reconnect_job", { job_id: jobId });
    expect(await c.untilEnd(jobId)).toEqual(whole);
    await Promise.all([b.close(), c.close()]);
  });

  it("reconnect_job on a job this connection already follows restarts from the given last_seq", async () => {
    const c = await as(alice, "text");
    const { job_id } = await c.call("run_job", { graph: tickerGraph(10), params: { count: 30 } });
    const jobId = job_id as string;
    await c.next((m) => m.job_id === jobId && m.type === "node_progress");
    const seen = c.events(jobId).length;
    await c.call("reconnect_job", { job_id: jobId, last_seq: seen });
    await c.next((m) => m.job_id === jobId && isTerminal(m));
    await c.sync();
    // The first feed may have sent a few more messages before the reply; everything after the reply is
    // the new feed: job_seq seen+1..N in order, with the one terminal update.
    const replyAt = c.received.findIndex((r) => r.msg.command === "reconnect_job");
    const ofJob = (rs: Received[]) => rs.filter((r) => r.msg.job_id === jobId && isEvent(r.msg)).map((r) => r.msg);
    const earlier = ofJob(c.received.slice(0, replyAt));
    const resumed = ofJob(c.received.slice(replyAt + 1));
    expect(earlier.map((e) => e.job_seq)).toEqual(earlier.map((_, i) => i + 1));
    expect(earlier.some(isTerminal)).toBe(false);
    expect(resumed.map((e) => e.job_seq)).toEqual(resumed.map((_, i) => seen + 1 + i));
    expect(resumed.filter(isTerminal)).toHaveLength(1);
    expect(resumed.at(-1)).toMatchObject({ type: "job_update", status: "completed" });
    await c.close();
  });

  it("never lets another user reconnect to, cancel, or see the status of a job, nor receive its messages", async () => {
    const a = await as(alice, "binary");
    const { job_id } = await a.call("run_job", { workflow_id: savedTicker, params: { count: 40 } });
    const jobId = job_id as string;
    const b = await as(bob, "text");
    for (const [command, data] of [
      ["reconnect_job", { job_id: jobId, last_seq: 0 }],
      ["cancel_job", { job_id: jobId }],
      ["get_status", { job_id: jobId }],
    ] as const) {
      expect(await b.call(command, data)).toEqual({ command, error: `Job '${jobId}' not found`, error_type: "not_found" });
    }
    expect((await b.call("get_status", {})).active_jobs).toEqual([]);
    expect((await b.call("run_job", { workflow_id: savedTicker })).error).toBe(`Workflow '${savedTicker}' not found`);
    // Bob's cancel did nothing: Alice's job completes.
    expectWholeRun(await a.untilEnd(jobId), jobId, savedTicker);
    await b.sync();
    expect(b.received.filter((r) => r.msg.job_id === jobId && isEvent(r.msg))).toEqual([]);
    expect((await api(`/api/jobs/${jobId}`, bob)).status).toBe(404);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("WebSocket: status and lifetime", () => {
  it("get_status reports one job or the connection's active jobs, and a job outlives its socket", async () => {
    const a = await as(alice, "text");
    const slow = (await a.call("run_job", { graph: tickerGraph(20), params: { count: 100 } })).job_id as string;
    const quick = (await a.call("run_job", { graph: tickerGraph(0), params: { count: 2 } })).job_id as string;
    await a.untilEnd(quick);
    await a.next((m) => m.job_id === slow && m.type === "node_progress");

    const one = await a.call("get_status", { job_id: slow });
    expect(one).toMatchObject({ command: "get_status", job_id: slow, workflow_id: null, status: "running" });
    expect(one.last_seq).toBeGreaterThan(0);

    const done = await a.call("get_status", { job_id: quick });
    expect(done).toMatchObject({ job_id: quick, status: "completed", result: { total: 2 } });
    expect(done.last_seq).toBe(a.events(quick).length);

    // Without job_id: the jobs this connection follows that have not ended (not the finished one).
    const all = await a.call("get_status");
    expect((all.active_jobs as Msg[]).map((j) => j.job_id)).toEqual([slow]);
    expect(((await a.call("get_status", null)).active_jobs as Msg[]).map((j) => j.job_id)).toEqual([slow]);

    await a.close();
    const afterClose = (await (await api(`/api/jobs/${slow}`, alice)).json()) as { status: string };
    expect(afterClose.status).toBe("running");

    // It goes on to complete; a new socket sees the end and the HTTP API the result.
    const b = await as(alice, "binary");
    await b.call("reconnect_job", { job_id: slow, last_seq: 0 });
    expect(expectWholeRun(await b.untilEnd(slow), slow, null).result).toEqual({ total: [100] });
    const row = (await (await api(`/api/jobs/${slow}`, alice)).json()) as { status: string; result: unknown };
    expect(row).toMatchObject({ status: "completed", result: { total: 100 } });
    await b.sync();
    expect((await b.call("get_status", {})).active_jobs).toEqual([]);
    await b.close();
  });
});

describe("WebSocket: modes", () => {
  it("answers in the kind of the last frame, and set_mode pins the mode until the next set_mode", async () => {
    const c = await as(alice, "binary");
    c.send("ping");
    expect((await c.next((m) => m.type === "pong")).kind).toBe("binary");
    c.raw(JSON.stringify({ command: "ping" }));
    expect((await c.next((m) => m.type === "pong")).kind).toBe("text");

    c.raw(encode({ command: "set_mode", data: { mode: "text" } }));
    const pinned = await c.next((m) => m.command === "set_mode");
    expect(pinned).toMatchObject({ kind: "text", msg: { command: "set_mode", mode: "text" } });
    c.raw(encode({ command: "ping" }));
    expect((await c.next((m) => m.type === "pong")).kind).toBe("text");

    // Job messages follow the pinned mode too.
    c.raw(encode({ command: "run_job", data: { graph: tickerGraph(0), params: { count: 2 } } }));
    const { msg } = await c.next((m) => m.command === "run_job");
    await c.untilEnd(msg.job_id as string);
    expect(new Set(c.received.filter((r) => r.msg.job_id === msg.job_id).map((r) => r.kind))).toEqual(new Set(["text"]));

    c.raw(JSON.stringify({ command: "set_mode", data: { mode: "binary" } }));
    expect((await c.next((m) => m.command === "set_mode")).kind).toBe("binary");
    c.raw(JSON.stringify({ command: "ping" }));
    expect((await c.next((m) => m.type === "pong")).kind).toBe("binary");
    await c.close();
  });
});

describe("WebSocket: bad frames", () => {
  it("answers every malformed frame or command with an {error} reply and stays usable", async () => {
    const c = await as(alice, "text");
    const expectError = async (send: () => void, expected: Msg, kind: Mode) => {
      send();
      const { kind: got, msg } = await c.next((m) => typeof m.error === "string");
      expect(got).toBe(kind);
      expect(msg).toMatchObject(expected);
      await c.sync(); // still answering
    };
    // Frames that cannot be read at all.
    await expectError(() => c.raw(new Uint8Array([0xc1, 0x00, 0x01])), { error_type: "invalid_request", error: expect.stringMatching(/^Binary frame is not valid MessagePack/) }, "binary");
    await expectError(() => c.raw("{not json"), { error_type: "invalid_request", error: expect.stringMatching(/^Text frame is not valid JSON/) }, "text");
    await expectError(() => c.raw("[1, 2]"), { error: "A frame must be an object {command, data}, got an array" }, "text");
    await expectError(() => c.raw(encode("run_job")), { error: "A frame must be an object {command, data}, got a string" }, "binary");
    await expectError(() => c.raw(JSON.stringify({ data: {} })), { error: "Missing 'command': every frame is an object {command, data}" }, "text");
    await expectError(() => c.raw(JSON.stringify({ command: 7 })), { error: "'command' must be a string" }, "text");
    await expectError(
      () => c.raw(JSON.stringify({ command: "fly" })),
      { command: "fly", error: "Unknown command 'fly'; expected one of run_job, cancel_job, get_status, reconnect_job, set_mode, ping, resume_job, stream_input, end_input_stream, stop, chat_message" },
      "text",
    );

    // Missing or invalid data.
    const missing = { error_type: "validation_error" };
    await expectError(() => c.send("cancel_job"), { ...missing, command: "cancel_job", error: "Missing 'data' for cancel_job: expected {job_id}" }, "text");
    await expectError(() => c.send("reconnect_job"), { ...missing, error: "Missing 'data' for reconnect_job: expected {job_id, last_seq?}" }, "text");
    await expectError(() => c.send("run_job"), { ...missing, error: expect.stringMatching(/^Missing 'data' for run_job/) }, "text");
    await expectError(() => c.send("set_mode"), { ...missing, error: "Missing 'data' for set_mode: expected {mode: 'binary' | 'text'}" }, "text");
    await expectError(() => c.send("cancel_job", {}), { ...missing, error: "Invalid data for cancel_job: data.job_id: job_id is required" }, "text");
    await expectError(() => c.send("cancel_job", "abc"), { ...missing, error: expect.stringMatching(/^Invalid data for cancel_job: data: /) }, "text");
    await expectError(() => c.send("reconnect_job", { job_id: "x", last_seq: -1 }), { ...missing, error: expect.stringMatching(/^Invalid data for reconnect_job: data\.last_seq: /) }, "text");
    await expectError(() => c.send("set_mode", { mode: "loud" }), { ...missing, error: expect.stringMatching(/^Invalid data for set_mode: data\.mode: /) }, "text");
    await expectError(
      () => c.send("run_job", { params: {} }),
      { ...missing, error: "Invalid data for run_job: data: run_job needs workflow_id (a saved workflow) or graph (an unsaved {nodes, edges} graph)" },
      "text",
    );
    await expectError(
      () => c.send("run_job", { graph: { nodes: "none" } }),
      { ...missing, error: expect.stringMatching(/^Invalid data for run_job: data\.graph\.nodes: /), details: [expect.objectContaining({ path: "data.graph.nodes" })] },
      "text",
    );
    await expectError(() => c.send("run_job", { type: "other", workflow_id: savedTicker }), { ...missing, error: expect.stringMatching(/data\.type: data\.type must be 'run_job_request'/) }, "text");

    // Runs the server refuses: bad params (with the validation details), unknown workflow, bad graph.
    c.send("run_job", { workflow_id: savedTicker, params: { count: 5000, nope: 1 } });
    const badParams = await c.reply("run_job");
    expect(badParams).toMatchObject({ error_type: "validation_error", error: expect.stringMatching(/^Invalid params/) });
    const details = badParams.details as { node_id: string | null; message: string }[];
    expect(details).toContainEqual(expect.objectContaining({ node_id: "count", message: expect.stringMatching(/500/) }));
    // An unknown param is not an issue: NodeTool's runner ignores it (the run would log a warning).
    expect(details.some((d) => /nope/.test(d.message))).toBe(false);
    await expectError(() => c.send("run_job", { workflow_id: "no-such-workflow" }), { command: "run_job", error_type: "not_found", error: "Workflow 'no-such-workflow' not found" }, "text");
    await expectError(
      () => c.send("run_job", { graph: { nodes: [{ id: "x", type: "nodetool.nope.Missing" }], edges: [] } }),
      { error_type: "validation_error", details: [expect.objectContaining({ node_id: "x" })] },
      "text",
    );
    await expectError(() => c.send("run_job", { graph: tickerGraph(0), job_id: "bad id!" }), { ...missing, error: expect.stringMatching(/data\.job_id/) }, "text");

    // Unknown job ids on every command that names one.
    for (const [command, data] of [
      ["cancel_job", { job_id: "no-such-job" }],
      ["get_status", { job_id: "no-such-job" }],
      ["reconnect_job", { job_id: "no-such-job", last_seq: 3 }],
    ] as const) {
      await expectError(() => c.send(command, data), { command, error_type: "not_found", error: "Job 'no-such-job' not found" }, "text");
    }

    // After all that, the connection still runs jobs.
    const ok = await c.call("run_job", { graph: tickerGraph(0), params: { count: 1 } });
    expectWholeRun(await c.untilEnd(ok.job_id as string), ok.job_id as string, null);
    expect(c.isOpen).toBe(true);
    await c.close();
  });
});

describe("WebSocket: authentication on the upgrade", () => {
  it("refuses a missing or wrong token with close code 1008 and a reason", async () => {
    for (const path of ["/ws", "/predict"]) {
      const none = await refused(`${edge.url}${path}`);
      expect(none.code).toBe(1008);
      expect(none.reason).toMatch(/Missing bearer token/);
      expect((await refused(`${edge.url}${path}`, { Authorization: "Bearer not-a-jwt" })).code).toBe(1008);
      const forged = await refused(`${edge.url}${path}?api_key=${await tokenFor("alice", "another-secret-0000000000000000000000")}`);
      expect(forged).toEqual({ code: 1008, reason: "Invalid token" });
    }
  });

  it("accepts the token as a Bearer header, an api_key query parameter or a token query parameter", async () => {
    const owner = await as(alice);
    const { job_id } = await owner.call("run_job", { graph: tickerGraph(0), params: { count: 1 } });
    await owner.close();
    for (const connect of [
      () => Client.connect(`${edge.url}/ws`, "text", { Authorization: `Bearer ${alice}` }),
      () => Client.connect(`${edge.url}/ws?api_key=${alice}`, "text"),
      () => Client.connect(`${edge.url}/predict?token=${alice}`, "text"),
    ]) {
      const c = await connect();
      // Acting as alice: her job is visible.
      expect(await c.call("get_status", { job_id })).toMatchObject({ job_id, command: "get_status" });
      await c.close();
    }
  });

  it("answers a plain HTTP request to the socket endpoints with 426 in the error shape", async () => {
    for (const path of ["/ws", "/predict"]) {
      const res = await fetch(`${edge.url}${path}`, { headers: { Authorization: `Bearer ${alice}` } });
      expect(res.status).toBe(426);
      expect(await res.json()).toEqual({ error: { message: expect.stringMatching(/WebSocket/), type: "invalid_request", code: 426 } });
    }
  });

  it("works with static tokens too, and says so when no token is configured (1011)", async () => {
    const staticEdge = await startEdge(state, { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: "ws-static-token" });
    try {
      expect((await refused(`${staticEdge.url}/ws?token=wrong`)).code).toBe(1008);
      const c = await Client.connect(`${staticEdge.url}/ws?token=ws-static-token`, "binary");
      await c.sync();
      await c.close();
    } finally {
      await staticEdge.stop();
    }
    const unconfigured = await startEdge(state, { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: "", WORKER_AUTH_TOKEN: "" });
    try {
      const closed = await refused(`${unconfigured.url}/ws?token=anything`);
      expect(closed.code).toBe(1011);
      expect(closed.reason).toMatch(/SERVER_AUTH_TOKEN/);
      expect(new TextEncoder().encode(closed.reason).length).toBeLessThanOrEqual(123);
    } finally {
      await unconfigured.stop();
    }
  });
});

describe("WebSocket frame codec", () => {
  const bytes = new Uint8Array([0, 1, 2, 250, 255]);
  const message = { type: "output_update", job_id: "j", workflow_id: null, job_seq: 3, node_id: "n", node_name: "n", output_name: "output", output_type: "image", value: { type: "image", data: bytes } };

  it("sends bytes as MessagePack bin in binary mode and as a data: URI in text mode", () => {
    const binary = encodeReply("binary", message) as Uint8Array;
    expect(binary).toBeInstanceOf(Uint8Array);
    const decoded = decode(binary) as typeof message;
    expect(decoded.value.data).toBeInstanceOf(Uint8Array);
    expect([...decoded.value.data]).toEqual([...bytes]);
    // bin 8 marker (0xc4) then the length, right before the bytes.
    const at = Buffer.from(binary).indexOf(Buffer.from([0xc4, bytes.length, ...bytes]));
    expect(at).toBeGreaterThan(0);

    const text = encodeReply("text", message);
    expect(typeof text).toBe("string");
    expect(JSON.parse(text as string).value.data).toBe(`data:application/octet-stream;base64,${Buffer.from(bytes).toString("base64")}`);
  });

  it("forwards a logged job message untouched in binary mode and as JSON with data: URIs in text mode", () => {
    const logged = encodeMsgpack(message);
    expect(encodeJobMessage("binary", logged)).toBe(logged);
    const json = JSON.parse(encodeJobMessage("text", logged) as string);
    expect(json).toEqual({ ...message, value: { type: "image", data: `data:application/octet-stream;base64,${Buffer.from(bytes).toString("base64")}` } });
  });

  it("reads frames by kind and reports unreadable ones instead of throwing", () => {
    expect(readClientFrame(JSON.stringify({ command: "ping" }))).toEqual({ mode: "text", ok: true, value: { command: "ping" } });
    const bin = encode({ command: "run_job", data: { params: { image: bytes } } });
    const read = readClientFrame(new Uint8Array(bin).buffer);
    expect(read).toMatchObject({ mode: "binary", ok: true });
    expect([...((read as { value: { data: { params: { image: Uint8Array } } } }).value.data.params.image)]).toEqual([...bytes]);
    expect(readClientFrame(new Uint8Array([0xc1]).buffer)).toMatchObject({ mode: "binary", ok: false });
    expect(readClientFrame("nope")).toMatchObject({ mode: "text", ok: false });
    expect(new TextEncoder().encode(closeReason("é".repeat(200))).length).toBeLessThanOrEqual(123);
  });
});

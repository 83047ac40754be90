import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

// Black-box: a real Worker on loopback, read with a real SSE parser, the connection really dropped.
const TOKEN = "sse-resume-test-token";
type Message = { type: string; job_seq: number; status?: string; result?: unknown };

let edge: LocalEdge;
beforeAll(async () => {
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN, JOB_LOG_RETENTION_SECONDS: "1" });
});
afterAll(async () => {
  await edge?.stop();
});

async function api(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${edge.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...init.headers },
  });
}

async function tickerWorkflow(count: number, intervalMs: number): Promise<string> {
  const res = await api("/api/workflows", {
    method: "POST",
    body: JSON.stringify({
      name: "ticker",
      graph: {
        nodes: [
          { id: "t", type: "edge.diagnostics.Ticker", data: { count, interval_ms: intervalMs } },
          { id: "o", type: "nodetool.output.Output", data: { name: "ticks" } },
        ],
        edges: [{ source: "t", sourceHandle: "output", target: "o", targetHandle: "value" }],
      },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Reads SSE messages until `stopAfter` of them arrived (then drops the connection) or the stream ends. */
async function readSse(res: Response, stopAfter = Infinity, abort?: AbortController): Promise<{ messages: Message[]; ids: number[]; done: boolean }> {
  const messages: Message[] = [];
  const ids: number[] = [];
  let done = false;
  const parser = createParser({
    onEvent: (e) => {
      if (e.data === "[DONE]") done = true;
      else {
        messages.push(JSON.parse(e.data) as Message);
        ids.push(Number(e.id));
      }
    },
  });
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  while (messages.length < stopAfter) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  if (messages.length >= stopAfter) {
    abort?.abort();
    await reader.cancel().catch(() => {});
  }
  return { messages, ids, done };
}

const isTerminal = (m: Message) => m.type === "job_update" && ["completed", "failed", "cancelled", "timed_out"].includes(m.status ?? "");

describe("SSE resume against the real Worker", () => {
  it("a dropped stream resumed with Last-Event-ID equals an uninterrupted read of the same job", async () => {
    const wf = await tickerWorkflow(40, 10);
    const abort = new AbortController();
    const started = await api(`/workflows/${wf}/run/stream`, { method: "POST", body: "{}", signal: abort.signal });
    const jobId = started.headers.get("X-Job-Id")!;
    const first = await readSse(started, 7, abort);
    expect(first.done).toBe(false);
    expect(first.ids).toEqual(first.messages.map((m) => m.job_seq));

    const resumed = await readSse(await api(`/api/jobs/${jobId}/stream`, { headers: { "Last-Event-ID": String(first.ids.at(-1)) } }));
    expect(resumed.done).toBe(true);
    const combined = [...first.messages, ...resumed.messages];
    const whole = await readSse(await api(`/api/jobs/${jobId}/stream`));
    expect(combined).toEqual(whole.messages);
    expect(combined.map((m) => m.job_seq)).toEqual(combined.map((_, i) => i + 1));
    expect(combined.filter(isTerminal)).toEqual([expect.objectContaining({ status: "completed", result: { ticks: 40 } })]);
    expect(combined.filter((m) => m.type === "node_progress")).toHaveLength(40);
  });

  it("resumes NDJSON with ?last_seq the same way", async () => {
    const wf = await tickerWorkflow(15, 10);
    const started = await api(`/api/workflows/${wf}/run?stream=true`, { method: "POST", body: "{}" });
    const jobId = started.headers.get("X-Job-Id")!;
    const all = (await started.text()).trim().split("\n").map((l) => JSON.parse(l) as Message);
    const tail = await api(`/api/jobs/${jobId}/stream?last_seq=5`, { headers: { Accept: "application/x-ndjson" } });
    const rest = (await tail.text()).trim().split("\n").map((l) => JSON.parse(l) as Message);
    expect(rest).toEqual(all.slice(5));
  });

  it("the job keeps running after its client went away", async () => {
    const wf = await tickerWorkflow(10, 10);
    const abort = new AbortController();
    const started = await api(`/workflows/${wf}/run/stream`, { method: "POST", body: "{}", signal: abort.signal });
    const jobId = started.headers.get("X-Job-Id")!;
    await readSse(started, 2, abort);
    const rest = await readSse(await api(`/api/jobs/${jobId}/stream?last_seq=2`));
    expect(rest.messages.filter(isTerminal)).toEqual([expect.objectContaining({ status: "completed" })]);
    const job = (await (await api(`/api/jobs/${jobId}`)).json()) as { status: string; outputs: unknown };
    expect(job).toMatchObject({ status: "completed", outputs: { ticks: [10] } });
  });

  it("drops a finished job's log after JOB_LOG_RETENTION_SECONDS (1 s here) and keeps its D1 record", async () => {
    const wf = await tickerWorkflow(3, 0);
    const run = await api(`/workflows/${wf}/run`, { method: "POST", body: "{}" });
    const { job_id: jobId } = (await run.json()) as { job_id: string };
    const whole = await readSse(await api(`/api/jobs/${jobId}/stream`));
    expect(whole.messages.length).toBeGreaterThan(3);
    // The retention alarm fires on its own about a second after the job ended; poll until it has.
    let after = whole;
    for (let attempt = 0; attempt < 100 && after.messages.length > 1; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await readSse(await api(`/api/jobs/${jobId}/stream`));
    }
    expect(after.messages).toEqual([whole.messages.at(-1)]);
    expect(after.done).toBe(true);
    const job = (await (await api(`/api/jobs/${jobId}`)).json()) as { status: string; last_seq: number };
    expect(job).toMatchObject({ status: "completed", last_seq: whole.messages.length });
  });
});

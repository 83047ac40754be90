import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import type { JobObject } from "../../edge/jobs/job-object";
import { saved, sseEvents } from "./helpers";
import { call, errorOf, tokenFor, worker } from "./users";

type Message = Record<string, unknown> & { type: string; job_seq: number; status?: string };

/** A workflow whose one node ticks `count` times, `interval_ms` apart, reporting node_progress each time. */
function tickerWorkflow(count: number, intervalMs: number, settings: Record<string, unknown> = {}) {
  return {
    name: `ticker ${count}x${intervalMs}`,
    settings,
    graph: {
      nodes: [
        { id: "t", type: "edge.diagnostics.Ticker", data: { count, interval_ms: intervalMs } },
        { id: "o", type: "nodetool.output.Output", data: { name: "ticks" } },
      ],
      edges: [{ source: "t", sourceHandle: "output", target: "o", targetHandle: "value" }],
    },
  };
}

const messagesOf = (events: EventSourceMessage[]): Message[] => events.filter((e) => e.data !== "[DONE]").map((e) => JSON.parse(e.data) as Message);
const terminals = (ms: Message[]) => ms.filter((m) => m.type === "job_update" && ["completed", "failed", "cancelled", "timed_out"].includes(m.status!));

/** Starts a job through the SSE run route and returns its id with the still-unread stream. */
async function startStreaming(user: string, workflowId: string, headers: Record<string, string> = {}): Promise<{ jobId: string; res: Response }> {
  const res = await call(user, "POST", `/workflows/${workflowId}/run/stream`, {}, headers);
  expect(res.status).toBe(200);
  return { jobId: res.headers.get("X-Job-Id")!, res };
}

async function finishedJob(user: string): Promise<string> {
  const id = await saved(user);
  const res = await call(user, "POST", `/api/workflows/${id}/run`, { params: { "first name": "Kay" } });
  expect(res.status).toBe(200);
  return res.headers.get("X-Job-Id")!;
}

const jobStub = (jobId: string) => env.JOBS.get(env.JOBS.idFromName(jobId)) as DurableObjectStub<JobObject>;

describe("jobs API: list and get", () => {
  it("lists the caller's jobs newest first with cursor pagination and filters", async () => {
    const wfA = await saved("lister");
    const wfB = await saved("lister");
    const ids: string[] = [];
    for (const wf of [wfA, wfB, wfA]) {
      const res = await call("lister", "POST", `/api/workflows/${wf}/run`, {});
      ids.push(res.headers.get("X-Job-Id")!);
    }
    await finishedJob("someone-else");

    const page1 = (await (await call("lister", "GET", "/api/jobs?limit=2")).json()) as { jobs: { id: string }[]; next: string | null };
    expect(page1.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(page1.next).toBeTruthy();
    const page2 = (await (await call("lister", "GET", `/api/jobs?limit=2&cursor=${page1.next}`)).json()) as { jobs: { id: string }[]; next: string | null };
    expect(page2.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(page2.next).toBeNull();

    const byWorkflow = (await (await call("lister", "GET", `/api/jobs?workflow_id=${wfA}`)).json()) as { jobs: { id: string }[] };
    expect(byWorkflow.jobs.map((j) => j.id)).toEqual([ids[2], ids[0]]);
    const completed = (await (await call("lister", "GET", "/api/jobs?status=completed")).json()) as { jobs: unknown[] };
    expect(completed.jobs).toHaveLength(3);
    const failed = (await (await call("lister", "GET", "/api/jobs?status=failed")).json()) as { jobs: unknown[] };
    expect(failed.jobs).toHaveLength(0);
  });

  it("records no job for a run that fails validation or names an unknown workflow", async () => {
    const wf = await saved("strict", {
      name: "bounded",
      graph: {
        nodes: [
          { id: "n", type: "nodetool.input.IntegerInput", data: { name: "count", value: 5, min: 1, max: 10 } },
          { id: "o", type: "nodetool.output.Output", data: { name: "count" } },
        ],
        edges: [{ source: "n", sourceHandle: "output", target: "o", targetHandle: "value" }],
      },
    });
    const invalid = await call("strict", "POST", `/workflows/${wf}/run`, { params: { count: 99 } });
    expect(invalid.status).toBe(422);
    expect((await call("strict", "POST", "/workflows/0123456789abcdef/run", {})).status).toBe(404);
    expect((await call("strict", "POST", `/workflows/${wf}/run`, {})).status).toBe(200);
    const { jobs } = (await (await call("strict", "GET", "/api/jobs")).json()) as { jobs: { params: unknown }[] };
    expect(jobs.map((j) => j.params)).toEqual([{}]);
  });

  it("rejects bad list queries", async () => {
    expect((await call("lister", "GET", "/api/jobs?cursor=not-a-cursor")).status).toBe(400);
    const badStatus = await call("lister", "GET", "/api/jobs?status=sleeping");
    expect(badStatus.status).toBe(422);
    expect((await errorOf(badStatus)).type).toBe("validation_error");
    expect((await call("lister", "GET", "/api/jobs?limit=501")).status).toBe(422);
  });

  it("returns a job with params, result, outputs as arrays, times and last_seq", async () => {
    const jobId = await finishedJob("getter");
    const res = await call("getter", "GET", `/api/jobs/${jobId}`);
    expect(res.status).toBe(200);
    const job = (await res.json()) as Record<string, unknown>;
    expect(job).toMatchObject({
      id: jobId,
      status: "completed",
      params: { "first name": "Kay" },
      result: { greeting: "Kay" },
      outputs: { greeting: ["Kay"] },
      error: null,
    });
    expect(typeof job.duration).toBe("number");
    expect(Date.parse(job.created_at as string)).toBeLessThanOrEqual(Date.parse(job.finished_at as string));
    expect(job.last_seq).toBeGreaterThan(1);
    expect(job).not.toHaveProperty("user_id");
    expect(job).not.toHaveProperty("request_hash");
  });

  it("answers 401 without or with a wrong token, 404 for unknown and foreign jobs, 422 for malformed ids", async () => {
    const jobId = await finishedJob("owner");
    for (const path of ["/api/jobs", `/api/jobs/${jobId}`, `/api/jobs/${jobId}/stream`]) {
      expect((await call(null, "GET", path)).status).toBe(401);
      const wrong = await worker().fetch(`https://edge.test${path}`, { headers: { Authorization: "Bearer not-a-jwt" } });
      expect(wrong.status).toBe(401);
      const expired = await worker().fetch(`https://edge.test${path}`, { headers: { Authorization: `Bearer ${await tokenFor("owner", { expiresIn: "-1m" })}` } });
      expect(expired.status).toBe(401);
    }
    expect((await call(null, "POST", `/api/jobs/${jobId}/cancel`)).status).toBe(401);
    for (const [method, path] of [
      ["GET", `/api/jobs/${jobId}`],
      ["GET", `/api/jobs/${jobId}/stream`],
      ["POST", `/api/jobs/${jobId}/cancel`],
      ["GET", "/api/jobs/0123456789abcdef"],
      ["POST", "/api/jobs/0123456789abcdef/cancel"],
      ["GET", "/api/jobs/0123456789abcdef/stream"],
    ] as const) {
      const res = await call("intruder", method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(res)).type).toBe("not_found");
    }
    expect((await call("owner", "GET", "/api/jobs/bad%20id!")).status).toBe(422);
    // The foreign reads left the job untouched.
    expect(((await (await call("owner", "GET", `/api/jobs/${jobId}`)).json()) as { status: string }).status).toBe("completed");
  });
});

describe("jobs API: streams and resume", () => {
  it("replays a finished job's log as SSE with ids, from Last-Event-ID or ?last_seq, without gaps or repeats", async () => {
    const jobId = await finishedJob("replayer");
    const all = messagesOf((await sseEvents(await call("replayer", "GET", `/api/jobs/${jobId}/stream`))).events);
    expect(all.map((m) => m.job_seq)).toEqual(all.map((_, i) => i + 1));
    expect(terminals(all)).toHaveLength(1);
    expect(all.at(-1)).toMatchObject({ type: "job_update", status: "completed", result: { greeting: "Kay" } });

    const cut = 2;
    const { events } = await sseEvents(await call("replayer", "GET", `/api/jobs/${jobId}/stream`, undefined, { "Last-Event-ID": String(cut) }));
    expect(events.filter((e) => e.data !== "[DONE]").map((e) => Number(e.id))).toEqual(all.slice(cut).map((m) => m.job_seq));
    expect(events.at(-1)!.data).toBe("[DONE]");
    const viaQuery = messagesOf((await sseEvents(await call("replayer", "GET", `/api/jobs/${jobId}/stream?last_seq=${cut}`))).events);
    expect(viaQuery).toEqual(all.slice(cut));
    // The header wins: EventSource reconnects to the same URL with a newer Last-Event-ID.
    const both = messagesOf((await sseEvents(await call("replayer", "GET", `/api/jobs/${jobId}/stream?last_seq=1`, undefined, { "Last-Event-ID": String(all.length - 1) }))).events);
    expect(both).toEqual(all.slice(-1));
  });

  it("gives NDJSON with Accept: application/x-ndjson and rejects a malformed resume point", async () => {
    const jobId = await finishedJob("replayer");
    const res = await call("replayer", "GET", `/api/jobs/${jobId}/stream?last_seq=1`, undefined, { Accept: "application/x-ndjson" });
    expect(res.headers.get("Content-Type")).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as Message);
    expect(lines[0].job_seq).toBe(2);
    expect(lines.at(-1)!.status).toBe("completed");
    expect((await call("replayer", "GET", `/api/jobs/${jobId}/stream?last_seq=-1`)).status).toBe(422);
    expect((await call("replayer", "GET", `/api/jobs/${jobId}/stream`, undefined, { "Last-Event-ID": "abc" })).status).toBe(422);
  });

  it("resumes a live job: the first stream cut short plus the resumed one equal the whole log", async () => {
    const wf = await saved("live", tickerWorkflow(12, 15));
    const { jobId, res } = await startStreaming("live", wf);
    // Read a few events, then drop the connection.
    const seen: Message[] = [];
    const reader = res.body!.getReader();
    const parser = createParser({ onEvent: (e) => e.data !== "[DONE]" && seen.push(JSON.parse(e.data) as Message) });
    const decoder = new TextDecoder();
    while (seen.length < 4) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    await reader.cancel();
    const lastSeq = seen.at(-1)!.job_seq;
    const rest = messagesOf((await sseEvents(await call("live", "GET", `/api/jobs/${jobId}/stream`, undefined, { "Last-Event-ID": String(lastSeq) }))).events);
    const combined = [...seen, ...rest];
    expect(combined.map((m) => m.job_seq)).toEqual(combined.map((_, i) => i + 1));
    expect(terminals(combined)).toEqual([expect.objectContaining({ status: "completed", result: { ticks: 12 } })]);
    expect(combined.filter((m) => m.type === "node_progress")).toHaveLength(12);
    // The whole log, read afterwards, is the same sequence.
    const replay = messagesOf((await sseEvents(await call("live", "GET", `/api/jobs/${jobId}/stream`))).events);
    expect(replay).toEqual(combined);
  });

  it("sends SSE keepalive comments while a job is quiet", async () => {
    // SSE_KEEPALIVE_MS is 100 in this suite; the job takes about 4 x 80 ms.
    const wf = await saved("quiet", tickerWorkflow(4, 80));
    const { res } = await startStreaming("quiet", wf);
    const { events, comments } = await sseEvents(res);
    expect(comments.filter((c) => c.trim() === "keepalive").length).toBeGreaterThan(0);
    expect(events.at(-1)!.data).toBe("[DONE]");
  });
});

describe("jobs API: cancel", () => {
  it("stops a running job: one terminal cancelled update, D1 says cancelled, a second cancel is a 409", async () => {
    const wf = await saved("canceller", tickerWorkflow(200, 10));
    const { jobId, res } = await startStreaming("canceller", wf);
    const streamed = sseEvents(res);
    const cancel = await call("canceller", "POST", `/api/jobs/${jobId}/cancel`);
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toEqual({ job_id: jobId, status: "cancelled" });
    const messages = messagesOf((await streamed).events);
    expect(terminals(messages)).toEqual([expect.objectContaining({ type: "job_update", status: "cancelled" })]);
    expect(messages.filter((m) => m.type === "node_progress").length).toBeLessThan(200);
    const job = (await (await call("canceller", "GET", `/api/jobs/${jobId}`)).json()) as { status: string; finished_at: string };
    expect(job.status).toBe("cancelled");
    expect(job.finished_at).toBeTruthy();
    const again = await call("canceller", "POST", `/api/jobs/${jobId}/cancel`);
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatchObject({ type: "conflict", status: "cancelled", job_id: jobId });
  });

  it("answers 409 for a job that completed", async () => {
    const jobId = await finishedJob("canceller");
    const res = await call("canceller", "POST", `/api/jobs/${jobId}/cancel`);
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatchObject({ type: "conflict", status: "completed" });
  });

  it("ends a job that outlives its workflow's max_run_seconds as timed_out", async () => {
    const wf = await saved("slow", tickerWorkflow(100, 20, { max_run_seconds: 0.15 }));
    const res = await call("slow", "POST", `/workflows/${wf}/run`, {});
    const body = (await res.json()) as { status: string; error: string; job_id: string };
    expect(body.status).toBe("timed_out");
    expect(body.error).toMatch(/longer than its limit of 0.15 s/);
    expect(((await (await call("slow", "GET", `/api/jobs/${body.job_id}`)).json()) as { status: string }).status).toBe("timed_out");
  });
});

describe("idempotent submission", () => {
  it("returns the same job for a repeated Idempotency-Key and body, and 409 for the same key with another body", async () => {
    const wf = await saved("idem");
    const key = { "Idempotency-Key": "order-42" };
    const first = await call("idem", "POST", `/workflows/${wf}/run`, { params: { "first name": "Ann" } }, key);
    const firstBody = (await first.json()) as { job_id: string; results: unknown };
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    // Same params in another key order: the same request.
    const again = await call("idem", "POST", `/workflows/${wf}/run`, { params: { "first name": "Ann" } }, key);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    const editor = await call("idem", "POST", `/api/workflows/${wf}/run`, { params: { "first name": "Ann" } }, key);
    expect(editor.headers.get("X-Job-Id")).toBe(firstBody.job_id);
    expect(await editor.json()).toEqual({ greeting: "Ann" });

    const conflict = await call("idem", "POST", `/workflows/${wf}/run`, { params: { "first name": "Bob" } }, key);
    expect(conflict.status).toBe(409);
    expect((await errorOf(conflict)).message).toMatch(/different request/);

    // Keys are per user: another user's same key is a new job.
    const wfOther = await saved("idem-other");
    const other = await call("idem-other", "POST", `/workflows/${wfOther}/run`, { params: { "first name": "Ann" } }, key);
    expect(((await other.json()) as { job_id: string }).job_id).not.toBe(firstBody.job_id);

    const { jobs } = (await (await call("idem", "GET", `/api/jobs?workflow_id=${wf}`)).json()) as { jobs: unknown[] };
    expect(jobs).toHaveLength(1);
  });

  it("replays the stream of a keyed streaming run instead of starting it again", async () => {
    const wf = await saved("idem-stream");
    const key = { "Idempotency-Key": "stream-1" };
    const first = messagesOf((await sseEvents((await startStreaming("idem-stream", wf, key)).res)).events);
    const second = await startStreaming("idem-stream", wf, key);
    expect(second.res.headers.get("Idempotent-Replayed")).toBe("true");
    expect(messagesOf((await sseEvents(second.res)).events)).toEqual(first);
  });

  it("rejects a malformed Idempotency-Key", async () => {
    const wf = await saved("idem");
    const res = await call("idem", "POST", `/workflows/${wf}/run`, {}, { "Idempotency-Key": "has spaces in it" });
    expect(res.status).toBe(422);
  });
});

describe("per-user concurrency", () => {
  it("queues jobs over MAX_CONCURRENT_JOBS_PER_USER (2 here) with a position, then runs them in order", async () => {
    const wf = await saved("busy", tickerWorkflow(6, 25));
    const started = [await startStreaming("busy", wf), await startStreaming("busy", wf), await startStreaming("busy", wf)];
    // Another user is not held up by this user's queue.
    expect((await (await call("idle", "POST", `/workflows/${await saved("idle")}/run`, {})).json()) as { status: string }).toMatchObject({ status: "completed" });
    const streams = await Promise.all(started.map(async (s) => messagesOf((await sseEvents(s.res)).events)));
    expect(streams[0][0]).toMatchObject({ type: "job_update", status: "running" });
    expect(streams[2][0]).toMatchObject({ type: "job_update", status: "queued", queue_position: 1 });
    expect(streams[2][1]).toMatchObject({ type: "job_update", status: "running" });
    for (const messages of streams) {
      expect(messages.map((m) => m.job_seq)).toEqual(messages.map((_, i) => i + 1));
      expect(terminals(messages)).toEqual([expect.objectContaining({ status: "completed", result: { ticks: 6 } })]);
    }
    const third = (await (await call("busy", "GET", `/api/jobs/${started[2].jobId}`)).json()) as { started_at: string; status: string };
    expect(third.status).toBe("completed");
  });

  it("cancels a queued job without running it", async () => {
    const wf = await saved("busy2", tickerWorkflow(20, 20));
    const running = [await startStreaming("busy2", wf), await startStreaming("busy2", wf)];
    const queued = await startStreaming("busy2", wf);
    const cancel = await call("busy2", "POST", `/api/jobs/${queued.jobId}/cancel`);
    expect(await cancel.json()).toEqual({ job_id: queued.jobId, status: "cancelled" });
    const messages = messagesOf((await sseEvents(queued.res)).events);
    expect(messages.map((m) => [m.type, m.status])).toEqual([
      ["job_update", "queued"],
      ["job_update", "cancelled"],
    ]);
    for (const r of running) await call("busy2", "POST", `/api/jobs/${r.jobId}/cancel`);
  });
});

describe("watchdog and retention", () => {
  it("ends a run whose object lost it (evicted mid-run) as failed, with a clear error", async () => {
    const jobId = "lost-run-job";
    await env.DB.prepare("INSERT INTO jobs (id, user_id, workflow_id, status, params, created_at, started_at, attempts) VALUES (?, 'wd', NULL, 'running', '{}', ?, ?, 1)")
      .bind(jobId, new Date().toISOString(), new Date().toISOString())
      .run();
    // What storage holds after the instance running the job went away: a running state and part of a log.
    await runInDurableObject(jobStub(jobId), async (_instance, state) => {
      state.storage.sql.exec("CREATE TABLE events (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)");
      state.storage.sql.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      const now = Date.now();
      const record = { job_id: jobId, user_id: "wd", workflow_id: null, status: "running", max_run_seconds: 3600, created_ms: now, started_ms: now };
      state.storage.sql.exec("INSERT INTO meta (key, value) VALUES ('state', ?)", JSON.stringify(record));
      await state.storage.setAlarm(now + 60_000);
    });
    expect(await runDurableObjectAlarm(jobStub(jobId))).toBe(true);
    const job = (await (await call("wd", "GET", `/api/jobs/${jobId}`)).json()) as { status: string; error: string; last_seq: number };
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/stopped unexpectedly/);
    const messages = messagesOf((await sseEvents(await call("wd", "GET", `/api/jobs/${jobId}/stream`))).events);
    expect(messages).toEqual([expect.objectContaining({ type: "job_update", status: "failed", job_seq: 1 })]);
    expect(job.last_seq).toBe(1);
  });

  it("removes a finished job's log after retention; the stream then ends with the final update from D1", async () => {
    const jobId = await finishedJob("retained");
    const full = messagesOf((await sseEvents(await call("retained", "GET", `/api/jobs/${jobId}/stream`))).events);
    const alarmAt = await runInDurableObject(jobStub(jobId), async (_i, state) => {
      // Pretend the job finished two days ago, past the 24 h default retention.
      const record = JSON.parse(state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'state'").one().value);
      const scheduled = await state.storage.getAlarm();
      record.finished_ms -= 2 * 86_400_000;
      state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'state'", JSON.stringify(record));
      return scheduled;
    });
    expect(alarmAt).toBeGreaterThan(Date.now() + 86_000_000);
    expect(await runDurableObjectAlarm(jobStub(jobId))).toBe(true);
    const tables = await runInDurableObject(jobStub(jobId), (_i, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray());
    expect(tables).toEqual([]);

    const after = messagesOf((await sseEvents(await call("retained", "GET", `/api/jobs/${jobId}/stream`))).events);
    expect(after).toEqual([expect.objectContaining({ type: "job_update", status: "completed", result: { greeting: "Kay" }, job_seq: full.length })]);
    const resumedPastEnd = messagesOf((await sseEvents(await call("retained", "GET", `/api/jobs/${jobId}/stream?last_seq=${full.length}`))).events);
    expect(resumedPastEnd).toEqual([]);
    expect(((await (await call("retained", "GET", `/api/jobs/${jobId}`)).json()) as { status: string }).status).toBe("completed");
  });
});

describe("queue restart", () => {
  it("rebuilds its running set from D1, so a restarted queue still counts the user's running jobs", async () => {
    const now = new Date().toISOString();
    for (const id of ["r-1", "r-2"]) {
      await env.DB.prepare("INSERT INTO jobs (id, user_id, workflow_id, status, params, created_at, attempts) VALUES (?, 'restarted', NULL, 'running', '{}', ?, 1)").bind(id, now).run();
    }
    // A fresh queue object for this user: both running jobs fill the limit of 2.
    const queue = env.QUEUES.get(env.QUEUES.idFromName("restarted"));
    expect(await queue.admit("r-3", "restarted")).toEqual({ admitted: false, position: 1 });
  });
});

describe("queue sweep", () => {
  it("frees a slot whose job ended without releasing it", async () => {
    const queue = env.QUEUES.get(env.QUEUES.idFromName("sweeper"));
    // Two slots held by jobs that never existed (as after a crash between admission and release).
    expect(await queue.admit("ghost-1", "sweeper")).toEqual({ admitted: true });
    expect(await queue.admit("ghost-2", "sweeper")).toEqual({ admitted: true });
    expect(await queue.admit("waiting-job", "sweeper")).toEqual({ admitted: false, position: 1 });
    expect(await runDurableObjectAlarm(queue)).toBe(true);
    // The sweep freed both ghosts and handed a slot to the waiting job (which has no object either, so it is freed too).
    expect(await queue.position("waiting-job")).toBeNull();
    expect(await queue.admit("next", "sweeper")).toEqual({ admitted: true });
  });
});

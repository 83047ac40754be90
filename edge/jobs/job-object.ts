import { DurableObject } from "cloudflare:workers";
import { executePlan, type RunResult } from "../../engine/executor/run-workflow";
import { planRun } from "../../engine/executor/plan";
import { TERMINAL_JOB_STATUSES, type EngineMessage, type JobStatus } from "../../schema/messages";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { toApiError } from "../errors/handler";
import { registry } from "../registry";
import { messageFrame, SSE_DONE, SSE_KEEPALIVE, STREAM_HEADERS, type StreamFormat } from "../streaming/frames";
import { markJobFinished } from "./job-rows";
import { JobSpecSchema, StartRespondSchema, type JobOutcome } from "./job-spec";

interface Subscriber {
  format: StreamFormat;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  keepalive?: ReturnType<typeof setInterval>;
}

function isTerminal(m: EngineMessage): boolean {
  return m.type === "job_update" && TERMINAL_JOB_STATUSES.includes(m.status);
}

/**
 * One Durable Object per job (DESIGN.md section 7). It runs the engine, stamps every message with the
 * job's increasing `job_seq`, appends it to its SQLite event log before anyone sees it, fans it out to
 * live subscribers, and writes the final status and outputs to the job's D1 row before publishing the
 * terminal `job_update`, so whoever sees the end can also read it back.
 */
export class JobObject extends DurableObject<Env> {
  private seq = 0;
  private jobId = "";
  private workflowId: string | null = null;
  private status: JobStatus | null = null;
  private outcome: JobOutcome | null = null;
  private readonly subscribers = new Set<Subscriber>();
  private readonly outcomeWaiters: ((o: JobOutcome) => void)[] = [];
  private controller: AbortController | null = null;
  private keepaliveMs = 15_000;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const meta = new Map(ctx.storage.sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta").toArray().map((r) => [r.key, r.value]));
    this.jobId = meta.get("job_id") ?? "";
    this.workflowId = meta.has("workflow_id") ? (JSON.parse(meta.get("workflow_id")!) as string | null) : null;
    this.status = (meta.get("status") as JobStatus | undefined) ?? null;
    this.outcome = meta.has("outcome") ? (JSON.parse(meta.get("outcome")!) as JobOutcome) : null;
    this.seq = ctx.storage.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM events").one().s ?? 0;
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (request.method === "POST" && url.pathname === "/start") return await this.start(request, url);
      if (request.method === "GET" && url.pathname === "/events") {
        const format = url.searchParams.get("format") === "ndjson" ? "ndjson" : "sse";
        return this.events(format, Number(url.searchParams.get("after") ?? "0") || 0);
      }
      if (request.method === "GET" && url.pathname === "/result") return Response.json(await this.waitForOutcome());
      if (request.method === "POST" && url.pathname === "/cancel") return Response.json(this.cancel());
      return new Response("not found", { status: 404 });
    } catch (err) {
      const apiError = toApiError(err);
      return Response.json(apiError.toBody(), { status: apiError.status });
    }
  }

  private setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
  }

  private async start(request: Request, url: URL): Promise<Response> {
    const respond = StartRespondSchema.parse(url.searchParams.get("respond") ?? "none");
    if (this.status === null) {
      const spec = JobSpecSchema.parse(await request.json());
      this.jobId = spec.job_id;
      this.workflowId = spec.workflow_id;
      this.keepaliveMs = spec.sse_keepalive_ms;
      this.status = "running";
      this.setMeta("job_id", spec.job_id);
      this.setMeta("workflow_id", JSON.stringify(spec.workflow_id));
      this.setMeta("status", "running");
      // The run outlives this request: a job keeps running when its client goes away.
      this.ctx.waitUntil(this.execute(spec.graph, spec.params, spec.max_run_seconds));
    }
    if (respond === "result") return Response.json(await this.waitForOutcome());
    if (respond === "sse" || respond === "ndjson") return this.events(respond, 0);
    return Response.json({ job_id: this.jobId, status: this.status });
  }

  private async execute(graph: unknown, params: Record<string, unknown>, maxRunSeconds: number): Promise<void> {
    const database = db(this.env.DB);
    this.controller = new AbortController();
    const timer = setTimeout(
      () => this.controller?.abort(new DOMException(`The job ran longer than ${maxRunSeconds} s`, "TimeoutError")),
      maxRunSeconds * 1000,
    );
    let terminal: EngineMessage | null = null;
    let run: RunResult;
    try {
      const plan = planRun(graph as never, params, registry);
      run = await executePlan(plan, {
        registry,
        signal: this.controller.signal,
        // Hold the terminal update back until D1 has the outcome (see the class comment).
        emit: (m) => (isTerminal(m) ? (terminal = m) : this.publish(m)),
      });
    } catch (err) {
      const message = toApiError(err).message;
      run = { status: "failed", result: {}, outputs: {}, error: message, duration: 0 };
      terminal = { type: "job_update", status: "failed", error: message, duration: 0 };
    } finally {
      clearTimeout(timer);
    }
    const outcome: JobOutcome = {
      job_id: this.jobId,
      status: run.status,
      result: run.status === "completed" ? run.result : null,
      ...(run.error !== undefined ? { error: run.error } : {}),
      duration: run.duration,
    };
    try {
      await markJobFinished(database, this.jobId, {
        status: run.status,
        result: outcome.result,
        outputs: run.outputs,
        error: run.error ?? null,
        duration: run.duration,
      });
    } catch (err) {
      console.error(`[job ${this.jobId}] could not record the outcome in D1`, err);
    }
    this.status = run.status;
    this.outcome = outcome;
    this.setMeta("status", run.status);
    this.setMeta("outcome", JSON.stringify(outcome));
    this.publish(terminal ?? { type: "job_update", status: run.status, duration: run.duration });
    for (const sub of this.subscribers) this.closeSubscriber(sub);
    for (const resolve of this.outcomeWaiters.splice(0)) resolve(outcome);
  }

  /** Stamps, logs, then fans out one message. */
  private publish(message: EngineMessage): void {
    const seq = ++this.seq;
    const json = JSON.stringify({ ...message, job_id: this.jobId, workflow_id: this.workflowId, job_seq: seq });
    this.ctx.storage.sql.exec("INSERT INTO events (seq, body) VALUES (?, ?)", seq, json);
    for (const sub of this.subscribers) this.write(sub, messageFrame(sub.format, seq, json));
  }

  private write(sub: Subscriber, bytes: Uint8Array): void {
    sub.writer.write(bytes).catch(() => this.dropSubscriber(sub));
  }

  private dropSubscriber(sub: Subscriber): void {
    if (sub.keepalive !== undefined) clearInterval(sub.keepalive);
    this.subscribers.delete(sub);
  }

  private closeSubscriber(sub: Subscriber): void {
    if (sub.format === "sse") this.write(sub, SSE_DONE);
    this.dropSubscriber(sub);
    sub.writer.close().catch(() => {});
  }

  /** Replays the log after `after`, then follows live until the job ends. Replay and subscribe happen in one synchronous step, so nothing is missed or repeated. */
  private events(format: StreamFormat, after: number): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const sub: Subscriber = { format, writer: writable.getWriter() };
    const rows = this.ctx.storage.sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq", after);
    for (const row of rows) this.write(sub, messageFrame(format, row.seq, row.body));
    if (this.outcome) {
      this.closeSubscriber(sub);
    } else {
      if (format === "sse") sub.keepalive = setInterval(() => this.write(sub, SSE_KEEPALIVE), this.keepaliveMs);
      this.subscribers.add(sub);
    }
    return new Response(readable, { headers: STREAM_HEADERS[format] });
  }

  private waitForOutcome(): Promise<JobOutcome> {
    if (this.outcome) return Promise.resolve(this.outcome);
    return new Promise((resolve) => this.outcomeWaiters.push(resolve));
  }

  private cancel(): { job_id: string; status: JobStatus | null } {
    if (!this.outcome) this.controller?.abort(new DOMException("The job was cancelled", "AbortError"));
    return { job_id: this.jobId, status: this.status };
  }
}

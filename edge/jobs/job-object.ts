import { DurableObject } from "cloudflare:workers";
import { executePlan, type RunResult } from "../../engine/executor/run-workflow";
import { planRun } from "../../engine/executor/plan";
import { InputFeed } from "../../engine/executor/input-feed";
import { TERMINAL_JOB_STATUSES, type EngineMessage, type JobStatus } from "../../schema/messages";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { toApiError } from "../errors/handler";
import { registry } from "../registry";
import type { StreamFormat } from "../streaming/frames";
import { encodeMsgpack, toJsonText } from "../streaming/wire";
import { JobLog } from "./job-log";
import { createJobServices } from "./job-services";
import { markJobFinished, markJobQueued, markJobRunning } from "./job-rows";
import { JobSpecSchema, StartRespondSchema, type JobOutcome, type JobSnapshot, type JobSpec, type JobState, type TerminalStatus } from "./job-spec";
import { StreamSubscriber, type OutgoingMessage } from "./stream-subscriber";
import { releaseJobSlot } from "../ratelimit/enforce";
import { JobMeter } from "../usage/job-meter";
import { recordUsage } from "../usage/record";
import { WebhookOutbox } from "../webhooks/outbox";
import { CaptureRecorder } from "../execution/recorder";

const LOST_RUN_ERROR =
  "The job stopped unexpectedly: the process running it was restarted (an eviction, a crash or a deploy) before it finished";

// How long, and how many messages, an unwatched job's messages may wait before they are written.
const UNWATCHED_FLUSH_MS = 100;
const UNWATCHED_FLUSH_MESSAGES = 1024;

function isTerminalStatus(status: JobStatus | undefined): status is TerminalStatus {
  return status !== undefined && TERMINAL_JOB_STATUSES.includes(status);
}

function isTerminal(m: EngineMessage): boolean {
  return m.type === "job_update" && isTerminalStatus(m.status);
}

/**
 * One Durable Object per job (docs/architecture.md#7-execution-model). It waits for a slot in its user's queue, runs the
 * engine, stamps every message with the job's increasing `job_seq`, appends it to its SQLite event log
 * before anyone sees it, and fans it out to live subscribers. The outcome reaches the job's D1 row before
 * the terminal `job_update` is published, so whoever sees the end can read it back. One alarm does three
 * jobs: the watchdog while the job is queued or running, and the log's removal once retention has passed.
 */
export class JobObject extends DurableObject<Env> {
  private readonly log: JobLog;
  private state: JobState | null = null;
  /** The spec of a job that is started or waiting; lost with the instance, so a queued job also stores it. */
  private spec: JobSpec | null = null;
  /** Set while this instance is running the job; a `running` state without it is a lost run. */
  private controller: AbortController | null = null;
  /** Where `stream_input` items go while a job started over the WebSocket runs. */
  private feed: InputFeed | null = null;
  private readonly subscribers = new Set<StreamSubscriber>();
  private readonly outcomeWaiters: ((o: JobOutcome) => void)[] = [];
  /** Published messages not yet written to the log; written and sent together once per turn. */
  private pending: OutgoingMessage[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** The job's webhook deliveries (edge/webhooks/outbox.ts); its retries share the job's alarm. */
  private readonly webhooks: WebhookOutbox;
  /** Node, runner and token usage of the run in this instance. */
  private meter = new JobMeter();
  /** The run's output capture when it asked for `record_outputs` (edge/execution). */
  private capture: CaptureRecorder | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new JobLog(ctx.storage.sql);
    this.state = this.log.readState();
    this.webhooks = new WebhookOutbox(ctx.storage.sql, env);
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (request.method === "POST" && url.pathname === "/start") {
        const respond = StartRespondSchema.parse(url.searchParams.get("respond") ?? "none");
        return await this.start(JobSpecSchema.parse(await request.json()), respond);
      }
      if (request.method === "GET" && url.pathname === "/events") {
        const format = (url.searchParams.get("format") ?? "sse") as StreamFormat;
        return this.events(format, Number(url.searchParams.get("after") ?? "0") || 0);
      }
      if (request.method === "GET" && url.pathname === "/result") return Response.json(await this.waitForOutcome());
      return new Response("not found", { status: 404 });
    } catch (err) {
      const apiError = toApiError(err);
      return Response.json(apiError.toBody(), { status: apiError.status });
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------------------

  /** Idempotent: a repeated start (an idempotent replay, a retry) answers from the job that exists. */
  private async start(spec: JobSpec, respond: string): Promise<Response> {
    if (this.state === null) {
      this.log.create();
      this.spec = spec;
      const now = Date.now();
      // Written as running, like the D1 row: most jobs get a slot at once, and then starting them costs no
      // second storage commit. One that has to wait is rewritten as queued; one lost before it started is
      // a running job without a run, which the watchdog ends as failed.
      this.state = {
        job_id: spec.job_id,
        user_id: spec.user_id,
        workflow_id: spec.workflow_id,
        status: "running",
        max_run_seconds: spec.max_run_seconds,
        created_ms: now,
        started_ms: now,
        ...(spec.key_id !== undefined ? { key_id: spec.key_id } : {}),
        ...(spec.job_slot ? { job_slot: true } : {}),
      };
      this.log.writeState(this.state);
      if (spec.webhook) this.webhooks.configure(spec.job_id, spec.user_id, spec.webhook);
      // Armed before anything can fail: whatever happens next, the watchdog comes back to this job.
      await this.ctx.storage.setAlarm(now + this.watchdogMs());
      await this.admit();
    }
    if (respond === "result") return Response.json(await this.waitForOutcome());
    if (respond === "sse" || respond === "ndjson" || respond === "msgpack") return this.events(respond, 0);
    return Response.json({ job_id: this.state.job_id, status: this.state.status });
  }

  /** Asks the user's queue for a slot: runs now, or waits as `queued` with its position. */
  private async admit(): Promise<void> {
    const state = this.state!;
    const admission = await this.queue().admit(state.job_id, state.user_id);
    if (admission.admitted) {
      if (state.status === "queued") await this.begin();
      else if (state.status === "running" && !this.controller && this.spec) this.run(this.spec, false);
      return;
    }
    if (state.queued_ms === undefined) {
      state.status = "queued";
      state.queued_ms = Date.now();
      delete state.started_ms;
      this.log.writeSpec(this.spec!);
      this.log.writeState(state);
      this.publish({ type: "job_update", status: "queued", queue_position: admission.position });
      await markJobQueued(db(this.env.DB), state.job_id).catch((err) => console.error(`[job ${state.job_id}] D1 queued update failed`, err));
    }
  }

  /** Starts a queued job. Called by the queue when a slot frees up; false when the job no longer waits. */
  async begin(): Promise<boolean> {
    const state = this.state;
    if (state?.status !== "queued") return false;
    const spec = this.spec ?? this.log.readSpec();
    if (!spec) {
      await this.finish(this.failedRun("The job's definition was lost while it waited in the queue"));
      return false;
    }
    state.status = "running";
    state.started_ms = Date.now();
    this.log.writeState(state);
    this.log.deleteSpec();
    this.run(spec, true);
    return true;
  }

  private run(spec: JobSpec, wasQueued: boolean): void {
    this.spec = null;
    this.controller = new AbortController();
    this.ctx.waitUntil(this.execute(spec, this.controller, wasQueued));
  }

  private async execute(spec: JobSpec, controller: AbortController, wasQueued: boolean): Promise<void> {
    const state = this.state!;
    const maxRunSeconds = state.max_run_seconds;
    const timer = setTimeout(
      () => controller.abort(new DOMException(`The job ran longer than its limit of ${maxRunSeconds} s`, "TimeoutError")),
      maxRunSeconds * 1000,
    );
    if (wasQueued) {
      await markJobRunning(db(this.env.DB), state.job_id, state.started_ms!).catch((err) =>
        console.error(`[job ${state.job_id}] D1 running update failed`, err),
      );
    }
    let terminal: EngineMessage | null = null;
    let run: RunResult;
    this.feed = spec.stream_inputs ? new InputFeed() : null;
    this.capture = spec.record_outputs ? new CaptureRecorder(this.env, state.user_id, state.job_id, state.workflow_id) : null;
    try {
      const plan = planRun(spec.graph as never, spec.params, registry);
      run = await executePlan(plan, {
        registry,
        ...(this.feed ? { feed: this.feed } : {}),
        services: this.meter.wrap(createJobServices(this.env, { jobId: state.job_id, userId: state.user_id, publicBase: spec.public_base_url })),
        signal: controller.signal,
        ...(this.capture ? { observeOutput: (o) => this.capture?.record(o, this.seq) } : {}),
        // Held back until D1 has the outcome (see the class comment).
        emit: (m) => {
          if (isTerminalStatus(state.status)) return; // ended by the watchdog's backstop; the run is late
          if (isTerminal(m)) terminal = m;
          else this.publish(m);
        },
      });
    } catch (err) {
      run = this.failedRun(toApiError(err).message);
    } finally {
      clearTimeout(timer);
    }
    await this.finish(run, terminal);
  }

  private failedRun(error: string): RunResult {
    return { status: "failed", result: {}, outputs: {}, error, duration: 0 };
  }

  /** Records the outcome in D1, publishes the terminal update, ends every stream and frees the queue slot. */
  private async finish(run: RunResult, terminal: EngineMessage | null = null): Promise<void> {
    const state = this.state!;
    if (isTerminalStatus(state.status)) return;
    // The capture index is complete before the D1 row or any client can say the run ended.
    const capture = this.capture;
    this.capture = null;
    if (capture) await capture.close(run.status).catch((err) => console.error(`[job ${state.job_id}] could not write the capture index`, err));
    // The engine's own figure when it ended the run (its terminal message carries it too); wall time since
    // the start for an end decided here (a lost run, a cancel while queued).
    const duration = terminal === null && state.started_ms !== undefined ? (Date.now() - state.started_ms) / 1000 : run.duration;
    const outcome: JobOutcome = {
      job_id: state.job_id,
      status: run.status,
      result: run.status === "completed" ? run.result : null,
      ...(run.error !== undefined ? { error: run.error } : {}),
      duration,
    };
    try {
      await markJobFinished(db(this.env.DB), state.job_id, {
        status: run.status,
        result: outcome.result,
        outputs: run.outputs,
        error: run.error ?? null,
        duration,
        last_seq: this.seq + 1,
      });
    } catch (err) {
      console.error(`[job ${state.job_id}] could not record the outcome in D1`, err);
    }
    state.status = run.status;
    state.finished_ms = Date.now();
    state.outcome = outcome;
    this.log.writeState(state);
    if (state.queued_ms !== undefined) this.log.deleteSpec();
    this.controller = null;
    this.publish(
      terminal ?? { type: "job_update", status: run.status, duration, ...(run.error !== undefined ? { error: run.error } : {}) },
    );
    this.flush();
    for (const sub of this.subscribers) sub.close();
    this.subscribers.clear();
    for (const resolve of this.outcomeWaiters.splice(0)) resolve(outcome);
    await this.ctx.storage.setAlarm(state.finished_ms + getConfig(this.env).jobLogRetentionSeconds * 1000);
    await this.queue()
      .release(state.job_id)
      .catch((err) => console.error(`[job ${state.job_id}] could not free its queue slot`, err));
    await this.afterFinish(state, outcome);
  }

  /** Account bookkeeping of an ended job: its concurrent-job slot, its usage row, its terminal webhook. */
  private async afterFinish(state: JobState, outcome: JobOutcome): Promise<void> {
    if (state.job_slot) {
      await releaseJobSlot(this.env, state.user_id, state.job_id).catch((err) => console.error(`[job ${state.job_id}] could not free its job slot`, err));
    }
    const figures = this.meter.figures();
    this.meter = new JobMeter();
    this.ctx.waitUntil(
      recordUsage(this.env, { userId: state.user_id, keyId: state.key_id ?? null, workflowId: state.workflow_id, jobId: state.job_id, kind: "job" }, figures),
    );
    const event = outcome.status === "completed" ? "completed" : outcome.status === "cancelled" ? "cancelled" : "failed";
    await this.webhooks.enqueue(event, { ...outcome, workflow_id: state.workflow_id });
    this.ctx.waitUntil(this.deliverWebhooks());
  }

  /** Sends the webhook deliveries that are due, and brings the alarm forward to the next retry. */
  private async deliverWebhooks(): Promise<void> {
    await this.webhooks.deliverDue();
    const due = this.webhooks.nextDueMs();
    if (due === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  /**
   * Cancels the job and resolves once it has ended. `alreadyFinished` says the job had ended before this
   * call, so a repeated cancel can be told apart from the one that took effect.
   */
  async cancel(userId: string): Promise<{ status: JobStatus; alreadyFinished: boolean } | null> {
    const state = this.state;
    if (!state || state.user_id !== userId) return null;
    if (isTerminalStatus(state.status)) return { status: state.status, alreadyFinished: true };
    if (state.status === "queued") {
      await this.finish({ status: "cancelled", result: {}, outputs: {}, error: "The job was cancelled while queued", duration: 0 });
    } else if (this.controller) {
      this.controller.abort(new DOMException("The job was cancelled", "AbortError"));
    } else {
      await this.finish(this.failedRun(LOST_RUN_ERROR));
    }
    const outcome = await this.waitForOutcome();
    return { status: outcome.status, alreadyFinished: false };
  }

  /**
   * `stream_input` / `end_input_stream`: hands an item to (or ends) one of the running job's streaming inputs.
   * Answers with an error message instead of throwing, so the caller can reply with it as NodeTool does.
   */
  async feedInput(userId: string, op: "push" | "end", input: string, value: unknown, handle?: string): Promise<{ ok: true } | { ok: false; error: string; status?: JobStatus } | null> {
    const state = this.state;
    if (!state || state.user_id !== userId) return null;
    if (isTerminalStatus(state.status)) return { ok: false, error: `Job '${state.job_id}' has already finished (${state.status})`, status: state.status };
    if (!this.feed) {
      const why = state.status === "queued" ? "is still queued; send its inputs once it runs" : "was not started over the WebSocket, so it takes no streamed input";
      return { ok: false, error: `Job '${state.job_id}' ${why}`, status: state.status };
    }
    try {
      if (op === "push") this.feed.push(input, value, handle);
      else this.feed.end(input, handle);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: (err as Error).message, status: state.status };
    }
  }

  /** Whether the job still holds (or waits for) a queue slot; the queue's sweep asks. */
  isActive(): boolean {
    return this.state !== null && !isTerminalStatus(this.state.status);
  }

  async snapshot(userId: string): Promise<JobSnapshot | null> {
    const state = this.state;
    if (!state || state.user_id !== userId) return null;
    const snapshot: JobSnapshot = { job_id: state.job_id, workflow_id: state.workflow_id, status: state.status, last_seq: this.seq };
    if (state.status === "queued") {
      const position = await this.queue().position(state.job_id);
      if (position !== null) snapshot.queue_position = position;
    }
    if (state.outcome) snapshot.outcome = state.outcome;
    return snapshot;
  }

  /** One alarm, three uses: webhook retries first, then the watchdog or the log's retention (their own time). */
  override async alarm(): Promise<void> {
    await this.webhooks.deliverDue().catch((err) => console.error("[webhooks] delivery failed", err));
    await this.watchdogAlarm();
    if (this.state !== null) await this.deliverWebhooks();
    else this.webhooks.forget();
  }

  private async watchdogAlarm(): Promise<void> {
    // Read from storage, not memory: this may be a fresh instance after an eviction.
    this.flush();
    this.log.reload();
    this.state = this.log.readState();
    const state = this.state;
    if (!state) return;
    const now = Date.now();
    if (isTerminalStatus(state.status)) {
      const expiry = (state.finished_ms ?? now) + getConfig(this.env).jobLogRetentionSeconds * 1000;
      if (now >= expiry) {
        // The log's retention has passed; the D1 row keeps the outcome.
        await this.ctx.storage.deleteAll();
        this.state = null;
        this.log.forget();
      } else {
        await this.ctx.storage.setAlarm(expiry);
      }
      return;
    }
    await this.ctx.storage.setAlarm(now + this.watchdogMs());
    if (state.status === "queued") {
      // A hand-off from the queue may have been lost; admission is idempotent.
      await this.admit();
      return;
    }
    if (!this.controller) {
      await this.finish(this.failedRun(LOST_RUN_ERROR));
    } else if (state.started_ms !== undefined && now > state.started_ms + state.max_run_seconds * 1000 + this.watchdogMs()) {
      // The run's own timer should have fired; this is the backstop for a run that ignores its signal.
      await this.finish({ status: "timed_out", result: {}, outputs: {}, error: `The job ran longer than its limit of ${state.max_run_seconds} s`, duration: 0 });
    }
  }

  // ---- messages --------------------------------------------------------------------------------------

  /** The job_seq of the last message published (logged, or about to be). */
  private get seq(): number {
    return this.log.lastSeq + this.pending.length;
  }

  /**
   * Stamps one message and queues it. Messages of one turn are appended to the log together and only then
   * sent (`flush`): nobody sees a message the log does not have.
   */
  private publish(message: EngineMessage): void {
    const state = this.state!;
    const stamped = { ...message, job_id: state.job_id, workflow_id: state.workflow_id, job_seq: this.seq + 1 };
    this.meter.observe(message);
    if (message.type === "output_update" && this.webhooks.wants("output")) {
      const { type: _type, ...output } = stamped;
      this.ctx.waitUntil(this.webhooks.enqueue("output", output).then(() => this.deliverWebhooks()));
    }
    let json: string | undefined;
    this.pending.push({ seq: stamped.job_seq, msgpack: encodeMsgpack(stamped), json: () => (json ??= toJsonText(stamped)) });
    // With someone watching, send within the turn. Unwatched (a sync run waiting for its result), let the
    // log write ride along with the job's last commit; a subscriber that arrives flushes first anyway.
    if (this.pending.length >= UNWATCHED_FLUSH_MESSAGES) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.subscribers.size > 0 ? 0 : UNWATCHED_FLUSH_MS);
  }

  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.log.append(batch);
    this.pending = [];
    for (const sub of this.subscribers) sub.push(batch);
  }

  /**
   * Replays the log after `after`, then follows live until the job ends. Replay and subscribe happen in
   * one synchronous step, so nothing is missed or repeated. 410 when the job is unknown here (its log
   * expired, or it never started): the edge answers from the D1 row instead.
   */
  private events(format: StreamFormat, after: number): Response {
    if (!this.state) return new Response("gone", { status: 410 });
    this.flush();
    const sub = new StreamSubscriber(format, (s) => this.subscribers.delete(s), getConfig(this.env).sseKeepaliveMs);
    const replay: OutgoingMessage[] = [];
    for (const entry of this.log.after(after)) {
      let json: string | undefined;
      replay.push({ seq: entry.seq, msgpack: entry.msgpack, json: () => (json ??= toJsonText(entry.message())) });
    }
    sub.push(replay);
    if (isTerminalStatus(this.state.status)) sub.close();
    else this.subscribers.add(sub);
    return sub.response;
  }

  private waitForOutcome(): Promise<JobOutcome> {
    if (this.state?.outcome) return Promise.resolve(this.state.outcome);
    return new Promise((resolve) => this.outcomeWaiters.push(resolve));
  }

  private queue() {
    return this.env.QUEUES.get(this.env.QUEUES.idFromName(this.state!.user_id));
  }

  private watchdogMs(): number {
    return getConfig(this.env).jobWatchdogSeconds * 1000;
  }
}

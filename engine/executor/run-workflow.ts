import type { EngineMessage } from "../../schema/messages";
import type { Graph } from "../../schema/workflow";
import type { EngineServices, Inputs, NodeContext, Outputs } from "../registry/types";
import { ControlInbox, controlOutputProperties, controlTarget, CONTROL_OUTPUT, type ControlEvent, type NodeControl } from "./control";
import { abortError, EMPTY, Inbox } from "./inbox";
import { bindFeed, isEmptyRef, type FeedQueue, } from "./input-feed";
import { planRun, type PlannedNode, type RunPlan } from "./plan";
import { streamingInputs } from "./streaming-inputs";
import type { ObservedOutput, RunOptions, RunResult, TerminalStatus } from "./types";

export type { ObservedOutput, RunOptions, RunResult, TerminalStatus } from "./types";

const defaultServices: EngineServices = { now: () => Date.now() };

/** Activations chain through microtasks; every this many, the run gives timers and I/O a turn. */
const BREATHE_EVERY = 2048;

/** Plans and executes a workflow graph. Throws GraphValidationError before anything runs when the graph or params are invalid. */
export function runWorkflow(graph: Graph, params: Record<string, unknown>, options: RunOptions): Promise<RunResult> {
  return executePlan(planRun(graph, params, options.registry), options);
}

/**
 * Executes a planned graph as a set of actors, one per node (docs/architecture.md#7-execution-model). Independent branches
 * interleave on the event loop; a node error fails the job and stops every other node; the run's signal
 * stops it as cancelled or timed out. Resolves once the run reached a terminal status, even when a node
 * ignores its AbortSignal.
 */
export function executePlan(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  return new Run(plan, options).execute();
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * The state of one execution of a plan. Per-node and per-edge state lives in arrays indexed by
 * PlannedNode.index and PlannedEdge.index, and the code is methods rather than closures: a run of a large
 * graph then costs a few small objects per node and nothing per node for the code.
 */
class Run {
  readonly services: EngineServices;
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  readonly inboxes: Inbox[] = [];
  /** The run events of each controlled node (by PlannedNode.index); undefined for other nodes. */
  readonly controlInboxes: (ControlInbox | undefined)[] = [];
  /** Run events each control edge has carried (its edge_update `counter`), by edge id. */
  private readonly activeControlEdges = new Map<string, number>();
  readonly outputs: Record<string, unknown[]> = {};
  /** Streaming input nodes the host feeds (by PlannedNode.index; input-feed.ts). */
  feedQueues: (FeedQueue | undefined)[] = [];
  /** Items each edge has carried so far (its edge_update `counter`), by PlannedEdge.index. */
  private readonly activeEdges: number[];
  /**
   * Mirrors `signal.aborted` for the hot path (AbortSignal's getter is comparatively slow). Set by the first
   * abort listener, so it is true before any node's own listener runs.
   */
  aborted = false;
  private finished = false;
  private failure: string | undefined;
  private activations = 0;

  constructor(
    private readonly plan: RunPlan,
    private readonly options: RunOptions,
  ) {
    this.services = { ...defaultServices, ...options.services };
    this.activeEdges = new Array<number>(plan.edgeCount).fill(0);
  }

  emit(m: EngineMessage): void {
    if (!this.finished && this.options.emit) this.options.emit(m);
  }

  observe(o: ObservedOutput): void {
    if (!this.finished && this.options.observeOutput) this.options.observeOutput(o);
  }

  /**
   * Every BREATHE_EVERY activations, a promise that resolves on the next macrotask turn, so that an abort
   * (a cancel request, the job timeout) lands even in the middle of a long stream; undefined otherwise.
   */
  breathe(): Promise<void> | undefined {
    if (++this.activations % BREATHE_EVERY !== 0) return undefined;
    return new Promise<void>((resolve) => (globalThis.setImmediate ?? setTimeout)(resolve));
  }

  async execute(): Promise<RunResult> {
    const { plan, signal, controller, outputs } = this;
    const started = this.services.now();
    for (const p of plan.nodes) {
      this.inboxes.push(new Inbox(p.handles));
      this.controlInboxes.push(p.controllers.length > 0 ? new ControlInbox(p.controllers.length) : undefined);
    }
    for (const name of plan.sinkNames) outputs[name] = [];
    const external = this.options.signal;
    const onExternalAbort = () => controller.abort(external?.reason);
    if (external?.aborted) onExternalAbort();
    else external?.addEventListener("abort", onExternalAbort, { once: true });
    signal.addEventListener("abort", () => {
      this.aborted = true;
      for (const inbox of this.inboxes) inbox.abort();
      for (const control of this.controlInboxes) control?.abort();
    });
    this.aborted = signal.aborted; // an external signal aborted before the run began

    // Bound before `running` is announced, so a client that waits for it can push at once.
    if (this.options.feed) this.feedQueues = bindFeed(this.options.feed, this.plan.nodes, this.signal);
    this.emit({ type: "job_update", status: "running" });
    for (const m of plan.ignoredParams ?? []) this.emit({ type: "log_update", node_id: "", node_name: "params", content: `Ignored param: ${m}`, severity: "warning" });

    const whenAborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const actors = plan.nodes.map((p) => {
      const actor = new Actor(this, p);
      return actor.start().catch((err) => this.actorFailed(p, err));
    });
    await Promise.race([Promise.all(actors), whenAborted]);
    external?.removeEventListener("abort", onExternalAbort);
    this.options.feed?.bind(null);

    let status: TerminalStatus = "completed";
    let error: string | undefined;
    if (this.failure !== undefined) {
      status = "failed";
      error = this.failure;
    } else if (signal.aborted) {
      const reason = external?.reason as { name?: string; message?: string } | undefined;
      status = reason?.name === "TimeoutError" ? "timed_out" : "cancelled";
      // The host's reason says which limit or who cancelled; a bare abort() gets the generic sentence.
      const fallback = status === "timed_out" ? "The job ran longer than its time limit" : "The job was cancelled";
      error = reason instanceof Error && reason.message && reason.message !== "This operation was aborted" ? reason.message : fallback;
    } else {
      // Nodes that were already running when the run completed must still see their signal end.
      controller.abort();
    }

    const result: Record<string, unknown> = {};
    for (const name of plan.sinkNames) {
      const values = outputs[name];
      result[name] = values.length === 0 ? null : values.length === 1 ? values[0] : values;
    }
    const duration = (this.services.now() - started) / 1000;
    this.emit({
      type: "job_update",
      status,
      ...(status === "completed" ? { result, outputs } : {}),
      ...(error !== undefined ? { error } : {}),
      duration,
    });
    this.finished = true;
    return { status, result, outputs, error, duration };
  }

  private actorFailed(p: PlannedNode, err: unknown): void {
    if (this.signal.aborted) return; // a consequence of the abort, not a cause
    const message = errorMessage(err);
    this.failure = `${p.name} (node ${p.node.id}) failed: ${message}`;
    this.emit({ type: "node_update", node_id: p.node.id, node_name: p.name, node_type: p.node.type, status: "error", error: message });
    this.controller.abort(new Error(this.failure));
  }

  /** `edge_update: active` with the edge's running count per item (NodeTool: kernel runner.ts `_incrementEdgeCounter`). */
  private markActive(edgeIndex: number, edgeId: string): void {
    const counter = ++this.activeEdges[edgeIndex];
    this.emit({ type: "edge_update", edge_id: edgeId, status: "active", counter });
  }

  /** Delivers one output value along the handle's edges, or reports it when the handle is unconnected. */
  sendOne(p: PlannedNode, handle: string, value: unknown): void {
    if (value === undefined) return;
    if (handle === CONTROL_OUTPUT && p.controls.length > 0) {
      // ControlAgent's parameters: a run event for every node it controls, not a value on an edge.
      const properties = controlOutputProperties(value);
      if (properties) for (const c of p.controls) this.dispatchControl(c.target, c.edgeId, { properties });
      return;
    }
    if (this.options.observeOutput && !this.finished && p.decl.kind === "node") {
      const type = p.decl.outputs.find((o) => o.name === handle)?.type ?? "any";
      this.options.observeOutput({ node_id: p.node.id, node_name: p.name, output_name: handle, value, output_type: type });
    }
    const edges = p.outgoing.get(handle);
    if (edges) {
      for (const e of edges) {
        this.markActive(e.index, e.id);
        this.inboxes[e.target.index].push(e.targetSlot, value);
      }
    } else if (p.decl.kind === "node") {
      const type = p.decl.outputs.find((o) => o.name === handle)?.type ?? "any";
      this.emit({ type: "output_update", node_id: p.node.id, node_name: p.name, output_name: handle, value, output_type: type });
    }
  }

  /** Delivers one output map of a node step. */
  send(p: PlannedNode, outs: Outputs): void {
    let keys = 0;
    for (const key in outs) if (outs[key] !== undefined && p.outgoing.has(key)) keys++;
    if (keys <= 1) {
      for (const key in outs) this.sendOne(p, key, outs[key]);
      return;
    }
    // Several handles of one step (ForEach's output and index) reach each target as one arrival, so an
    // on_any consumer fires once per step rather than once per handle.
    const byTarget = new Map<Inbox, [number, unknown][]>();
    for (const key in outs) {
      const value = outs[key];
      const edges = p.outgoing.get(key);
      if (value === undefined || !edges) {
        this.sendOne(p, key, value);
        continue;
      }
      for (const e of edges) {
        this.markActive(e.index, e.id);
        const inbox = this.inboxes[e.target.index];
        const list = byTarget.get(inbox);
        if (list) list.push([e.targetSlot, value]);
        else byTarget.set(inbox, [[e.targetSlot, value]]);
      }
    }
    for (const [inbox, items] of byTarget) inbox.pushTogether(items);
  }

  /** A node finished: its outgoing edges end, and those that carried something report `drained`. */
  closeOutgoing(p: PlannedNode): void {
    for (const e of p.edgesOut) {
      this.inboxes[e.target.index].close(e.targetSlot);
      const counter = this.activeEdges[e.index];
      if (counter > 0) this.emit({ type: "edge_update", edge_id: e.id, status: "drained", counter });
    }
    for (const c of p.controls) {
      this.controlInboxes[c.target.index]!.closeOne();
      const counter = this.activeControlEdges.get(c.edgeId);
      if (counter) this.emit({ type: "edge_update", edge_id: c.edgeId, status: "drained", counter });
    }
  }

  /** Queues a run event for a controlled node. */
  dispatchControl(target: PlannedNode, edgeId: string, event: ControlEvent): void {
    const counter = (this.activeControlEdges.get(edgeId) ?? 0) + 1;
    this.activeControlEdges.set(edgeId, counter);
    this.emit({ type: "edge_update", edge_id: edgeId, status: "active", counter });
    this.controlInboxes[target.index]!.put(event);
  }

  /** What a controller node sees of the nodes it controls. */
  nodeControl(p: PlannedNode): NodeControl {
    const targets = p.controls.map((c) => controlTarget(c.target));
    return {
      targets,
      run: (targetNodeId, properties) => {
        const link = p.controls.find((c) => c.target.node.id === targetNodeId);
        if (!link) return Promise.reject(new Error(`node '${targetNodeId}' is not controlled by ${p.name}`));
        return new Promise<Outputs>((resolve, reject) => this.dispatchControl(link.target, link.edgeId, { properties: { ...properties }, reply: { resolve, reject } }));
      },
    };
  }
}

/**
 * What a node sees of the run. Its methods live on the prototype, so a context costs one small object rather
 * than a set of closures; nodes call them as methods (`ctx.log(...)`).
 */
class ActorContext implements NodeContext {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly nodeName: string;
  readonly signal: AbortSignal;
  readonly services: EngineServices;
  readonly dynamicOutputs?: Readonly<Record<string, unknown>>;
  readonly control?: NodeControl;
  /** Private to the engine: hidden from nodes that inspect or serialise their context. */
  readonly #run: Run;

  constructor(run: Run, p: PlannedNode) {
    this.#run = run;
    this.nodeId = p.node.id;
    this.nodeType = p.node.type;
    this.nodeName = p.name;
    this.signal = run.signal;
    this.services = run.services;
    if (Object.keys(p.node.dynamic_outputs).length > 0) this.dynamicOutputs = p.node.dynamic_outputs;
    if (p.controls.length > 0) this.control = run.nodeControl(p);
  }

  progress(progress: number, total: number, chunk?: string): void {
    this.#run.emit({ type: "node_progress", node_id: this.nodeId, progress, total, ...(chunk !== undefined ? { chunk } : {}) });
  }

  log(content: string, severity: "debug" | "info" | "warning" | "error" = "info"): void {
    this.#run.emit({ type: "log_update", node_id: this.nodeId, node_name: this.nodeName, content, severity });
  }
}

/** Runs one node for the length of a run: waits for its inputs, fires it, delivers its outputs. */
class Actor {
  private readonly inbox: Inbox;
  private readonly ctx: ActorContext;
  /** The node's latest output map: the `result` of its completed node_update. */
  private last: Outputs | undefined;
  /** While a controlled node runs for a controller: the last value of each output handle, for the reply. */
  private collecting: Outputs | undefined;

  constructor(
    private readonly run: Run,
    private readonly p: PlannedNode,
  ) {
    this.inbox = run.inboxes[p.index];
    this.ctx = new ActorContext(run, p);
  }

  async start(): Promise<void> {
    const { run, p, inbox } = this;
    const decl = p.decl;
    run.emit({ type: "node_update", node_id: p.node.id, node_name: p.name, node_type: p.node.type, status: "running" });

    const feedQueue = run.feedQueues[p.index];
    if (feedQueue) {
      await this.runFed(feedQueue);
    } else if (p.controllers.length > 0) {
      await this.runControlled();
    } else if (decl.isStreamingInput) {
      await decl.run!(streamingInputs(p, inbox, run), { emit: (h, v) => run.sendOne(p, h, v) }, this.ctx);
    } else if (!inbox.hasHandles) {
      const pause = run.breathe();
      if (pause) await pause;
      await this.fire(p.base);
    } else if (p.node.sync_mode === "zip_all") {
      await this.runZipAll();
    } else {
      await this.runOnAny();
    }

    inbox.detach();
    const skipResult = decl.kind === "input" || decl.kind === "constant";
    const last = this.last;
    if (skipResult || !last) {
      run.emit({ type: "node_update", node_id: p.node.id, node_name: p.name, node_type: p.node.type, status: "completed" });
    } else {
      run.emit({ type: "node_update", node_id: p.node.id, node_name: p.name, node_type: p.node.type, status: "completed", result: last });
    }
    run.closeOutgoing(p);
  }

  /**
   * One activation with the full property map (`base` overlaid with the inputs). Returns a promise only when
   * the activation continues asynchronously (an async `process`, a `gen`): a synchronous node completes in
   * place, sparing an async frame per activation. Callers `await` the result either way (and breathe before
   * calling), so a node resumes on the same microtask turn as it would after an async method and the
   * messages of concurrent nodes interleave as they always did.
   */
  private fire(inputs: Inputs): Promise<void> | undefined {
    try {
      return this.activate(inputs);
    } catch (err) {
      // Fail on the caller's next microtask turn, as an async method would.
      return Promise.reject(err);
    }
  }

  /** The activation proper; a promise when it continues asynchronously. */
  private activate(inputs: Inputs): Promise<void> | undefined {
    const { run, p } = this;
    if (run.aborted) throw abortError();
    const decl = p.decl;
    if (p.sinkName !== undefined) {
      this.deliverToSink(p.sinkName, inputs.value);
      return undefined;
    }
    if (decl.gen) return this.runGen(decl.gen(inputs, this.ctx));
    const result = decl.process!(inputs, this.ctx);
    if (isThenable(result)) return this.settle(result);
    this.deliver(result);
    return undefined;
  }

  /** Finishes an activation whose `process` returned a promise. */
  private async settle(pending: PromiseLike<Outputs>): Promise<void> {
    this.deliver(await pending);
  }

  private deliver(result: Outputs): void {
    if (this.run.aborted) throw abortError();
    this.run.send(this.p, result);
    this.last = result;
    if (this.collecting) for (const key in result) if (result[key] !== undefined) this.collecting[key] = result[key];
  }

  /**
   * A controlled node: once every data handle has its first value, one activation per run event, with the
   * event's properties over the latest data inputs and the property values (NodeTool: kernel actor.ts
   * _runControlled). A failed activation that a controller awaits is that controller's to handle (an agent
   * reports it to the model); one nobody awaits fails the node.
   */
  private async runControlled(): Promise<void> {
    const { run, p, inbox } = this;
    const events = run.controlInboxes[p.index]!;
    const data: Inputs = {};
    for (let slot = 0; slot < p.handles.length; slot++) {
      const value = await inbox.nextOf(slot);
      if (value !== EMPTY) data[p.handles[slot].name] = value;
    }
    for (;;) {
      const event = await events.next();
      if (event === null) return;
      for (let slot = 0; slot < p.handles.length; slot++) {
        while (inbox.buffered(slot) > 0) data[p.handles[slot].name] = inbox.take(slot);
      }
      const collected: Outputs = {};
      this.collecting = collected;
      try {
        await this.fire({ ...p.base, ...data, ...event.properties });
      } catch (err) {
        event.reply?.reject(err);
        if (!event.reply || run.aborted) throw err;
        this.ctx.log(`A run requested by a controller failed: ${errorMessage(err)}`, "warning");
        continue;
      } finally {
        this.collecting = undefined;
      }
      event.reply?.resolve(collected);
    }
  }

  /** A streaming input node fed by the host: its value unless unset, then each pushed item, until its end. */
  private async runFed(queue: FeedQueue): Promise<void> {
    const { run, p } = this;
    const first = p.decl.outputs[0]?.name ?? "output";
    const value = p.base.value;
    if (!isEmptyRef(value)) run.sendOne(p, first, value);
    for (;;) {
      const item = await queue.next();
      if (item === null || run.aborted) return;
      const handle = item.handle && p.decl.outputs.some((o) => o.name === item.handle) ? item.handle : first;
      run.sendOne(p, handle, item.value);
      const pause = run.breathe();
      if (pause) await pause;
    }
  }

  /** Delivers each output map a streaming-output node (`gen`) produces. */
  private async runGen(produced: AsyncIterable<Outputs> | Iterable<Outputs>): Promise<void> {
    const run = this.run;
    if (Symbol.asyncIterator in produced) {
      for await (const part of produced as AsyncIterable<Outputs>) {
        const pause = run.breathe();
        if (pause) await pause;
        this.deliver(part);
      }
    } else {
      for (const part of produced as Iterable<Outputs>) {
        const pause = run.breathe();
        if (pause) await pause;
        this.deliver(part);
      }
    }
  }

  private deliverToSink(sinkName: string, value: unknown): void {
    const { run, p } = this;
    run.outputs[sinkName].push(value);
    this.last = { value };
    const type = p.decl.properties.find((q) => q.name === "value")?.type ?? "any";
    run.observe({ node_id: p.node.id, node_name: p.name, output_name: sinkName, value, output_type: type });
    run.emit({ type: "output_update", node_id: p.node.id, node_name: p.name, output_name: sinkName, value, output_type: type });
  }

  /** on_any: wait until every connected handle has a value, then fire once per arriving item with the latest values. */
  private async runOnAny(): Promise<void> {
    const { inbox, p } = this;
    const handles = p.handles;
    // The latest value of every handle over the property values; each activation gets a copy.
    const current: Inputs = { ...p.base };
    const seen: boolean[] = [];
    let pending = handles.length;
    for (;;) {
      // Take synchronously when something is buffered: awaiting only when idle keeps an activation cheap.
      let arrival = inbox.takeArrival();
      while (arrival === undefined) {
        await inbox.waitForArrival();
        arrival = inbox.takeArrival();
      }
      if (arrival === null) return;
      if (typeof arrival === "number") {
        current[handles[arrival].name] = inbox.take(arrival);
        if (!seen[arrival]) {
          seen[arrival] = true;
          pending--;
        }
      } else {
        pending -= this.takeTogether(arrival, current, seen);
      }
      if (pending > 0) continue;
      const pause = this.run.breathe();
      if (pause) await pause;
      await this.fire({ ...current });
    }
  }

  /** Takes the items of one multi-handle arrival into `current`; returns how many handles it saw first. */
  private takeTogether(arrival: number[], current: Inputs, seen: boolean[]): number {
    let first = 0;
    for (const [slot, value] of this.inbox.takeAll(arrival)) {
      current[this.p.handles[slot].name] = value;
      if (!seen[slot]) {
        seen[slot] = true;
        first++;
      }
    }
    return first;
  }

  /**
   * zip_all: fire once per tuple of one item from each handle. Handles fed only by nodes that fire once
   * (constants, inputs) keep their value for every tuple; the run ends when a streaming handle is exhausted.
   */
  private async runZipAll(): Promise<void> {
    const { inbox, p } = this;
    const handles = p.handles;
    const sticky: Inputs = {};
    for (;;) {
      const tuple: Inputs = { ...p.base };
      let fresh = false;
      for (let slot = 0; slot < handles.length; slot++) {
        const { name: handle, sticky: isSticky } = handles[slot];
        if (isSticky && handle in sticky && inbox.buffered(slot) === 0) {
          tuple[handle] = sticky[handle];
          continue;
        }
        const value = await inbox.nextOf(slot);
        if (value === EMPTY) {
          if (isSticky && handle in sticky) {
            tuple[handle] = sticky[handle];
            continue;
          }
          return;
        }
        tuple[handle] = value;
        sticky[handle] = value;
        fresh = true;
      }
      if (!fresh) return;
      const pause = this.run.breathe();
      if (pause) await pause;
      await this.fire(tuple);
    }
  }
}

import type { EngineMessage, JobStatus } from "../../schema/messages";
import type { Graph } from "../../schema/workflow";
import type { NodeRegistry } from "../registry/registry";
import type { EmitFn, EngineServices, Inputs, NodeContext, NodeInputs, NodeOutputs, Outputs } from "../registry/types";
import { abortError, EMPTY, Inbox } from "./inbox";
import { planRun, type PlannedNode, type RunPlan } from "./plan";

export interface RunOptions {
  registry: NodeRegistry;
  /** Receives every message of the run, in order. */
  emit?: EmitFn;
  /** Aborting stops the run; a reason named "TimeoutError" ends it as `timed_out`, anything else `cancelled`. */
  signal?: AbortSignal;
  services?: Partial<EngineServices>;
}

export type TerminalStatus = Extract<JobStatus, "completed" | "failed" | "cancelled" | "timed_out">;

export interface RunResult {
  status: TerminalStatus;
  /** Sink name -> the value it received, the array of values when it received several, or null. */
  result: Record<string, unknown>;
  /** Sink name -> every value it received, always an array. */
  outputs: Record<string, unknown[]>;
  error?: string;
  /** Seconds. */
  duration: number;
}

const defaultServices: EngineServices = { now: () => Date.now() };

/** Plans and executes a workflow graph. Throws GraphValidationError before anything runs when the graph or params are invalid. */
export function runWorkflow(graph: Graph, params: Record<string, unknown>, options: RunOptions): Promise<RunResult> {
  return executePlan(planRun(graph, params, options.registry), options);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Executes a planned graph as a set of actors, one per node (DESIGN.md section 7). Independent branches
 * interleave on the event loop; a node error fails the job and stops every other node; the run's signal
 * stops it as cancelled or timed out. Resolves once the run reached a terminal status, even when a node
 * ignores its AbortSignal.
 */
export async function executePlan(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  const services: EngineServices = { ...defaultServices, ...options.services };
  const started = services.now();
  let finished = false;
  const userEmit = options.emit;
  const emit = (m: EngineMessage) => {
    if (!finished && userEmit) userEmit(m);
  };

  const controller = new AbortController();
  const signal = controller.signal;
  const external = options.signal;
  const onExternalAbort = () => controller.abort(external?.reason);
  if (external?.aborted) onExternalAbort();
  else external?.addEventListener("abort", onExternalAbort, { once: true });

  const inboxes = new Map<PlannedNode, Inbox>();
  for (const p of plan.nodes) {
    const inbox = new Inbox();
    for (const [handle, entry] of p.incoming) inbox.addHandle(handle, entry.sources.length, entry.collect);
    inboxes.set(p, inbox);
  }
  const outputs: Record<string, unknown[]> = {};
  for (const name of plan.sinkNames) outputs[name] = [];
  const activeEdges = new Set<string>();
  let failure: string | undefined;

  signal.addEventListener("abort", () => {
    for (const inbox of inboxes.values()) inbox.abort();
  });

  emit({ type: "job_update", status: "running" });

  const sendOne = (p: PlannedNode, handle: string, value: unknown) => {
    if (value === undefined) return;
    const edges = p.outgoing.get(handle);
    if (edges) {
      for (const e of edges) {
        if (!activeEdges.has(e.id)) {
          activeEdges.add(e.id);
          emit({ type: "edge_update", edge_id: e.id, status: "active" });
        }
        inboxes.get(e.target)!.push(e.targetHandle, value);
      }
    } else if (p.decl.kind === "node") {
      const type = p.decl.outputs.find((o) => o.name === handle)?.type ?? "any";
      emit({ type: "output_update", node_id: p.node.id, node_name: p.name, output_name: handle, value, output_type: type });
    }
  };
  const send = (p: PlannedNode, outs: Outputs) => {
    let keys = 0;
    for (const key in outs) if (outs[key] !== undefined && p.outgoing.has(key)) keys++;
    if (keys <= 1) {
      for (const key in outs) sendOne(p, key, outs[key]);
      return;
    }
    // Several handles of one step (ForEach's output and index) reach each target as one arrival, so an
    // on_any consumer fires once per step rather than once per handle.
    const byTarget = new Map<Inbox, [string, unknown][]>();
    for (const key in outs) {
      const value = outs[key];
      const edges = p.outgoing.get(key);
      if (value === undefined || !edges) {
        sendOne(p, key, value);
        continue;
      }
      for (const e of edges) {
        if (!activeEdges.has(e.id)) {
          activeEdges.add(e.id);
          emit({ type: "edge_update", edge_id: e.id, status: "active" });
        }
        const inbox = inboxes.get(e.target)!;
        const list = byTarget.get(inbox);
        if (list) list.push([e.targetHandle, value]);
        else byTarget.set(inbox, [[e.targetHandle, value]]);
      }
    }
    for (const [inbox, items] of byTarget) inbox.pushTogether(items);
  };

  // Activations chain through microtasks; every so often give timers and I/O a turn so that an abort (a
  // cancel request, the job timeout) lands even in the middle of a long stream.
  let activations = 0;
  const breathe = (): Promise<void> | undefined => {
    if (++activations % 2048 !== 0) return undefined;
    return new Promise<void>((resolve) => (globalThis.setImmediate ?? setTimeout)(resolve));
  };

  const contextFor = (p: PlannedNode): NodeContext => ({
    nodeId: p.node.id,
    nodeType: p.node.type,
    nodeName: p.name,
    signal,
    services,
    progress: (progress, total, chunk) =>
      emit({ type: "node_progress", node_id: p.node.id, progress, total, ...(chunk !== undefined ? { chunk } : {}) }),
    log: (content, severity = "info") =>
      emit({ type: "log_update", node_id: p.node.id, node_name: p.name, content, severity }),
  });

  const runActor = async (p: PlannedNode): Promise<void> => {
    const inbox = inboxes.get(p)!;
    const ctx = contextFor(p);
    const decl = p.decl;
    let last: Outputs | undefined;
    emit({ type: "node_update", node_id: p.node.id, node_name: p.name, node_type: p.node.type, status: "running" });

    const fire = async (inputs: Inputs | undefined): Promise<void> => {
      const pause = breathe();
      if (pause) await pause;
      if (signal.aborted) throw abortError();
      const merged = inputs ? { ...p.base, ...inputs } : p.base;
      if (p.sinkName !== undefined) {
        const value = merged.value;
        outputs[p.sinkName].push(value);
        last = { value };
        const type = decl.properties.find((q) => q.name === "value")?.type ?? "any";
        emit({ type: "output_update", node_id: p.node.id, node_name: p.name, output_name: p.sinkName, value, output_type: type });
        return;
      }
      if (decl.gen) {
        const produced = decl.gen(merged, ctx);
        if (Symbol.asyncIterator in produced) {
          for await (const part of produced as AsyncIterable<Outputs>) {
            const pause = breathe();
            if (pause) await pause;
            if (signal.aborted) throw abortError();
            send(p, part);
            last = part;
          }
        } else {
          for (const part of produced as Iterable<Outputs>) {
            const pause = breathe();
            if (pause) await pause;
            if (signal.aborted) throw abortError();
            send(p, part);
            last = part;
          }
        }
        return;
      }
      let result = decl.process!(merged, ctx);
      if (isThenable(result)) result = await result;
      if (signal.aborted) throw abortError();
      send(p, result);
      last = result;
    };

    if (decl.isStreamingInput) {
      await decl.run!(streamingInputs(p, inbox, breathe), { emit: (h, v) => sendOne(p, h, v) }, ctx);
    } else if (!inbox.hasHandles) {
      await fire(undefined);
    } else if (p.node.sync_mode === "zip_all") {
      await runZipAll(p, inbox, fire);
    } else {
      await runOnAny(inbox, fire);
    }

    inbox.detach();
    const skipResult = decl.kind === "input" || decl.kind === "constant";
    emit({
      type: "node_update",
      node_id: p.node.id,
      node_name: p.name,
      node_type: p.node.type,
      status: "completed",
      ...(skipResult || !last ? {} : { result: last }),
    });
    for (const edges of p.outgoing.values()) {
      for (const e of edges) {
        inboxes.get(e.target)!.close(e.targetHandle);
        if (activeEdges.has(e.id)) emit({ type: "edge_update", edge_id: e.id, status: "drained" });
      }
    }
  };

  const onActorError = (p: PlannedNode, err: unknown) => {
    if (signal.aborted) return; // a consequence of the abort, not a cause
    const message = errorMessage(err);
    failure = `${p.name} (node ${p.node.id}) failed: ${message}`;
    emit({ type: "node_update", node_id: p.node.id, node_name: p.name, node_type: p.node.type, status: "error", error: message });
    controller.abort(new Error(failure));
  };

  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await Promise.race([Promise.all(plan.nodes.map((p) => runActor(p).catch((err) => onActorError(p, err)))), aborted]);
  external?.removeEventListener("abort", onExternalAbort);

  let status: TerminalStatus = "completed";
  let error: string | undefined;
  if (failure !== undefined) {
    status = "failed";
    error = failure;
  } else if (signal.aborted) {
    const reason = external?.reason as { name?: string; message?: string } | undefined;
    status = reason?.name === "TimeoutError" ? "timed_out" : "cancelled";
    error = status === "timed_out" ? "The job ran longer than its time limit" : "The job was cancelled";
  } else {
    // Nodes that were already running when the run completed must still see their signal end.
    controller.abort();
  }

  const result: Record<string, unknown> = {};
  for (const name of plan.sinkNames) {
    const values = outputs[name];
    result[name] = values.length === 0 ? null : values.length === 1 ? values[0] : values;
  }
  const duration = (services.now() - started) / 1000;
  emit({
    type: "job_update",
    status,
    ...(status === "completed" ? { result } : {}),
    ...(error !== undefined ? { error } : {}),
    duration,
  });
  finished = true;
  return { status, result, outputs, error, duration };
}

/** on_any: wait until every connected handle has a value, then fire once per arriving item with the latest values. */
async function runOnAny(inbox: Inbox, fire: (inputs: Inputs) => Promise<void>): Promise<void> {
  const current: Inputs = {};
  let pending = inbox.handleNames().length;
  const seen = new Set<string>();
  for (;;) {
    // Take synchronously when something is buffered: awaiting only when idle keeps an activation cheap.
    let arrival = inbox.takeAny();
    while (arrival === undefined) {
      await inbox.waitForArrival();
      arrival = inbox.takeAny();
    }
    if (arrival === null) return;
    for (const [handle, value] of arrival) {
      current[handle] = value;
      if (pending > 0 && !seen.has(handle)) {
        seen.add(handle);
        pending--;
      }
    }
    if (pending > 0) continue;
    await fire({ ...current });
  }
}

/**
 * zip_all: fire once per tuple of one item from each handle. Handles fed only by nodes that fire once
 * (constants, inputs) keep their value for every tuple; the run ends when a streaming handle is exhausted.
 */
async function runZipAll(p: PlannedNode, inbox: Inbox, fire: (inputs: Inputs) => Promise<void>): Promise<void> {
  const handles = inbox.handleNames();
  const sticky: Inputs = {};
  for (;;) {
    const tuple: Inputs = {};
    let fresh = false;
    for (const handle of handles) {
      const isSticky = p.incoming.get(handle)!.sticky;
      if (isSticky && handle in sticky && inbox.buffered(handle) === 0) {
        tuple[handle] = sticky[handle];
        continue;
      }
      const value = await inbox.nextOf(handle);
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
    await fire(tuple);
  }
}

function streamingInputs(p: PlannedNode, inbox: Inbox, breathe: () => Promise<void> | undefined): NodeInputs {
  const latest: Inputs = {};
  return {
    value: (handle) => (handle in latest ? latest[handle] : p.base[handle]),
    connected: (handle) => p.incoming.has(handle),
    async *stream(handle) {
      for (;;) {
        const pause = breathe();
        if (pause) await pause;
        const v = await inbox.nextOf(handle);
        if (v === EMPTY) return;
        latest[handle] = v;
        yield v;
      }
    },
    async *any() {
      for (;;) {
        const pause = breathe();
        if (pause) await pause;
        const arrival = await inbox.nextAny();
        if (arrival === null) return;
        for (const pair of arrival) {
          latest[pair[0]] = pair[1];
          yield pair;
        }
      }
    },
  };
}

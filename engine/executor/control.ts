/**
 * Control edges, as NodeTool's TypeScript kernel runs them (NodeTool: packages/kernel/src/runner.ts and
 * actor.ts). An edge with `edge_type: "control"` (sourceHandle `__control__` or `__control_output__`,
 * targetHandle `__control__`) makes its target a controlled node: it does not run on its own, but once per
 * "run" event, with the event's properties over its property values and its latest data inputs. Events
 * come from the controller calling the node as a tool (and awaiting its outputs) or from a controller's
 * `__control_output__` value (fire and forget). The controlled node ends when every controller has ended.
 */
import { jsonSchemaForProperty } from "../registry/json-schema";
import { findProperty } from "../registry/registry";
import type { Outputs } from "../registry/types";
import { abortError } from "./inbox";
import type { PlannedNode } from "./plan";

export { CONTROL_HANDLE, CONTROL_OUTPUT, isControlEdge } from "../graph/control-edges";

/** A node that a controller may run: what a tool built from it needs to know. */
export interface ControlTarget {
  nodeId: string;
  nodeType: string;
  /** The node's title in the editor, else its type's title: what NodeTool names the tool after. */
  title: string;
  description: string;
  /** JSON Schema of each property the run event may set (NodeTool's `control_actions.run.properties`). */
  properties: Record<string, Record<string, unknown>>;
  /** The node's current property values. */
  values: Record<string, unknown>;
}

/** What a controller node sees of the nodes it controls (NodeContext.control). */
export interface NodeControl {
  readonly targets: readonly ControlTarget[];
  /**
   * Runs a controlled node once with `properties` over its own values; resolves with its outputs (the last
   * value per output handle) and rejects with the node's error when it fails.
   */
  run(targetNodeId: string, properties: Record<string, unknown>): Promise<Outputs>;
}

/** NodeTool's `_control_context` value for a controller: target id -> what the target is and accepts. */
export function controlContext(targets: readonly ControlTarget[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const t of targets) {
    const properties: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(t.properties)) properties[name] = { value: t.values[name] ?? null, ...schema };
    context[t.nodeId] = { node_id: t.nodeId, node_type: t.nodeType, node_title: t.title, properties, control_actions: { run: { properties: t.properties } } };
  }
  return context;
}

/** Property types a model cannot sensibly fill in as tool arguments. */
const NOT_ARGUMENTS = new Set(["language_model", "image_model", "tts_model", "asr_model", "video_model", "hf_model"]);

/** Describes a planned node as a control target: its declared properties, those fed by data edges left out. */
export function controlTarget(p: PlannedNode): ControlTarget {
  const ui = (p.node.ui_properties ?? {}) as Record<string, unknown>;
  const title = typeof ui.title === "string" && ui.title.trim() !== "" ? ui.title.trim() : p.decl.title;
  const properties: Record<string, Record<string, unknown>> = {};
  for (const prop of p.decl.properties) {
    if (prop.name.startsWith("_") || p.incoming.has(prop.name) || NOT_ARGUMENTS.has(prop.type)) continue;
    const schema = jsonSchemaForProperty(prop);
    if (p.base[prop.name] !== undefined) schema.default = p.base[prop.name];
    properties[prop.name] = schema;
  }
  for (const name of Object.keys(p.node.dynamic_properties)) {
    if (!properties[name] && !findProperty(p.decl, name) && !p.incoming.has(name)) properties[name] = {};
  }
  const firstLine = p.decl.description.split("\n")[0].trim();
  return { nodeId: p.node.id, nodeType: p.node.type, title, description: firstLine, properties, values: { ...p.base } };
}

export interface ControlEvent {
  properties: Record<string, unknown>;
  /** Present when a controller awaits the outcome (a tool call); absent for `__control_output__` events. */
  reply?: { resolve(outputs: Outputs): void; reject(err: unknown): void };
}

/** The control events of one controlled node, open until every controller has ended. */
export class ControlInbox {
  private readonly queue: ControlEvent[] = [];
  private wake: (() => void) | undefined;
  private aborted = false;

  constructor(private open: number) {}

  put(event: ControlEvent): void {
    if (this.aborted || this.open === 0) {
      event.reply?.reject(this.aborted ? abortError() : new Error("The controlled node has already finished"));
      return;
    }
    this.queue.push(event);
    this.notify();
  }

  /** One controller ended. */
  closeOne(): void {
    if (this.open > 0) this.open--;
    this.notify();
  }

  abort(): void {
    this.aborted = true;
    for (const e of this.queue.splice(0)) e.reply?.reject(abortError());
    this.notify();
  }

  /** The next event, or null once every controller has ended and nothing is queued. */
  async next(): Promise<ControlEvent | null> {
    for (;;) {
      if (this.aborted) throw abortError();
      const event = this.queue.shift();
      if (event) return event;
      if (this.open === 0) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** A `__control_output__` value as run-event properties (NodeTool unwraps a nested `properties` object). */
export function controlOutputProperties(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const inner = record.properties;
  if (inner && typeof inner === "object" && !Array.isArray(inner)) return inner as Record<string, unknown>;
  return record;
}

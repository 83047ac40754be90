import type { NodeDecl, OutputDecl, PropertyDecl } from "./types";

export type NodeSpec = Omit<
  NodeDecl,
  "kind" | "isDynamic" | "isStreamingOutput" | "isStreamingInput" | "gpu" | "outputs" | "title" | "properties"
> &
  Partial<Pick<NodeDecl, "kind" | "isDynamic" | "gpu" | "title">> & {
    properties?: readonly PropertyDecl[];
    /** Defaults to a single `output` of type `any`. */
    outputs?: readonly OutputDecl[];
  };

/**
 * Declares a node. The declaration is the single source for validation, input/output schemas and the node
 * catalog; the streaming flags follow from which implementation (`process`, `gen`, `run`) it provides.
 */
export function defineNode(spec: NodeSpec): NodeDecl {
  const implementations = [spec.process, spec.gen, spec.run].filter(Boolean).length;
  if (implementations !== 1) {
    throw new Error(`${spec.type}: a node provides exactly one of process, gen or run`);
  }
  return {
    ...spec,
    title: spec.title ?? titleFromType(spec.type),
    properties: spec.properties ?? [],
    outputs: spec.outputs ?? [{ name: "output", type: "any" }],
    kind: spec.kind ?? "node",
    isDynamic: spec.isDynamic ?? false,
    isStreamingOutput: spec.gen !== undefined,
    isStreamingInput: spec.run !== undefined,
    gpu: spec.gpu ?? false,
  };
}

/** "nodetool.text.FormatText" -> "Format Text" */
export function titleFromType(type: string): string {
  const last = type.slice(type.lastIndexOf(".") + 1);
  return last.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2");
}

/** Shorthand for property declarations. */
export function prop(name: string, type: string, defaultValue?: unknown, extra: Omit<PropertyDecl, "name" | "type" | "default"> = {}): PropertyDecl {
  return { name, type, default: defaultValue, ...extra };
}

export function out(name: string, type: string): OutputDecl {
  return { name, type };
}

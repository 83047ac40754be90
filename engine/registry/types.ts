import type { EngineMessage } from "../../schema/messages";
import type { LanguageModelService } from "../providers/types";
import type { BlobStore } from "../media/blob-store";
import type { InferenceService } from "../inference/types";
import type { HttpService } from "../web/http-service";
import type { SearchService } from "../search/search-service";
import type { WorkspaceService } from "../workspace/workspace-service";
import type { SqlService } from "../sql/sql-service";
import type { CodeSandbox } from "../code/sandbox";
import type { VectorStore } from "../vectors/store";
import type { EmbeddingService } from "../embeddings/client";
import type { MediaService } from "../providers/media/types";
import type { WorkflowToolService } from "../agents/workflow-tools";
import type { NodeControl } from "../executor/control";

/**
 * Property and output types, spelled as NodeTool spells them in lower case: "str", "int", "float", "bool",
 * "any", "list", "list[str]", "dict", "image", "audio", "video", "document", "datetime", "date",
 * "language_model", "enum", and unions such as "int|float". They drive edge type checks and JSON schemas.
 */
export type TypeName = string;

export interface PropertyDecl {
  name: string;
  type: TypeName;
  default?: unknown;
  title?: string;
  description?: string;
  min?: number;
  max?: number;
  /** Allowed values of an enum property. */
  values?: readonly string[];
  /** A property that must be connected or set; validation reports it when missing. */
  required?: boolean;
  /** Older or newer NodeTool spellings of the same property (e.g. `new_value` for `new`). */
  aliases?: readonly string[];
}

export interface OutputDecl {
  name: string;
  type: TypeName;
}

/** Host services a node may use. The engine never reaches for Node or Workers APIs itself. */
export interface EngineServices {
  /** Milliseconds since the epoch; injectable so tests can pin time. */
  now(): number;
  /** Stored media: reads `asset://`, storage and (when allowed) remote URIs, saves assets and temp files. */
  blobs?: BlobStore;
  /** Chat providers for the LLM nodes (engine/providers); absent when the host offers none. */
  llm?: LanguageModelService;
  /** GPU inference (engine/inference) for the `gpu` nodes; absent when the host has no gpu-runner to offer. */
  inference?: InferenceService;
  /** Outbound HTTP behind the host's fetch guard (web nodes, the agents' fetch tool). */
  http?: HttpService;
  /** The configured web search provider (search.* nodes, the agents' search tool). */
  search?: SearchService;
  /** The job user's persistent workspace (nodetool.workspace, lib.os, the agents' workspace tool). */
  workspace?: WorkspaceService;
  /** The job user's persistent SQLite databases (lib.sqlite): a Durable Object per database on the server. */
  sql?: SqlService;
  /** The JavaScript sandbox of the nodetool.code nodes (engine/code/sandbox.ts). */
  code?: CodeSandbox;
  /** The job user's vector collections (vector.chroma nodes; engine/vectors/store.ts). */
  vectors?: VectorStore;
  /** Text embeddings through the configured OpenAI-compatible providers (engine/embeddings/client.ts). */
  embeddings?: EmbeddingService;
  /** Image, speech, transcription and video generation through the configured OpenAI-compatible providers (engine/providers/media). */
  media?: MediaService;
  /** The job user's saved workflows that agents may call as tools (engine/agents/workflow-tools.ts). */
  workflows?: WorkflowToolService;
}

/** What a node sees while it runs. */
export interface NodeContext {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly nodeName: string;
  readonly signal: AbortSignal;
  readonly services: EngineServices;
  progress(progress: number, total: number, chunk?: string): void;
  log(content: string, severity?: "debug" | "info" | "warning" | "error"): void;
  /** The node's `dynamic_outputs` in the graph (NodeTool nodes that support dynamic outputs read them). */
  readonly dynamicOutputs?: Readonly<Record<string, unknown>>;
  /** Present on a node with outgoing control edges: the nodes it controls, runnable as tools. */
  readonly control?: NodeControl;
}

export type Outputs = Record<string, unknown>;
export type Inputs = Record<string, unknown>;

/** A streaming-input node pulls items from its handles and pushes items to its outputs. */
export interface NodeInputs {
  /** The latest value of a handle, or the property value when nothing is connected. */
  value(handle: string): unknown;
  /** True when the handle has an incoming edge. */
  connected(handle: string): boolean;
  /** Items arriving on one handle until its upstream ends. */
  stream(handle: string): AsyncIterable<unknown>;
  /** Items arriving on any handle, as `[handle, item]`, until every handle ended. */
  any(): AsyncIterable<[string, unknown]>;
}
export interface NodeOutputs {
  emit(handle: string, value: unknown): void;
}

export type NodeKind = "input" | "output" | "constant" | "node";

export interface NodeDecl {
  type: string;
  title: string;
  description: string;
  properties: readonly PropertyDecl[];
  outputs: readonly OutputDecl[];
  kind: NodeKind;
  /** Accepts `dynamic_properties` as extra named inputs (FormatText's template variables). */
  isDynamic: boolean;
  /** Emits several items per run (`gen`) instead of one output map. */
  isStreamingOutput: boolean;
  /** Consumes its inputs as streams (`run`) instead of being fired per input tuple. */
  isStreamingInput: boolean;
  /** Runs on a gpu-runner (used by the node catalog and the runner pool). */
  gpu: boolean;
  /**
   * Declared so that real files are recognised, but not runnable here: the reason, e.g. "not supported on this
   * server (it runs Python in Docker)". Validation reports `<type>: <reason>` when a graph uses the node.
   */
  unsupported?: string;
  process?: (inputs: Inputs, ctx: NodeContext) => Outputs | Promise<Outputs>;
  gen?: (inputs: Inputs, ctx: NodeContext) => AsyncIterable<Outputs> | Iterable<Outputs>;
  run?: (inputs: NodeInputs, outputs: NodeOutputs, ctx: NodeContext) => Promise<void>;
}

export type EmitFn = (message: EngineMessage) => void;

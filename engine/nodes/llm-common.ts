/**
 * What the LLM node packs (llm.ts, agents.ts, agents-claude.ts, generators.ts) share: NodeTool's
 * `LanguageModel` as a routed model name, messages from prompts, images and history, `Chunk` values, and
 * the prompt placeholders of dynamic inputs. Nodes reach the providers through `services.llm`.
 */
import { readMedia } from "../media/refs";
import { toDataUri } from "../media/data-uri";
import type { ChatContentPart, ChatMessage, ChatRequest, LanguageModelService } from "../providers/types";
import { prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl } from "../registry/types";
import { renderTemplate } from "../template/index";
import { isRecord, toInt, toList, } from "../values/coerce";

export const EMPTY_LANGUAGE_MODEL = { type: "language_model", provider: "empty", id: "", name: "" };
export const emptyMedia = (type: string) => ({ type, uri: "", asset_id: null, data: null });
export const DEFAULT_SYSTEM_PROMPT = "You are a friendly assistant";

/** NodeTool's `LanguageModel` (or a plain model string) as the model name the provider layer routes. */
export function modelName(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (!isRecord(value)) return "";
  const id = typeof value.id === "string" ? value.id.trim() : "";
  const provider = typeof value.provider === "string" ? value.provider.trim().toLowerCase() : "";
  if (id === "") return "";
  if (provider === "" || provider === "empty") return id;
  return `${provider}:${id}`;
}

export function llmOf(ctx: NodeContext): LanguageModelService {
  const llm = ctx.services.llm;
  if (!llm) throw new Error("No language model provider is available to this run (configure OPENAI_API_KEY, ANTHROPIC_API_KEY or CHAT_PROVIDERS)");
  return llm;
}

export function isSet(media: unknown): boolean {
  if (typeof media === "string") return media !== "";
  if (!isRecord(media)) return false;
  return (typeof media.uri === "string" && media.uri !== "") || (media.data !== null && media.data !== undefined && media.data !== "");
}

/** An image input as a chat content part: http(s) URLs go as they are when there is no blob store; anything else as a data: URI. */
export async function imagePart(image: unknown, ctx: NodeContext): Promise<ChatContentPart | undefined> {
  if (!isSet(image)) return undefined;
  const uri = typeof image === "string" ? image : isRecord(image) && typeof image.uri === "string" ? image.uri : "";
  const hasData = isRecord(image) && image.data !== null && image.data !== undefined;
  if (!hasData && /^https?:\/\//i.test(uri) && !ctx.services.blobs) return { type: "image_url", image_url: { url: uri } };
  const content = await readMedia(image, ctx, `${ctx.nodeName} image`, "image");
  return { type: "image_url", image_url: { url: toDataUri(content.bytes, content.contentType) } };
}

/** The user message: the prompt text, plus the image when one is set. Audio is not sent (logged). */
export async function userMessage(text: string, inputs: Inputs, ctx: NodeContext): Promise<ChatMessage> {
  const image = await imagePart(inputs.image, ctx);
  if (isSet(inputs.audio)) ctx.log("Audio input is not supported by the chat providers of this server; it was not sent", "warning");
  if (!image) return { role: "user", content: text };
  return { role: "user", content: [{ type: "text", text }, image] };
}

/** NodeTool `Message` values (history) as chat messages: system, user and assistant text and images. */
export function historyMessages(value: unknown): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const m of toList(value)) {
    if (!isRecord(m)) continue;
    const role = m.role;
    if (role !== "system" && role !== "user" && role !== "assistant") continue;
    let content: ChatMessage["content"];
    if (typeof m.content === "string") content = m.content;
    else if (Array.isArray(m.content)) {
      const parts: ChatContentPart[] = [];
      for (const part of m.content) {
        if (!isRecord(part)) continue;
        if (part.type === "text" && typeof part.text === "string") parts.push({ type: "text", text: part.text });
        const img = isRecord(part.image) ? part.image : isRecord(part.image_url) ? part.image_url : undefined;
        const url = img && (typeof img.uri === "string" ? img.uri : typeof img.url === "string" ? img.url : "");
        if (url && /^(https?:|data:)/i.test(url) && role === "user") parts.push({ type: "image_url", image_url: { url } });
      }
      content = role === "user" ? parts : parts.map((p) => p.text ?? "").join("");
    } else continue;
    messages.push({ role, content });
  }
  return messages;
}

/** A NodeTool `Chunk` message value. */
export function chunk(ctx: NodeContext, content: string, contentType = "text"): Record<string, unknown> {
  return { type: "chunk", node_id: ctx.nodeId, content, content_type: contentType, done: false };
}

export interface Delta {
  text?: string;
  thinking?: string;
}

/** A request as nodes build it: `model` is NodeTool's LanguageModel value. */
export interface NodeRequest {
  model: unknown;
  messages: ChatMessage[];
  max_tokens?: number;
  response_format?: ChatRequest["response_format"];
}

/** Streams the text (and reasoning, where a provider sends it) of a completion as it arrives. */
export async function* deltas(ctx: NodeContext, request: NodeRequest): AsyncGenerator<Delta> {
  const llm = llmOf(ctx);
  const req: ChatRequest = { ...request, model: modelName(request.model) };
  if (req.response_format === undefined) delete req.response_format;
  for await (const c of llm.streamChat(req, ctx.signal)) {
    const delta = c.choices?.[0]?.delta;
    if (!delta) continue;
    const reasoning = (delta.reasoning_content ?? delta.reasoning) as unknown;
    if (typeof reasoning === "string" && reasoning !== "") yield { thinking: reasoning };
    if (typeof delta.content === "string" && delta.content !== "") yield { text: delta.content };
  }
}

/** Completes without streaming outputs; chunks are reported as node progress. Returns the full text. */
export async function completeText(ctx: NodeContext, request: NodeRequest): Promise<string> {
  let text = "";
  for await (const d of deltas(ctx, request)) {
    if (d.text === undefined) continue;
    text += d.text;
    ctx.progress(0, 0, d.text);
  }
  return text;
}

export function maxTokens(value: unknown, fallback: number): number {
  const n = value === undefined || value === null || value === "" ? fallback : toInt(value, "max_tokens");
  return n > 0 ? n : fallback;
}

export const modelProp = (description: string) => prop("model", "language_model", EMPTY_LANGUAGE_MODEL, { description });
export const imageProp = (description: string) => prop("image", "image", emptyMedia("image"), { description });
export const audioProp = (description: string) => prop("audio", "audio", emptyMedia("audio"), { description });

/** The inputs of a dynamic node that are not declared properties: its `dynamic_properties` and extra edges. */
export function dynamicInputs(inputs: Inputs, decl: Pick<NodeDecl, "properties">): Record<string, unknown> {
  const declared = new Set<string>();
  for (const p of decl.properties) {
    declared.add(p.name);
    for (const a of p.aliases ?? []) declared.add(a);
  }
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (!declared.has(k) && !k.startsWith("_")) vars[k] = v;
  return vars;
}

/**
 * A prompt with `{{ name }}` placeholders filled from the node's dynamic inputs (Jinja syntax, as
 * FormatText). Without dynamic inputs the prompt is left as written, braces and all.
 */
export function fillPrompt(text: string, vars: Record<string, unknown>): string {
  if (Object.keys(vars).length === 0 || !/\{\{|\{%/.test(text)) return text;
  return renderTemplate(text, vars);
}

/**
 * NodeTool's LLM nodes on the shared provider layer (engine/providers, reached through `services.llm`):
 * `nodetool.agents.Agent`, `nodetool.agents.Summarizer`, `nodetool.agents.Classifier`,
 * `nodetool.generators.ListGenerator` and the plain `nodetool.llms.LLM`. Type names, property names,
 * defaults and outputs follow nodetool-base; prompts follow its Python nodes.
 *
 * `model` is NodeTool's `{type: "language_model", provider, id}`: `provider` names a configured provider
 * (`openai`, `anthropic`, or a CHAT_PROVIDERS name such as `ollama`) and `id` the model; an empty id (or
 * provider `empty`) means the configured default model. Tools, thread persistence and audio output are not
 * available on this server: tools and `thread_id` are ignored with a log line.
 */
import { readMedia } from "../media/refs";
import { toDataUri } from "../media/data-uri";
import type { ChatContentPart, ChatMessage, ChatRequest, LanguageModelService } from "../providers/types";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl, Outputs } from "../registry/types";
import { isRecord, toInt, toList, toText } from "../values/coerce";

export const EMPTY_LANGUAGE_MODEL = { type: "language_model", provider: "empty", id: "", name: "" };
const emptyMedia = (type: string) => ({ type, uri: "", asset_id: null, data: null });

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

function llmOf(ctx: NodeContext): LanguageModelService {
  const llm = ctx.services.llm;
  if (!llm) throw new Error("No language model provider is available to this run (configure OPENAI_API_KEY, ANTHROPIC_API_KEY or CHAT_PROVIDERS)");
  return llm;
}

function isSet(media: unknown): boolean {
  if (typeof media === "string") return media !== "";
  if (!isRecord(media)) return false;
  return (typeof media.uri === "string" && media.uri !== "") || (media.data !== null && media.data !== undefined && media.data !== "");
}

/** An image input as a chat content part: http(s) URLs go as they are when there is no blob store; anything else as a data: URI. */
async function imagePart(image: unknown, ctx: NodeContext): Promise<ChatContentPart | undefined> {
  if (!isSet(image)) return undefined;
  const uri = typeof image === "string" ? image : isRecord(image) && typeof image.uri === "string" ? image.uri : "";
  const hasData = isRecord(image) && image.data !== null && image.data !== undefined;
  if (!hasData && /^https?:\/\//i.test(uri) && !ctx.services.blobs) return { type: "image_url", image_url: { url: uri } };
  const content = await readMedia(image, ctx, `${ctx.nodeName} image`, "image");
  return { type: "image_url", image_url: { url: toDataUri(content.bytes, content.contentType) } };
}

/** The user message: the prompt text, plus the image when one is set. Audio is not sent (logged). */
async function userMessage(text: string, inputs: Inputs, ctx: NodeContext): Promise<ChatMessage> {
  const image = await imagePart(inputs.image, ctx);
  if (isSet(inputs.audio)) ctx.log("Audio input is not supported by the chat providers of this server; it was not sent", "warning");
  if (!image) return { role: "user", content: text };
  return { role: "user", content: [{ type: "text", text }, image] };
}

/** NodeTool `Message` values (history) as chat messages: system, user and assistant text and images. */
function historyMessages(value: unknown): ChatMessage[] {
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

function warnUnsupported(inputs: Inputs, ctx: NodeContext): void {
  if (toList(inputs.tools).length > 0) ctx.log("Tools are not available on this server; the model runs without them", "warning");
  if (toText(inputs.thread_id) !== "") ctx.log("thread_id is ignored: conversation threads are not stored on this server", "info");
}

/** A NodeTool `Chunk` message value. */
function chunk(ctx: NodeContext, content: string, contentType = "text"): Record<string, unknown> {
  return { type: "chunk", node_id: ctx.nodeId, content, content_type: contentType, done: false };
}

interface Delta {
  text?: string;
  thinking?: string;
}

/** A request as nodes build it: `model` is NodeTool's LanguageModel value. */
interface NodeRequest {
  model: unknown;
  messages: ChatMessage[];
  max_tokens?: number;
}

/** Streams the text (and reasoning, where a provider sends it) of a completion as it arrives. */
async function* deltas(ctx: NodeContext, request: NodeRequest): AsyncGenerator<Delta> {
  const llm = llmOf(ctx);
  const req: ChatRequest = { ...request, model: modelName(request.model) };
  for await (const c of llm.streamChat(req, ctx.signal)) {
    const delta = c.choices?.[0]?.delta;
    if (!delta) continue;
    const reasoning = (delta.reasoning_content ?? delta.reasoning) as unknown;
    if (typeof reasoning === "string" && reasoning !== "") yield { thinking: reasoning };
    if (typeof delta.content === "string" && delta.content !== "") yield { text: delta.content };
  }
}

/** Completes without streaming outputs; chunks are reported as node progress. Returns the full text. */
async function completeText(ctx: NodeContext, request: NodeRequest): Promise<string> {
  let text = "";
  for await (const d of deltas(ctx, request)) {
    if (d.text === undefined) continue;
    text += d.text;
    ctx.progress(0, 0, d.text);
  }
  return text;
}

function maxTokens(value: unknown, fallback: number): number {
  const n = value === undefined || value === null || value === "" ? fallback : toInt(value, "max_tokens");
  return n > 0 ? n : fallback;
}

const modelProp = (description: string) => prop("model", "language_model", EMPTY_LANGUAGE_MODEL, { description });
const imageProp = (description: string) => prop("image", "image", emptyMedia("image"), { description });
const audioProp = (description: string) => prop("audio", "audio", emptyMedia("audio"), { description });

export const DEFAULT_SYSTEM_PROMPT = "You are a friendly assistant";

// ---------------------------------------------------------------------------------------------------------

const agentNode = defineNode({
  type: "nodetool.agents.Agent",
  description:
    "Generate natural language responses using LLM providers and streams output.\n    llm, text-generation, chatbot, question-answering, streaming\n\n" +
    "Streams the answer on `chunk` as it arrives (NodeTool `Chunk` values), then the whole text on `text`.",
  properties: [
    modelProp("Model to use for execution"),
    prop("system", "str", DEFAULT_SYSTEM_PROMPT, { title: "System", description: "The system prompt for the LLM" }),
    prop("prompt", "str", "", { title: "Prompt", description: "The prompt for the LLM" }),
    prop("tools", "list[tool_name]", [], { title: "Tools", description: "Not available on this server (ignored)" }),
    imageProp("The image to analyze"),
    audioProp("The audio to analyze (not sent: the chat providers take no audio here)"),
    prop("history", "list[message]", [], { title: "Messages", description: "The messages for the LLM", aliases: ["messages"] }),
    prop("thread_id", "str", "", { title: "Thread ID", description: "Not stored on this server (ignored)" }),
    prop("max_tokens", "int", 8192, { title: "Max Tokens", min: 1, max: 100000 }),
  ],
  outputs: [out("text", "str"), out("chunk", "chunk"), out("thinking", "chunk"), out("audio", "audio")],
  async *gen(inputs, ctx) {
    warnUnsupported(inputs, ctx);
    const messages: ChatMessage[] = [];
    const system = toText(inputs.system);
    if (system) messages.push({ role: "system", content: system });
    messages.push(...historyMessages(inputs.history), await userMessage(toText(inputs.prompt), inputs, ctx));
    let text = "";
    for await (const d of deltas(ctx, { model: inputs.model, messages, max_tokens: maxTokens(inputs.max_tokens, 8192) })) {
      if (d.thinking !== undefined) yield { thinking: chunk(ctx, d.thinking) };
      if (d.text !== undefined) {
        text += d.text;
        yield { chunk: chunk(ctx, d.text) };
      }
    }
    yield { text };
  },
});

export const DEFAULT_SUMMARIZER_PROMPT =
  "\n        You are an expert summarizer. Your task is to create clear, accurate, and concise summaries using Markdown for structuring.\n" +
  "        Follow these guidelines:\n" +
  "        1. Identify and include only the most important information.\n" +
  "        2. Maintain factual accuracy - do not add or modify information.\n" +
  "        3. Use clear, direct language.\n" +
  "        4. Aim for approximately {self.max_tokens} tokens.\n        ";

const summarizerNode = defineNode({
  type: "nodetool.agents.Summarizer",
  description:
    "Generate concise summaries of text content using LLM providers with streaming output.\n    text, summarization, nlp, content, streaming",
  properties: [
    prop("system_prompt", "str", DEFAULT_SUMMARIZER_PROMPT, { description: "The system prompt for the summarizer ({self.max_tokens} is replaced by max_tokens)" }),
    modelProp("Model to use for summarization"),
    prop("text", "str", "", { description: "The text to summarize" }),
    imageProp("Optional image to condition the summary"),
    audioProp("Optional audio to condition the summary (not sent)"),
    prop("max_tokens", "int", 200, { description: "Target length of the summary in tokens (older NodeTool files set it)", min: 1, max: 16384 }),
    prop("context_window", "int", 4096, { description: "Accepted for NodeTool compatibility; providers size their own context" }),
  ],
  outputs: [out("text", "str"), out("chunk", "chunk")],
  async *gen(inputs, ctx) {
    const target = maxTokens(inputs.max_tokens, 200);
    const system = toText(inputs.system_prompt).split("{self.max_tokens}").join(String(target));
    const messages: ChatMessage[] = [{ role: "system", content: system }, await userMessage(toText(inputs.text), inputs, ctx)];
    let text = "";
    for await (const d of deltas(ctx, { model: inputs.model, messages })) {
      if (d.text === undefined) continue;
      text += d.text;
      yield { chunk: chunk(ctx, d.text) };
    }
    yield { text };
  },
});

export const LIST_SYSTEM_PROMPT = `You are an assistant that generates lists.
If the user asks for a specific number of items, generate that many.
Wrap each item in <LIST_ITEM> tags. Content inside can span multiple lines.

Example:
User: Generate 3 movie titles
Assistant:
<LIST_ITEM>The Dark Knight</LIST_ITEM>
<LIST_ITEM>Inception</LIST_ITEM>
<LIST_ITEM>The Matrix</LIST_ITEM>

Example 2:
User: Groceries
Assistant:
<LIST_ITEM>Milk
Eggs</LIST_ITEM>
<LIST_ITEM>Bread</LIST_ITEM>
<LIST_ITEM>Butter</LIST_ITEM>`;

const OPEN = "<LIST_ITEM>";
const CLOSE = "</LIST_ITEM>";

function cleanItem(raw: string): string {
  return raw.replace(/\*\*/g, "").replace(/\s+/g, " ").trim();
}

/** Finds `<LIST_ITEM>...</LIST_ITEM>` items in streamed text as soon as each one closes. */
export class ListItemParser {
  private buffer = "";
  /** Everything fed so far, for the fallback when the model ignored the tags. */
  private all = "";
  sawTag = false;

  push(text: string): string[] {
    this.buffer += text;
    this.all += text;
    const items: string[] = [];
    for (;;) {
      const start = this.buffer.indexOf(OPEN);
      if (start < 0) {
        // Keep what could be the start of an opening tag split across chunks.
        this.buffer = this.buffer.slice(Math.max(0, this.buffer.length - (OPEN.length - 1)));
        break;
      }
      this.sawTag = true;
      const end = this.buffer.indexOf(CLOSE, start + OPEN.length);
      if (end < 0) {
        this.buffer = this.buffer.slice(start);
        break;
      }
      const item = cleanItem(this.buffer.slice(start + OPEN.length, end));
      if (item) items.push(item);
      this.buffer = this.buffer.slice(end + CLOSE.length);
    }
    return items;
  }

  /** At the end: an unclosed last item, or (when no tags came at all) the lines of a numbered or bulleted list. */
  finish(): string[] {
    if (this.sawTag) {
      const start = this.buffer.indexOf(OPEN);
      const rest = start >= 0 ? cleanItem(this.buffer.slice(start + OPEN.length)) : "";
      return rest ? [rest] : [];
    }
    const items: string[] = [];
    for (const line of this.all.split("\n")) {
      const m = /^\s*(?:\d+[.)]|[-*\u2022])\s+(.*)$/.exec(line);
      if (m && cleanItem(m[1])) items.push(cleanItem(m[1]));
    }
    return items;
  }
}

const listGeneratorNode = defineNode({
  type: "nodetool.generators.ListGenerator",
  description:
    "LLM Agent to create a stream of strings based on a user prompt.\n    llm, text streaming\n\n" +
    "Each item goes out on `item` (with its position on `index`) as soon as the model has written it; `output` " +
    "carries the whole list at the end. `item` is typed `any` so that it can also feed list inputs.",
  properties: [
    modelProp("The model to use for string generation."),
    prop("prompt", "str", "", { description: "The user prompt" }),
    prop("input_text", "str", "", { description: "The input text to be analyzed by the agent." }),
    prop("max_tokens", "int", 4096, { description: "The maximum number of tokens to generate.", min: 1, max: 100000 }),
  ],
  outputs: [out("item", "any"), out("index", "int"), out("output", "list[str]")],
  async *gen(inputs, ctx) {
    const prompt = toText(inputs.prompt);
    const inputText = toText(inputs.input_text);
    const user = inputText ? (prompt ? `${prompt}\n\n${inputText}` : inputText) : prompt;
    const messages: ChatMessage[] = [
      { role: "system", content: LIST_SYSTEM_PROMPT },
      { role: "user", content: user },
    ];
    const parser = new ListItemParser();
    const items: string[] = [];
    for await (const d of deltas(ctx, { model: inputs.model, messages, max_tokens: maxTokens(inputs.max_tokens, 4096) })) {
      if (d.text === undefined) continue;
      for (const item of parser.push(d.text)) {
        yield { item, index: items.length };
        items.push(item);
      }
    }
    for (const item of parser.finish()) {
      yield { item, index: items.length };
      items.push(item);
    }
    if (items.length === 0) {
      throw new Error("ListGenerator did not find any <LIST_ITEM> tags (or list lines) in the response");
    }
    yield { output: items };
  },
});

export const CLASSIFIER_SYSTEM_PROMPT =
  "You are a precise classifier. Choose exactly one category from the allowed list. " +
  'Return only JSON matching {"category":"<allowed-category>"} with no extra text.';

/** The category a reply names: its JSON `category`, else the first category mentioned, else the first one. */
export function parseCategory(raw: string, categories: string[]): string {
  const lower = (s: string) => s.trim().toLowerCase();
  const match = /\{[\s\S]*\}/.exec(raw);
  if (match) {
    try {
      const parsed = JSON.parse(match[0]) as { category?: unknown };
      if (typeof parsed.category === "string") {
        const found = categories.find((c) => lower(c) === lower(parsed.category as string));
        if (found) return found;
      }
    } catch {
      // not JSON: look for a category by name
    }
  }
  const text = raw.toLowerCase();
  return categories.find((c) => c.trim() !== "" && text.includes(lower(c))) ?? categories[0];
}

const classifierNode = defineNode({
  type: "nodetool.agents.Classifier",
  description: "Classify text into predefined or dynamic categories using LLM.\n    classification, nlp, categorization",
  properties: [
    prop("system_prompt", "str", CLASSIFIER_SYSTEM_PROMPT, { description: "The system prompt for the classifier" }),
    modelProp("Model to use for classification"),
    prop("text", "str", "", { description: "Text to classify" }),
    imageProp("Optional image to classify in context"),
    audioProp("Optional audio to classify in context (not sent)"),
    prop("categories", "list[str]", [], { description: "List of possible categories. If empty, LLM will determine categories." }),
  ],
  outputs: [out("output", "str")],
  async process(inputs, ctx): Promise<Outputs> {
    const categories = toList(inputs.categories).map(toText).filter((c) => c.trim() !== "");
    const allowed = categories.length > 0 ? `Allowed categories: ${JSON.stringify(categories)}` : "Choose the most fitting category name yourself.";
    const messages: ChatMessage[] = [
      { role: "system", content: `${toText(inputs.system_prompt)}\n\n${allowed}` },
      await userMessage(toText(inputs.text), inputs, ctx),
    ];
    const raw = await completeText(ctx, { model: inputs.model, messages, max_tokens: 256 });
    if (categories.length > 0) return { output: parseCategory(raw, categories) };
    const match = /"category"\s*:\s*"([^"]*)"/.exec(raw);
    return { output: (match ? match[1] : raw).trim() };
  },
});

const llmNode = defineNode({
  type: "nodetool.llms.LLM",
  title: "LLM",
  description:
    "Generate natural language responses using LLM providers.\n    llm, text-generation, chatbot, question-answering\n\n" +
    "Returns the whole answer on `text`; while it streams, each piece is reported as node progress.",
  properties: [
    modelProp("Model to use for execution"),
    prop("system", "str", "You are a friendly assistant.", { title: "System", description: "The system prompt for the LLM" }),
    prop("prompt", "str", "", { title: "Prompt", description: "The prompt for the LLM" }),
    imageProp("The image to analyze"),
    audioProp("The audio to analyze (not sent)"),
    prop("voice", "str", "none", { values: ["none", "alloy", "echo", "fable", "onyx", "nova", "shimmer"], description: "Audio output is not available here: only none" }),
    prop("tools", "list[tool_name]", [], { description: "Not available on this server (ignored)" }),
    prop("messages", "list[message]", [], { title: "Messages", description: "The messages for the LLM", aliases: ["history"] }),
    prop("max_tokens", "int", 4096, { title: "Max Tokens", min: 1, max: 100000 }),
    prop("context_window", "int", 4096, { description: "Accepted for NodeTool compatibility; providers size their own context" }),
  ],
  outputs: [out("text", "str"), out("audio", "audio"), out("image", "image")],
  async process(inputs, ctx): Promise<Outputs> {
    const voice = toText(inputs.voice || "none").toLowerCase().replace(/^voice\./, "");
    if (voice !== "none") throw new Error("Voice output is not available on this server; set voice to none");
    warnUnsupported(inputs, ctx);
    const messages: ChatMessage[] = [];
    const system = toText(inputs.system);
    if (system) messages.push({ role: "system", content: system });
    messages.push(...historyMessages(inputs.messages), await userMessage(toText(inputs.prompt), inputs, ctx));
    return { text: await completeText(ctx, { model: inputs.model, messages, max_tokens: maxTokens(inputs.max_tokens, 4096) }) };
  },
});

export const llmNodes: NodeDecl[] = [agentNode, summarizerNode, classifierNode, listGeneratorNode, llmNode];

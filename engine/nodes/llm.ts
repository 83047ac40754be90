/**
 * NodeTool's plain LLM nodes on the shared provider layer (engine/providers, reached through `services.llm`):
 * `nodetool.agents.Summarizer`, `nodetool.agents.Classifier` and `nodetool.llms.LLM`. The agent nodes live
 * in agents.ts and agents-claude.ts, the generators in generators.ts; `llmNodes` registers them all.
 * Type names, property names, defaults and outputs follow nodetool-base; prompts follow its Python nodes.
 *
 * `model` is NodeTool's `{type: "language_model", provider, id}`: `provider` names a configured provider
 * (`openai`, `anthropic`, or a CHAT_PROVIDERS name such as `ollama`) and `id` the model; an empty id (or
 * provider `empty`) means the configured default model.
 */
import { toolNames, resolveTools } from "../agents/builtin-tools";
import { agentLoop } from "../agents/loop";
import type { ChatMessage } from "../providers/types";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl, Outputs } from "../registry/types";
import { toList, toText } from "../values/coerce";
import { agentNodes } from "./agents";
import { claudeAgentNodes } from "./agents-claude";
import { generatorNodes } from "./generators";
import { audioProp, chunk, completeText, deltas, historyMessages, imageProp, llmOf, maxTokens, modelName, modelProp, userMessage } from "./llm-common";

export { ListItemParser } from "../agents/list-items";
export { modelName, EMPTY_LANGUAGE_MODEL, DEFAULT_SYSTEM_PROMPT } from "./llm-common";
export { LIST_SYSTEM_PROMPT } from "./generators";

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
    prop("tools", "list[tool_name]", [], { description: "Tools the model may call (built-in tools by NodeTool's names, workflow_<name> for tool workflows)" }),
    prop("messages", "list[message]", [], { title: "Messages", description: "The messages for the LLM", aliases: ["history"] }),
    prop("max_tokens", "int", 4096, { title: "Max Tokens", min: 1, max: 100000 }),
    prop("context_window", "int", 4096, { description: "Accepted for NodeTool compatibility; providers size their own context" }),
  ],
  outputs: [out("text", "str"), out("audio", "audio"), out("image", "image")],
  async process(inputs, ctx): Promise<Outputs> {
    const voice = toText(inputs.voice || "none").toLowerCase().replace(/^voice\./, "");
    if (voice !== "none") throw new Error("Voice output is not available on this server; set voice to none");
    const messages: ChatMessage[] = [];
    const system = toText(inputs.system);
    if (system) messages.push({ role: "system", content: system });
    messages.push(...historyMessages(inputs.messages), await userMessage(toText(inputs.prompt), inputs, ctx));
    const tools = await resolveTools(toolNames(inputs.tools), ctx);
    if (tools.length === 0) return { text: await completeText(ctx, { model: inputs.model, messages, max_tokens: maxTokens(inputs.max_tokens, 4096) }) };
    const loop = agentLoop(llmOf(ctx), ctx, { model: modelName(inputs.model), messages, tools, maxTokens: maxTokens(inputs.max_tokens, 4096) });
    let step = await loop.next();
    while (!step.done) {
      if (step.value.type === "text") ctx.progress(0, 0, step.value.text);
      step = await loop.next();
    }
    return { text: step.value.text };
  },
});

export const llmNodes: NodeDecl[] = [...agentNodes, summarizerNode, classifierNode, ...generatorNodes, llmNode, ...claudeAgentNodes];

/**
 * NodeTool's agent nodes (namespace nodetool.agents; Summarizer and Classifier are in llm.ts): Agent with
 * real tool calling (built-in tools, tool workflows, and the nodes it controls through control edges),
 * ControlAgent, CreateThread, Extractor and ResearchAgent. Semantics follow NodeTool: packages/base-nodes
 * src/nodes/agents.ts; property names and defaults follow nodetool-base.
 */
import { resolveTools, toolNames } from "../agents/builtin-tools";
import { controlTools } from "../agents/control-tools";
import { agentLoop, type LoopEvent, type LoopResult } from "../agents/loop";
import { CONTROL_AGENT_SYSTEM_PROMPT, EXTRACTOR_SYSTEM_PROMPT, RESEARCH_AGENT_SYSTEM_PROMPT } from "../agents/prompts";
import { dynamicOutputSchema, extractJson, jsonSchemaFormat, structuredFields } from "../agents/structured";
import { appendToThread, createThread, newThreadId, threadMessages } from "../agents/threads";
import { controlContext } from "../executor/control";
import type { ChatMessage, ChatRequest } from "../providers/types";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl, Outputs } from "../registry/types";
import { isRecord, toText } from "../values/coerce";
import {
  audioProp,
  chunk,
  completeText,
  DEFAULT_SYSTEM_PROMPT,
  dynamicInputs,
  fillPrompt,
  historyMessages,
  imageProp,
  llmOf,
  maxTokens,
  modelName,
  modelProp,
  userMessage,
} from "./llm-common";

/** Model turns an Agent may take (NodeTool bounds none; a run must end). */
export const AGENT_MAX_ITERATIONS = 25;

const agentProperties = [
  modelProp("Model to use for execution"),
  prop("system", "str", DEFAULT_SYSTEM_PROMPT, { title: "System", description: "The system prompt for the LLM" }),
  prop("prompt", "str", "", { title: "Prompt", description: "The prompt for the LLM ({{ name }} placeholders are filled from dynamic inputs)" }),
  prop("tools", "list[tool_name]", [], {
    title: "Tools",
    description: "Tools to enable for the agent: google_search, google_news, browser, http_request, read_file, write_file, list_directory, workflow_<name>",
  }),
  imageProp("The image to analyze"),
  audioProp("The audio to analyze (not sent: the chat providers take no audio here)"),
  prop("history", "list[message]", [], { title: "Messages", description: "The messages for the LLM", aliases: ["messages"] }),
  prop("thread_id", "str", "", { title: "Thread ID", description: "Optional thread ID for persistent conversation history" }),
  prop("max_tokens", "int", 8192, { title: "Max Tokens", min: 1, max: 100000 }),
];

/** Streams a tool loop's chunks as Agent outputs; returns the loop's result. */
async function* streamLoop(ctx: NodeContext, loop: AsyncGenerator<LoopEvent, LoopResult>): AsyncGenerator<Outputs, LoopResult> {
  for (;;) {
    const step = await loop.next();
    if (step.done) return step.value;
    const e = step.value;
    if (e.type === "text") yield { chunk: chunk(ctx, e.text) };
    else if (e.type === "thinking") yield { thinking: chunk(ctx, e.text) };
  }
}

const agentNode = defineNode({
  type: "nodetool.agents.Agent",
  description:
    "Generate natural language responses using LLM providers and streams output.\n    llm, text-generation, chatbot, question-answering, streaming\n\n" +
    "Calls its tools (and the nodes it controls) until the model answers; streams the answer on `chunk`, then the whole " +
    "text on `text`. With dynamic outputs it asks for one JSON object and emits each field on its output.",
  isDynamic: true,
  properties: agentProperties,
  outputs: [out("text", "str"), out("chunk", "chunk"), out("thinking", "chunk"), out("audio", "audio")],
  async *gen(inputs, ctx) {
    const vars = dynamicInputs(inputs, agentNode);
    const threadId = toText(inputs.thread_id).trim();
    const messages: ChatMessage[] = [];
    const system = fillPrompt(toText(inputs.system), vars);
    if (system) messages.push({ role: "system", content: system });
    if (threadId) messages.push(...(await threadMessages(ctx, threadId)));
    const prompt = fillPrompt(toText(inputs.prompt), vars);
    const user = await userMessage(prompt, inputs, ctx);
    messages.push(...historyMessages(inputs.history), user);
    const tools = [...(await resolveTools(toolNames(inputs.tools), ctx)), ...controlTools(ctx)];
    const schema = dynamicOutputSchema(ctx.dynamicOutputs);
    const loop = agentLoop(llmOf(ctx), ctx, {
      model: modelName(inputs.model),
      messages,
      tools,
      maxTokens: maxTokens(inputs.max_tokens, 8192),
      maxIterations: AGENT_MAX_ITERATIONS,
      responseFormat: schema ? jsonSchemaFormat("agent_structured_output", schema) : undefined,
    });
    const result = yield* streamLoop(ctx, loop);
    if (threadId) await appendToThread(ctx, threadId, [{ role: "user", content: prompt }, { role: "assistant", content: result.text }]);
    if (schema) {
      if (!result.text) throw new Error("Agent did not return structured output text");
      yield structuredFields(result.text, schema, "Agent");
    }
    yield { text: result.text };
  },
});

/** The context a ControlAgent reasons about: its dynamic inputs (and NodeTool's older `context` property). */
function controlAgentContext(inputs: Inputs, decl: NodeDecl): string {
  const vars = dynamicInputs(inputs, decl);
  const parts: string[] = [];
  for (const [name, value] of Object.entries(vars)) {
    if (name === "schema_description") continue;
    parts.push(`${name}: ${toText(value)}`);
  }
  return parts.join("\n");
}

const controlAgentNode = defineNode({
  type: "nodetool.agents.ControlAgent",
  description:
    "Agent that analyzes context and outputs control parameters for downstream nodes via control edges.\n    control, agent, flow-control, parameters, automation, decision-making\n\n" +
    "Its context is whatever is connected to it (dynamic inputs); the parameters it decides go to every node it controls as a run event.",
  isDynamic: true,
  properties: [
    modelProp("Model to use for control decisions"),
    prop("system", "str", CONTROL_AGENT_SYSTEM_PROMPT, { description: "The system prompt for the control agent" }),
    prop("max_tokens", "int", 2048, { min: 1, max: 100000 }),
  ],
  outputs: [out("__control_output__", "dict[str, any]")],
  async process(inputs, ctx): Promise<Outputs> {
    const targets = ctx.control?.targets ?? [];
    const schemaDescription = toText(inputs.schema_description);
    let user = `_control_context:\n${JSON.stringify(controlContext(targets), null, 2)}\n\nContext:\n${controlAgentContext(inputs, controlAgentNode)}`;
    if (schemaDescription) user += `\n\nSchema description:\n${schemaDescription}`;
    const raw = await completeText(ctx, {
      model: inputs.model,
      messages: [
        { role: "system", content: toText(inputs.system) },
        { role: "user", content: user },
      ],
      max_tokens: maxTokens(inputs.max_tokens, 2048),
      response_format: { type: "json_object" },
    });
    const parsed = extractJson(raw);
    if (!parsed) throw new Error("ControlAgent: the model did not return a JSON object of parameters");
    return { __control_output__: isRecord(parsed.properties) ? parsed.properties : parsed };
  },
});

const createThreadNode = defineNode({
  type: "nodetool.agents.CreateThread",
  description:
    "Create a new conversation thread and return its ID.\n    threads, chat, conversation, context\n\n" +
    "Threads are kept in the user's workspace (.threads/) when it is available, otherwise for the length of the run.",
  properties: [
    prop("title", "str", "Agent Conversation", { description: "Optional title for the new thread" }),
    prop("thread_id", "str", "", { description: "Optional custom thread ID. If provided, it will be reused; otherwise a new thread is created." }),
  ],
  outputs: [out("thread_id", "str")],
  async process(inputs, ctx): Promise<Outputs> {
    const requested = toText(inputs.thread_id).trim();
    const id = requested || newThreadId(ctx.services.now());
    return { thread_id: await createThread(ctx, id, toText(inputs.title) || "Agent Conversation") };
  },
});

function requireSchema(ctx: NodeContext, who: string): Record<string, unknown> {
  const schema = dynamicOutputSchema(ctx.dynamicOutputs);
  if (!schema) throw new Error(`${who} needs at least one output field: add dynamic outputs naming what to produce`);
  return schema;
}

const extractorNode = defineNode({
  type: "nodetool.agents.Extractor",
  description:
    "Extract structured data from text content using LLM providers.\n    data-extraction, structured-data, nlp, parsing\n\n" +
    "The fields to extract are the node's dynamic outputs; each extracted value goes out on its output.",
  properties: [
    prop("system_prompt", "str", EXTRACTOR_SYSTEM_PROMPT, { description: "The system prompt for the data extractor" }),
    modelProp("Model to use for data extraction"),
    prop("text", "str", "", { description: "The text to extract data from" }),
    imageProp("Optional image to assist extraction"),
    audioProp("Optional audio to assist extraction (not sent)"),
  ],
  outputs: [],
  async process(inputs, ctx): Promise<Outputs> {
    const schema = requireSchema(ctx, "Extractor");
    const user = `<JSON_SCHEMA>\n${JSON.stringify(schema, null, 2)}\n</JSON_SCHEMA>\n\n<TEXT>\n${toText(inputs.text)}\n</TEXT>`;
    const raw = await completeText(ctx, {
      model: inputs.model,
      messages: [{ role: "system", content: toText(inputs.system_prompt) }, await userMessage(user, inputs, ctx)],
      response_format: jsonSchemaFormat("extraction_result", schema),
    });
    return structuredFields(raw, schema, "Extractor");
  },
});

/** ResearchAgent's result without dynamic outputs (NodeTool's default research schema). */
const RESEARCH_SCHEMA: Record<string, unknown> = {
  type: "object",
  additionalProperties: false,
  required: ["summary", "findings"],
  properties: {
    summary: { type: "string" },
    findings: {
      type: "array",
      items: { type: "object", additionalProperties: false, required: ["title", "summary", "source"], properties: { title: { type: "string" }, summary: { type: "string" }, source: { type: "string" } } },
    },
  },
};

const researchAgentNode = defineNode({
  type: "nodetool.agents.ResearchAgent",
  description:
    "Autonomous research agent that gathers information from the web and synthesizes findings.\n    research, web-search, data-gathering, agent, automation\n\n" +
    "Runs a tool loop (google_search and browser by default) and returns the fields of its dynamic outputs; " +
    "without dynamic outputs it returns `text` (a summary) and `findings`.",
  isDynamic: true,
  properties: [
    prop("objective", "str", "", { description: "The research objective or question to investigate" }),
    modelProp("Model to use for research and synthesis"),
    prop("system_prompt", "str", RESEARCH_AGENT_SYSTEM_PROMPT, { description: "System prompt guiding the agent's research behavior" }),
    prop("tools", "list[tool_name]", [{ type: "tool_name", name: "google_search" }, { type: "tool_name", name: "browser" }], {
      description: "Tools to enable for research. Select workspace tools (read_file, write_file, list_directory) to enable file operations.",
    }),
    prop("max_tokens", "int", 8192, { description: "Maximum tokens for agent responses", min: 1, max: 100000 }),
  ],
  outputs: [out("text", "str"), out("findings", "list[dict]")],
  async process(inputs, ctx): Promise<Outputs> {
    const objective = fillPrompt(toText(inputs.objective), dynamicInputs(inputs, researchAgentNode));
    const dynamic = dynamicOutputSchema(ctx.dynamicOutputs);
    const schema = dynamic ?? RESEARCH_SCHEMA;
    const loop = agentLoop(llmOf(ctx), ctx, {
      model: modelName(inputs.model),
      messages: [
        { role: "system", content: toText(inputs.system_prompt) },
        { role: "user", content: `Research objective: ${objective}` },
      ],
      tools: [...(await resolveTools(toolNames(inputs.tools), ctx)), ...controlTools(ctx)],
      maxTokens: maxTokens(inputs.max_tokens, 8192),
      maxIterations: AGENT_MAX_ITERATIONS,
      responseFormat: jsonSchemaFormat("research_result", schema) as ChatRequest["response_format"],
    });
    let step = await loop.next();
    while (!step.done) {
      if (step.value.type === "text") ctx.progress(0, 0, step.value.text);
      step = await loop.next();
    }
    const raw = step.value.text;
    if (dynamic) return structuredFields(raw, dynamic, "ResearchAgent");
    const parsed = extractJson(raw);
    const summary = typeof parsed?.summary === "string" ? parsed.summary : raw;
    const findings = Array.isArray(parsed?.findings) ? parsed.findings.filter(isRecord) : [{ title: objective, summary: raw }];
    return { text: summary, findings };
  },
});

export const agentNodes: NodeDecl[] = [agentNode, controlAgentNode, createThreadNode, extractorNode, researchAgentNode];

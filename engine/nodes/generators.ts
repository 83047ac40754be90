/**
 * NodeTool's generator nodes (namespace nodetool.generators) on the provider layer: ListGenerator,
 * DataGenerator (one tool call per record, NodeTool's GenerateDataTool), SVGGenerator, ChartGenerator and
 * StructuredOutputGenerator. Semantics follow nodetool-base src/nodetool/nodes/nodetool/generators.py and
 * NodeTool's base-nodes generators.ts.
 */
import { ListItemParser } from "../agents/list-items";
import { agentLoop } from "../agents/loop";
import { STRUCTURED_OUTPUT_SYSTEM_PROMPT } from "../agents/prompts";
import { dynamicOutputSchema, extractJson, jsonSchemaFormat, structuredFields } from "../agents/structured";
import type { AgentTool } from "../agents/tools";
import { columnSpecs, dataframeValue, recordSchema, type ColumnSpec } from "../agents/records";
import { PLOTLY_CONFIG_SCHEMA } from "../agents/plotly-schema";
import type { ChatMessage } from "../providers/types";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl, Outputs } from "../registry/types";
import { isRecord, toText } from "../values/coerce";
import { audioProp, completeText, deltas, dynamicInputs, fillPrompt, imageProp, llmOf, maxTokens, modelName, modelProp, userMessage } from "./llm-common";

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

const userText = (prompt: unknown, inputText: unknown) => {
  const p = toText(prompt);
  const t = toText(inputText);
  return t ? (p ? `${p}\n\n${t}` : t) : p;
};

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
    const messages: ChatMessage[] = [
      { role: "system", content: LIST_SYSTEM_PROMPT },
      { role: "user", content: userText(inputs.prompt, inputs.input_text) },
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
    if (items.length === 0) throw new Error("ListGenerator did not find any <LIST_ITEM> tags (or list lines) in the response");
    yield { output: items };
  },
});

/** Records one DataGenerator may produce, and model turns it may take to produce them. */
export const MAX_RECORDS = 1000;
const DATA_TURNS = 20;

function recordOf(args: Record<string, unknown>, columns: ColumnSpec[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const c of columns) row[c.name] = args[c.name] ?? null;
  return row;
}

const dataGeneratorNode = defineNode({
  type: "nodetool.generators.DataGenerator",
  description:
    "LLM Agent to create a dataframe based on a user prompt.\n    llm, dataframe creation, data structuring\n\n" +
    "The model emits each row as a generate_data tool call: every row goes out on `record` (with `index`) as soon as " +
    "its call is complete, then the whole table on `dataframe` (and on `output`, as NodeTool's process() returns it).",
  properties: [
    modelProp("The model to use for data generation."),
    prop("prompt", "str", "", { description: "The user prompt" }),
    prop("input_text", "str", "", { description: "The input text to be analyzed by the agent." }),
    prop("max_tokens", "int", 4096, { description: "The maximum number of tokens to generate.", min: 1, max: 100000 }),
    prop("columns", "record_type", { type: "record_type", columns: [] }, { description: "The columns to use in the dataframe." }),
  ],
  outputs: [out("record", "dict"), out("dataframe", "dataframe"), out("index", "int"), out("output", "dataframe")],
  async *gen(inputs, ctx) {
    const columns = columnSpecs(inputs.columns);
    if (columns.length === 0) throw new Error("DataGenerator needs columns: define at least one column");
    const tool: AgentTool = {
      name: "generate_data",
      description: "Generate a record according to the schema",
      parameters: recordSchema(columns),
      run: async () => ({ status: "recorded" }),
    };
    const loop = agentLoop(llmOf(ctx), ctx, {
      model: modelName(inputs.model),
      messages: [
        { role: "system", content: "You are an assistant with access to tools. Use generate_data to emit each row of the data." },
        { role: "user", content: `${toText(inputs.prompt)}\n\n${toText(inputs.input_text)}` },
      ],
      tools: [tool],
      maxTokens: maxTokens(inputs.max_tokens, 4096),
      maxIterations: DATA_TURNS,
    });
    const rows: Record<string, unknown>[] = [];
    let step = await loop.next();
    while (!step.done) {
      const e = step.value;
      if (e.type === "tool_call" && e.call.name === "generate_data" && !e.call.argumentsError) {
        if (rows.length >= MAX_RECORDS) throw new Error(`DataGenerator stops at ${MAX_RECORDS} records`);
        const record = recordOf(e.call.args, columns);
        yield { record, index: rows.length };
        rows.push(record);
      }
      step = await loop.next();
    }
    if (rows.length === 0) {
      // A model that answered with the table as JSON instead of tool calls.
      const data = extractJson(step.value.text)?.data;
      for (const r of Array.isArray(data) ? data.filter(isRecord).slice(0, MAX_RECORDS) : []) {
        const record = recordOf(r, columns);
        yield { record, index: rows.length };
        rows.push(record);
      }
    }
    const dataframe = dataframeValue(columns, rows);
    yield { dataframe, output: dataframe };
  },
});

/** The SVG document in a reply: from the first `<svg` to the last `</svg>`. */
export function extractSvg(text: string): string {
  const start = text.indexOf("<svg");
  const end = text.lastIndexOf("</svg>");
  if (start < 0 || end < 0 || end < start) throw new Error("Failed to generate SVG: No valid SVG content found in the response");
  return text.slice(start, end + "</svg>".length);
}

const SVG_SYSTEM_PROMPT = `You are an expert at creating SVG graphics.
ONLY RESPOND WITH THE SVG CONTENT, NO OTHER TEXT.
The SVG should be valid, well-formed XML.
Include width and height attributes in the root SVG element.
Use clear, semantic element IDs and class names if needed.`;

const svgGeneratorNode = defineNode({
  type: "nodetool.generators.SVGGenerator",
  title: "SVGGenerator",
  description: "LLM Agent to create SVG elements based on user prompts.\n    svg, generator, vector, graphics",
  properties: [
    modelProp("The language model to use for SVG generation."),
    prop("prompt", "str", "", { description: "The user prompt for SVG generation" }),
    imageProp("Image to use for generation"),
    audioProp("Audio to use for generation (not sent)"),
    prop("max_tokens", "int", 8192, { description: "The maximum number of tokens to generate.", min: 1, max: 100000 }),
  ],
  outputs: [out("output", "list[svg_element]")],
  async process(inputs, ctx): Promise<Outputs> {
    const text = `${toText(inputs.prompt)}\nONLY RESPOND WITH THE SVG CONTENT, NO OTHER TEXT.`;
    const raw = await completeText(ctx, {
      model: inputs.model,
      messages: [{ role: "system", content: SVG_SYSTEM_PROMPT }, await userMessage(text, inputs, ctx)],
      max_tokens: maxTokens(inputs.max_tokens, 8192),
    });
    return { output: [{ type: "svg_element", content: extractSvg(raw) }] };
  },
});

const CHART_SYSTEM_PROMPT =
  "You are an expert data visualization assistant specializing in creating Plotly chart configurations.\n\n" +
  "Analyze the data schema and the user's request, choose the most appropriate visualization, and return a single, " +
  "complete JSON object with 'data' (an array of traces) and 'layout' that conforms to the provided schema. " +
  "Use axis labels, titles and colorblind-friendly colors. Do not include any other text.";

const chartGeneratorNode = defineNode({
  type: "nodetool.generators.ChartGenerator",
  description:
    "LLM Agent to create Plotly Express charts based on natural language descriptions.\n    llm, data visualization, charts\n\n" +
    "Sends the dataframe's columns and rows to the model and returns its Plotly configuration.",
  properties: [
    modelProp("The model to use for chart generation."),
    prop("prompt", "str", "", { description: "Natural language description of the desired chart" }),
    prop("data", "dataframe", { type: "dataframe", uri: "", asset_id: null, data: null, columns: null }, { description: "The data to visualize" }),
    prop("max_tokens", "int", 4096, { description: "The maximum number of tokens to generate.", min: 1, max: 100000 }),
  ],
  outputs: [out("output", "plotly_config")],
  async process(inputs, ctx): Promise<Outputs> {
    const df = isRecord(inputs.data) ? inputs.data : {};
    if (!Array.isArray(df.columns) || df.columns.length === 0) throw new Error("ChartGenerator needs data with columns (Define columns)");
    const rows = Array.isArray(df.data) ? df.data.slice(0, 2000) : [];
    const user =
      `Available columns in the dataset:\n${JSON.stringify(df.columns, null, 2)}\n\nInput data:\n${JSON.stringify(rows)}\n\n` +
      `User request: ${toText(inputs.prompt)}\n\nCreate a complete Plotly JSON configuration object with 'data' and 'layout' properties that best visualizes this data.`;
    const raw = await completeText(ctx, {
      model: inputs.model,
      messages: [
        { role: "system", content: CHART_SYSTEM_PROMPT },
        { role: "user", content: user },
      ],
      max_tokens: maxTokens(inputs.max_tokens, 4096),
      response_format: { type: "json_schema", json_schema: { name: "plotly_config", schema: PLOTLY_CONFIG_SCHEMA, strict: false } },
    });
    const config = extractJson(raw);
    if (!config || !Array.isArray(config.data)) throw new Error("ChartGenerator: the model did not return a Plotly configuration with a data array");
    return { output: { type: "plotly_config", config } };
  },
});

const structuredOutputGeneratorNode = defineNode({
  type: "nodetool.generators.StructuredOutputGenerator",
  description:
    "Generate structured JSON objects from instructions using LLM providers.\n    data-generation, structured-data, json, synthesis\n\n" +
    "The fields to generate are the node's dynamic outputs; each value goes out on its output.",
  isDynamic: true,
  properties: [
    prop("system_prompt", "str", STRUCTURED_OUTPUT_SYSTEM_PROMPT, { description: "The system prompt guiding JSON generation." }),
    modelProp("Model to use for structured generation."),
    prop("instructions", "str", "", { description: "Detailed instructions for the structured output." }),
    prop("context", "str", "", { description: "Optional context to ground the generation." }),
    prop("max_tokens", "int", 4096, { description: "The maximum number of tokens to generate.", min: 1, max: 16384 }),
  ],
  outputs: [],
  async process(inputs, ctx): Promise<Outputs> {
    const schema = dynamicOutputSchema(ctx.dynamicOutputs);
    if (!schema) throw new Error("StructuredOutputGenerator needs at least one output field: add dynamic outputs naming what to produce");
    const vars = dynamicInputs(inputs, structuredOutputGeneratorNode);
    const user =
      `<JSON_SCHEMA>\n${JSON.stringify(schema, null, 2)}\n</JSON_SCHEMA>\n\n<INSTRUCTIONS>\n${fillPrompt(toText(inputs.instructions), vars)}\n</INSTRUCTIONS>` +
      (toText(inputs.context) ? `\n\n<CONTEXT>\n${fillPrompt(toText(inputs.context), vars)}\n</CONTEXT>` : "");
    const raw = await completeText(ctx, {
      model: inputs.model,
      messages: [
        { role: "system", content: toText(inputs.system_prompt) },
        { role: "user", content: user },
      ],
      max_tokens: maxTokens(inputs.max_tokens, 4096),
      response_format: jsonSchemaFormat("structured_output", schema),
    });
    return structuredFields(raw, schema, "StructuredOutputGenerator");
  },
});

export const generatorNodes: NodeDecl[] = [listGeneratorNode, dataGeneratorNode, svgGeneratorNode, chartGeneratorNode, structuredOutputGeneratorNode];

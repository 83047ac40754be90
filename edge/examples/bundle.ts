import { deriveInputSchema, deriveOutputSchema } from "../../engine/graph/io-schema";
import { normalizeGraph } from "../../engine/graph/normalize";
import type { ExampleSummary } from "../../schema/examples";
import { WORKFLOW_COLUMNS, WorkflowInputSchema, type Workflow, type WorkflowInput } from "../../schema/workflow";
import { registry } from "../registry";
// The examples are embedded at build time (a Worker has no file system). One import per file in examples/;
// test/e2e/cli-examples.test.ts checks that every file there is listed here.
import countdown from "../../examples/countdown.json";
import detectSpeech from "../../examples/detect-speech.json";
import gradeScore from "../../examples/grade-score.json";
import helloWorld from "../../examples/hello-world.json";
import imageOcr from "../../examples/image-ocr.json";
import llmBlurb from "../../examples/llm-blurb.json";
import shoppingList from "../../examples/shopping-list.json";
import temperature from "../../examples/temperature.json";
import textTools from "../../examples/text-tools.json";

/** File name without `.json` -> the file's content. The name is also the example's `id`. */
const FILES: Record<string, unknown> = {
  "hello-world": helloWorld,
  "text-tools": textTools,
  "grade-score": gradeScore,
  "shopping-list": shoppingList,
  temperature,
  countdown,
  "llm-blurb": llmBlurb,
  "image-ocr": imageOcr,
  "detect-speech": detectSpeech,
};

export interface Example {
  name: string;
  /** The file as shipped (NodeTool format). */
  document: Record<string, unknown>;
  /** The same, parsed as a workflow a caller could save. */
  input: WorkflowInput;
  /** As the workflows API presents it: derived input and output schemas, timestamps. */
  workflow: Workflow;
  summary: ExampleSummary;
}

const COLUMNS = new Set<string>(WORKFLOW_COLUMNS);
const EPOCH = "1970-01-01T00:00:00.000Z";

function load(name: string, document: Record<string, unknown>): Example {
  const input = WorkflowInputSchema.parse(document);
  const normalized = normalizeGraph(input.graph);
  const inputSchema = deriveInputSchema(normalized, registry);
  const outputSchema = deriveOutputSchema(normalized, registry);
  const extra = Object.fromEntries(Object.entries(document).filter(([k]) => !COLUMNS.has(k)));
  const stamp = (k: string) => (typeof document[k] === "string" ? (document[k] as string) : EPOCH);
  const workflow: Workflow = {
    ...extra,
    id: name,
    name: input.name,
    description: input.description,
    tags: input.tags,
    access: input.access,
    graph: document.graph as Workflow["graph"],
    settings: input.settings,
    run_mode: input.run_mode ?? null,
    input_schema: inputSchema,
    output_schema: outputSchema,
    created_at: stamp("created_at"),
    updated_at: stamp("updated_at"),
  };
  const summary: ExampleSummary = {
    name,
    title: input.name,
    description: input.description,
    tags: input.tags,
    node_types: [...new Set(normalized.nodes.map((n) => n.type))],
    input_schema: inputSchema,
    output_schema: outputSchema,
  };
  return { name, document, input, workflow, summary };
}

let loaded: Map<string, Example> | undefined;

/** Every shipped example, parsed once per isolate, in a fixed order (the simplest first). */
export function examples(): Example[] {
  loaded ??= new Map(Object.entries(FILES).map(([name, doc]) => [name, load(name, doc as Record<string, unknown>)]));
  return [...loaded.values()];
}

export function findExample(name: string): Example | undefined {
  examples();
  return loaded!.get(name);
}

/** How many examples the bundle carries (for /api/health). */
export const EXAMPLE_COUNT = Object.keys(FILES).length;

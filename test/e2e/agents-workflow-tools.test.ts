import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENAI_KEY, openAIToolResults, startOpenAIUpstream, streamOpenAITurn } from "./chat-upstreams";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

/**
 * A saved workflow as an agent tool on the real Worker: a workflow saved with run_mode "tool" is offered to
 * an Agent as `workflow_<tool_name>`, and the model's call runs it in-process (D1 lookup for the job's user),
 * against a loopback upstream speaking OpenAI's streaming protocol.
 */

const TOKEN = "agents-e2e-token";
let openai: Awaited<ReturnType<typeof startOpenAIUpstream>>;
let edge: LocalEdge;

beforeAll(async () => {
  openai = await startOpenAIUpstream();
  edge = await startEdge(migratedStateDir(), {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: TOKEN,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
  });
});
afterAll(async () => {
  await edge?.stop();
  await openai?.close();
});

async function api(path: string, body: unknown): Promise<Response> {
  return fetch(`${edge.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function save(workflow: Record<string, unknown>): Promise<string> {
  const res = await api("/api/workflows", workflow);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const doubler = (name: string, runMode: string | null, toolName: string) => ({
  name,
  description: "Doubles a number",
  run_mode: runMode,
  tool_name: toolName,
  graph: {
    nodes: [
      { id: "n", type: "nodetool.input.IntegerInput", data: { name: "n", value: 0 } },
      { id: "m", type: "lib.math.Multiply", data: { b: 2 } },
      { id: "o", type: "nodetool.output.Output", data: { name: "doubled" } },
    ],
    edges: [
      { source: "n", sourceHandle: "output", target: "m", targetHandle: "a" },
      { source: "m", sourceHandle: "output", target: "o", targetHandle: "value" },
    ],
  },
});

describe("workflow_<name> tools on the Worker", () => {
  it("offers the user's tool workflows and runs the one the model calls", async () => {
    await save(doubler("Double It", "tool", "double_it"));
    await save(doubler("Not a tool", null, "hidden_doubler"));
    openai.on("agent-wf", (req, res) => {
      const results = openAIToolResults(req.body);
      if (results.length === 0) return streamOpenAITurn(req, res, { calls: [{ id: "w1", name: "workflow_double_it", args: { n: 21 } }] });
      return streamOpenAITurn(req, res, { text: `result ${results[0].content}` });
    });
    const agent = await save({
      name: "agent",
      graph: {
        nodes: [
          { id: "a", type: "nodetool.agents.Agent", data: { model: { type: "language_model", provider: "openai", id: "agent-wf" }, prompt: "double 21", tools: [{ type: "tool_name", name: "workflow_double_it" }, { type: "tool_name", name: "workflow_hidden_doubler" }] } },
          { id: "o", type: "nodetool.output.Output", data: { name: "answer" } },
        ],
        edges: [{ source: "a", sourceHandle: "text", target: "o", targetHandle: "value" }],
      },
    });
    const res = await api(`/api/workflows/${agent}/run`, {});
    const body = (await res.json()) as unknown;
    expect({ status: res.status, body }).toEqual({ status: 200, body: { answer: 'result {"doubled":42}' } });

    const first = openai.completions().find((r) => r.body?.model === "agent-wf")!;
    const tools = first.body!.tools as { function: { name: string; description: string; parameters: { properties: Record<string, { type: string }> } } }[];
    expect(tools.map((t) => t.function.name)).toEqual(["workflow_double_it"]);
    expect(tools[0].function.description).toBe("Doubles a number");
    expect(tools[0].function.parameters.properties.n.type).toBe("integer");
  });
});

import { executePlan, planRun } from "../engine/index";
import { createCoreRegistry } from "../engine/nodes/index";
import { GraphSchema } from "../schema/workflow";
import { fmt, median, timeRounds } from "./stats";

const registry = createCoreRegistry();

function chainGraph(length: number) {
  const nodes: unknown[] = [{ id: "n0", type: "nodetool.constant.Integer", data: { value: 0 } }];
  const edges: unknown[] = [];
  for (let i = 1; i < length; i++) {
    nodes.push({ id: `n${i}`, type: "lib.math.Add", data: { b: 1 } });
    edges.push({ id: `e${i}`, source: `n${i - 1}`, sourceHandle: "output", target: `n${i}`, targetHandle: "a" });
  }
  nodes.push({ id: "out", type: "nodetool.output.Output", data: { name: "sum" } });
  edges.push({ id: "eout", source: `n${length - 1}`, sourceHandle: "output", target: "out", targetHandle: "value" });
  return GraphSchema.parse({ nodes, edges });
}

function forEachGraph(items: number) {
  return GraphSchema.parse({
    nodes: [
      { id: "list", type: "nodetool.constant.List", data: { value: Array.from({ length: items }, (_, i) => i) } },
      { id: "each", type: "nodetool.control.ForEach", data: {} },
      { id: "inc", type: "lib.math.Add", data: { b: 1 } },
      { id: "collect", type: "nodetool.control.Collect", data: {} },
      { id: "out", type: "nodetool.output.Output", data: { name: "items" } },
    ],
    edges: [
      { id: "a", source: "list", sourceHandle: "output", target: "each", targetHandle: "input_list" },
      { id: "b", source: "each", sourceHandle: "output", target: "inc", targetHandle: "a" },
      { id: "c", source: "inc", sourceHandle: "output", target: "collect", targetHandle: "input_item" },
      { id: "d", source: "collect", sourceHandle: "output", target: "out", targetHandle: "value" },
    ],
  });
}

/** The baseline: the same work as a plain chain of awaited async functions. */
async function awaitedChain(length: number): Promise<number> {
  const add = async (a: number, b: number) => a + b;
  let v = 0;
  for (let i = 1; i < length; i++) v = await add(v, 1);
  return v;
}

async function awaitedStream(items: number): Promise<number[]> {
  const each = async (x: number) => x;
  const inc = async (x: number) => x + 1;
  const out: number[] = [];
  const push = async (x: number) => void out.push(x);
  for (let i = 0; i < items; i++) await push(await inc(await each(i)));
  return out;
}

export async function benchEngine(): Promise<string[]> {
  const lines: string[] = [];
  const emit = () => {};

  // (a1) 1,000-node chain: 1,000 activations (the constant, 999 adds) per run, plus the sink.
  const CHAIN = 1000;
  const chainPlan = planRun(chainGraph(CHAIN), {}, registry);
  const check = await executePlan(chainPlan, { registry, emit });
  if (check.result.sum !== CHAIN - 1) throw new Error(`chain computed ${JSON.stringify(check.result)}`);
  const engineChain = median(await timeRounds(() => executePlan(chainPlan, { registry, emit }), 60, 15));
  const baseChain = median(await timeRounds(() => awaitedChain(CHAIN), 60, 15));
  const planChain = median(await timeRounds(async () => planRun(chainGraph(CHAIN), {}, registry), 20, 5));
  const perChain = (engineChain * 1000) / CHAIN;
  lines.push(
    `engine: 1,000-node chain       ${fmt(perChain)} µs/activation (run ${fmt(engineChain)} ms; baseline awaited chain ${fmt(baseChain, 3)} ms; ratio ${fmt(engineChain / baseChain, 1)}x; planning ${fmt(planChain)} ms once)`,
  );

  // (a2) 10,000-item ForEach stream: each item is an activation of ForEach's emit, Add and Collect.
  const ITEMS = 10_000;
  const streamPlan = planRun(forEachGraph(ITEMS), {}, registry);
  const streamCheck = await executePlan(streamPlan, { registry, emit });
  const collected = streamCheck.result.items as number[];
  if (collected.length !== ITEMS || collected[ITEMS - 1] !== ITEMS) throw new Error("ForEach stream computed the wrong list");
  const engineStream = median(await timeRounds(() => executePlan(streamPlan, { registry, emit }), 30, 5));
  const baseStream = median(await timeRounds(() => awaitedStream(ITEMS), 30, 5));
  const activations = ITEMS * 3;
  lines.push(
    `engine: 10,000-item ForEach    ${fmt((engineStream * 1000) / activations)} µs/activation (run ${fmt(engineStream)} ms for ${activations} activations; baseline ${fmt(baseStream)} ms; ratio ${fmt(engineStream / baseStream, 1)}x)`,
  );
  return lines;
}

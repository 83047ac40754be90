import { describe, expect, it } from "vitest";
import { nodeCodeSandbox, quickJSWasmModule } from "../../cli/code-sandbox";
import { createQuickJSSandbox } from "../../engine/code/quickjs";
import { withImplicitReturn } from "../../engine/code/script";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { GraphValidationError } from "../../engine/executor/plan";
import type { EngineMessage } from "../../schema/messages";
import { GraphSchema, type Graph } from "../../schema/workflow";
import { codeNodes } from "../../engine/nodes/code";
import { constantNodes } from "../../engine/nodes/constant";
import { controlFlowNodes } from "../../engine/nodes/control-flow";
import { outputNodes } from "../../engine/nodes/output";
import { NodeRegistry } from "../../engine/registry/registry";

// Only the node packs these tests use, so that they do not depend on every pack of the build.
const registry = new NodeRegistry([...outputNodes, ...constantNodes, ...controlFlowNodes, ...codeNodes]);
const services = { code: nodeCodeSandbox() };

type N = { id: string; type: string; data?: Record<string, unknown>; dynamic_properties?: Record<string, unknown>; dynamic_outputs?: Record<string, unknown> };

function graphOf(nodes: N[], edges: [string, string, string, string][]): Graph {
  return GraphSchema.parse({
    nodes,
    edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })),
  });
}

async function run(g: Graph, params: Record<string, unknown> = {}) {
  const messages: EngineMessage[] = [];
  const r = await runWorkflow(g, params, { registry, services, emit: (m) => messages.push(m) });
  return { ...r, messages };
}

/** One node whose named handles feed outputs of the same names. */
async function runOne(type: string, data: Record<string, unknown>, handles: string[], extra: Partial<N> = {}) {
  const g = graphOf(
    [{ id: "n", type, data, ...extra }, ...handles.map((h) => ({ id: `o_${h}`, type: "nodetool.output.Output", data: { name: h } }))],
    handles.map((h) => ["n", h, `o_${h}`, "value"] as [string, string, string, string]),
  );
  return run(g);
}

describe("nodetool.code.ExecuteJavaScript", () => {
  it("captures stdout and stderr, with dynamic inputs as constants", async () => {
    const r = await runOne(
      "nodetool.code.ExecuteJavaScript",
      { code: "console.log(greeting + ', ' + names.join(' & ')); console.error('n =', names.length); setTimeout(() => console.log('done'), 50);" },
      ["stdout", "stderr"],
      { dynamic_properties: { greeting: "Hello", names: ["Ada", "Lin"] } },
    );
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ stdout: "Hello, Ada & Lin\ndone\n", stderr: "n = 2\n" });
  });

  it("reports an uncaught error on stderr with exit code 1, as a Node process would, without failing the node", async () => {
    const r = await runOne("nodetool.code.ExecuteJavaScript", { code: "console.log('before'); null.boom;" }, ["stdout", "stderr"]);
    expect(r.status).toBe("completed");
    expect(r.result.stdout).toBe("before\n");
    expect(r.result.stderr).toMatch(/^Uncaught TypeError: cannot read property 'boom' of null/);
    const done = r.messages.find((m) => m.type === "node_update" && m.node_id === "n" && m.status === "completed") as { result?: Record<string, unknown> };
    expect(done.result).toMatchObject({ exit_code: 1, success: false, output: "before\n" });
  });

  it("reads stdin and honours process.exit", async () => {
    const r = await runOne(
      "nodetool.code.ExecuteJavaScript",
      { code: "const lines = require('fs').readFileSync(0, 'utf8').trim().split('\\n'); console.log(lines.map(Number).reduce((a, b) => a + b, 0)); process.exit(4); console.log('never');", stdin: "1\n2\n39\n" },
      ["stdout"],
    );
    expect(r.result).toEqual({ stdout: "42\n" });
    const done = r.messages.find((m) => m.type === "node_update" && m.node_id === "n" && m.status === "completed") as { result?: Record<string, unknown> };
    expect(done.result).toMatchObject({ exit_code: 4, success: false });
  });

  it("has no host access: no fetch, no modules, no files", async () => {
    const r = await runOne(
      "nodetool.code.ExecuteJavaScript",
      { code: "console.log(typeof fetch, typeof WebAssembly, typeof globalThis.__nt_write); try { require('child_process') } catch (e) { console.log(e.message) }" },
      ["stdout"],
    );
    expect(r.result.stdout).toBe("undefined undefined undefined\nCannot find module 'child_process': this sandbox has no modules\n");
  });

  it("requires code", async () => {
    const r = await runOne("nodetool.code.ExecuteJavaScript", { code: "  " }, ["stdout"]);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/Code is required/);
  });
});

describe("nodetool.code.RunJavaScriptCommand", () => {
  it("runs the command and buffers its output; an empty command is a no-op", async () => {
    const r = await runOne("nodetool.code.RunJavaScriptCommand", { command: "process.stdout.write(String(6 * 7))" }, ["stdout"]);
    expect(r.result).toEqual({ stdout: "42" });
    const empty = await runOne("nodetool.code.RunJavaScriptCommandDocker", { command: "" }, ["stdout", "stderr"]);
    expect(empty.result).toEqual({ stdout: "", stderr: "" });
  });
});

describe("nodetool.code.Code", () => {
  it("turns the returned object's keys into outputs (the Summarize Mails shape)", async () => {
    const g = graphOf(
      [
        { id: "c", type: "nodetool.code.Code", data: { code: "return { output: JSON.stringify(dict, null, 2) };", timeout: 30 }, dynamic_properties: { dict: "" }, dynamic_outputs: { output: { type: "any" } } },
        { id: "d", type: "nodetool.constant.Dict", data: { value: { subject: "Hi", from: "ada@example.com" } } },
        { id: "o", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [
        ["d", "output", "c", "dict"],
        ["c", "output", "o", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect(r.result.text).toBe(JSON.stringify({ subject: "Hi", from: "ada@example.com" }, null, 2));
  });

  it("returns the last expression without a return, and wraps non-objects as `output`", async () => {
    const r = await runOne("nodetool.code.Code", { code: "const y = x * 2\ny + 1" }, ["output"], { dynamic_properties: { x: 20 }, dynamic_outputs: { output: {} } });
    expect(r.result).toEqual({ output: 41 });
    expect(withImplicitReturn("if (a) {\n  b()\n}")).toBe("if (a) {\n  b()\n}");
    expect(withImplicitReturn("const a = 1;\n({ a })")).toBe("const a = 1;\nreturn (({ a }));");
  });

  it("emits one output map per yield", async () => {
    const r = await runOne("nodetool.code.Code", { code: "for (const w of words) { await sleep(5); yield { word: w.toUpperCase() }; }" }, ["word"], { dynamic_properties: { words: ["a", "b", "c"] }, dynamic_outputs: { word: {} } });
    expect(r.status).toBe("completed");
    expect(r.outputs.word).toEqual(["A", "B", "C"]);
  });

  it("keeps `state` across the invocations of one run", async () => {
    const g = graphOf(
      [
        { id: "l", type: "nodetool.constant.List", data: { value: [5, 6, 7] } },
        { id: "f", type: "nodetool.control.ForEach", data: {} },
        { id: "c", type: "nodetool.code.Code", data: { code: "state.total = (state.total ?? 0) + item; return { output: state.total };" }, dynamic_properties: { item: 0 }, dynamic_outputs: { output: {} } },
        { id: "o", type: "nodetool.output.Output", data: { name: "running" } },
      ],
      [
        ["l", "output", "f", "input_list"],
        ["f", "output", "c", "item"],
        ["c", "output", "o", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect(r.outputs.running).toEqual([5, 11, 18]);
  });

  it("fails with the code's error, and says that fetch is unavailable", async () => {
    const r = await runOne("nodetool.code.Code", { code: "throw new RangeError('too far')" }, ["output"], { dynamic_outputs: { output: {} } });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/RangeError: too far/);
    const f = await runOne("nodetool.code.Code", { code: "return await fetch('https://example.com')" }, ["output"], { dynamic_outputs: { output: {} } });
    expect(f.error).toMatch(/fetch\(\) is not available on this server/);
  });

  it("stops an infinite loop at its timeout, and the sandbox keeps working", async () => {
    const started = Date.now();
    const r = await runOne("nodetool.code.Code", { code: "for (;;) {}", timeout: 1 }, ["output"], { dynamic_outputs: { output: {} } });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/ran longer than its time limit of 1 s/);
    expect(Date.now() - started).toBeLessThan(5000);
    const again = await runOne("nodetool.code.Code", { code: "return 1 + 1" }, ["output"], { dynamic_outputs: { output: {} } });
    expect(again.result).toEqual({ output: 2 });
  });
});

describe("the QuickJS sandbox", () => {
  it("enforces the memory limit and the step budget even when the clock stands still", async () => {
    // A frozen clock, as in deployed Workers: only the step budget can stop the loop.
    const frozen = createQuickJSSandbox({ wasmModule: await quickJSWasmModule(), now: () => 0, stepsPerSecond: 200 });
    await expect(frozen.runJavaScript({ mode: "script", code: "for (;;) {}" }, { timeoutMs: 1000 })).rejects.toThrow(/time limit of 1 s/);
    await expect(
      frozen.runJavaScript({ mode: "script", code: "const a = []; for (;;) a.push({ n: a.length })" }, { timeoutMs: 30_000, memoryBytes: 8 * 1024 * 1024 }),
    ).rejects.toThrow(/more memory than its limit of 8 MiB/);
    const ok = await frozen.runJavaScript({ mode: "function", code: "return [1, 2].map((x) => x * 10)" }, { timeoutMs: 1000 });
    expect(ok.value).toEqual([10, 20]);
  });
});

describe("code nodes of other languages", () => {
  it("are recognised but refused at validation with a clear message", async () => {
    const g = graphOf([{ id: "p", type: "nodetool.code.ExecutePython", data: { code: "print(1)" } }], []);
    await expect(run(g)).rejects.toThrow(GraphValidationError);
    try {
      await run(g);
    } catch (err) {
      expect((err as GraphValidationError).issues[0].message).toMatch(/^nodetool\.code\.ExecutePython: not supported on this server/);
    }
    for (const type of ["nodetool.code.RunShellCommand", "nodetool.code.ExecuteCommand", "nodetool.code.RunRubyCommandDocker"]) {
      expect(registry.get(type)?.unsupported).toMatch(/^not supported on this server/);
    }
    expect(registry.get("nodetool.code.ExecuteJavaScript")?.unsupported).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { saved } from "./helpers";
import { call, errorOf } from "./users";

function codeWorkflow(name: string, code: string, timeout = 30) {
  return {
    name,
    graph: {
      nodes: [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "hello edge" } },
        {
          id: "code",
          type: "nodetool.code.Code",
          data: { code, timeout },
          dynamic_properties: { text: "" },
          dynamic_outputs: { output: { type: "any", type_args: [], optional: false } },
        },
        { id: "out", type: "nodetool.output.Output", data: { name: "result" } },
      ],
      edges: [
        { source: "in", sourceHandle: "output", target: "code", targetHandle: "text" },
        { source: "code", sourceHandle: "output", target: "out", targetHandle: "value" },
      ],
    },
  };
}

describe("JavaScript code nodes in workerd", () => {
  it("runs a Code node in the QuickJS sandbox through the real Worker", async () => {
    const id = await saved("coder", codeWorkflow("upper", "const words = text.split(' ');\nreturn { output: { upper: text.toUpperCase(), words: words.length } };"));
    const res = await call("coder", "POST", `/api/workflows/${id}/run`, { params: { text: "three small words" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: { upper: "THREE SMALL WORDS", words: 3 } });
  });

  it("runs ExecuteJavaScript with captured stdout", async () => {
    const id = await saved("coder", {
      name: "script",
      graph: {
        nodes: [
          { id: "js", type: "nodetool.code.ExecuteJavaScript", data: { code: "for (const n of [1, 2, 3]) console.log(n * factor);" }, dynamic_properties: { factor: 7 } },
          { id: "out", type: "nodetool.output.Output", data: { name: "stdout" } },
        ],
        edges: [{ source: "js", sourceHandle: "stdout", target: "out", targetHandle: "value" }],
      },
    });
    const res = await call("coder", "POST", `/api/workflows/${id}/run`, {});
    expect(await res.json()).toEqual({ stdout: "7\n14\n21\n" });
  });

  it("stops an infinite loop at its limit while other requests are still answered", async () => {
    const loop = await saved("looper", codeWorkflow("spin", "while (true) {}", 1));
    const quick = await saved("looper", codeWorkflow("quick", "return { output: text.length };"));
    const started = Date.now();
    const spinning = call("looper", "POST", `/workflows/${loop}/run`, {});
    const [health, other] = await Promise.all([call(null, "GET", "/health"), call("looper", "POST", `/workflows/${quick}/run`, { text: "four" })]);
    expect(health.status).toBe(200);
    expect(await other.json()).toMatchObject({ status: "completed", results: { result: 4 } });
    const body = (await (await spinning).json()) as { status: string; error: string };
    expect(body.status).toBe("failed");
    expect(body.error).toMatch(/ran longer than its time limit of 1 s/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("refuses to save a workflow with a code node of another language", async () => {
    const res = await call("coder", "POST", "/api/workflows", {
      name: "python",
      graph: { nodes: [{ id: "py", type: "nodetool.code.ExecutePython", data: { code: "print(1)" } }], edges: [] },
    });
    expect(res.status).toBe(422);
    const err = await errorOf(res);
    expect(JSON.stringify(err)).toMatch(/nodetool\.code\.ExecutePython: not supported on this server/);
  });
});

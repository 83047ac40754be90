import { describe, expect, it } from "vitest";
import { applyMessage, newRun, noChange } from "../../public/src/run-state";

/** The runner page's job state (public/src/run-state.ts), fed the WebSocket's messages in order. */
describe("runner page run state", () => {
  const base = { job_id: "j1", workflow_id: "w1" };

  it("shows streamed LLM text from chunk messages with its node, but not thinking", () => {
    const state = newRun("j1", "w1", {}, ["answer"], "running");
    const change = noChange();
    applyMessage(state, { ...base, job_seq: 1, type: "node_update", node_id: "llm", node_name: "Write", node_type: "nodetool.llms.LLM", status: "running" } as never, change);
    applyMessage(state, { ...base, job_seq: 2, type: "chunk", node_id: "llm", content: "Hello, ", content_type: "text", done: false }, change);
    applyMessage(state, { ...base, job_seq: 3, type: "chunk", node_id: "llm", content: "hmm", content_type: "text", done: false, thinking: true }, change);
    applyMessage(state, { ...base, job_seq: 4, type: "chunk", node_id: "llm", content: "world", content_type: "text", done: true }, change);
    expect(state.nodes.llm.text).toBe("Hello, world");
    expect(change.nodes.has("llm")).toBe(true);
    expect(state.last_seq).toBe(4);
  });

  it("drops a chunk it has seen already (a replay overlapping the page's state)", () => {
    const state = newRun("j1", "w1", {}, [], "running");
    const chunk = { ...base, job_seq: 1, type: "chunk" as const, node_id: "llm", content: "once", content_type: "text", done: false };
    applyMessage(state, chunk, noChange());
    expect(applyMessage(state, chunk, noChange())).toBe(false);
    expect(state.nodes.llm.text).toBe("once");
  });
});

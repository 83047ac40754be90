import { describe, expect, it } from "vitest";
import { InputFeed } from "../../engine/executor/input-feed";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { EngineMessage } from "../../schema/messages";
import { graph, registry, run } from "./helpers";

// NodeTool: packages/kernel/src/runner.ts `pushInputValue` / `finishInputStream` feed a streaming-output
// input node's downstream edges while the run goes on.
const micGraph = () =>
  graph(
    [
      { id: "mic-node", type: "nodetool.input.RealtimeAudioInput", data: { name: "mic" } },
      { id: "out", type: "nodetool.output.Output", data: { name: "heard" } },
    ],
    [["mic-node", "chunk", "out", "value"]],
  );

describe("streaming input feed", () => {
  it("hands pushed items to the input's edges in order until the stream ends", async () => {
    const feed = new InputFeed();
    expect(() => feed.push("mic", 1)).toThrow(/not started running yet/);
    const messages: EngineMessage[] = [];
    const running = runWorkflow(micGraph(), {}, {
      registry,
      feed,
      emit: (m) => {
        messages.push(m);
        if (m.type === "job_update" && m.status === "running") {
          feed.push("mic", "a");
          feed.push("mic-node", { type: "chunk", content: "b" });
          expect(() => feed.push("other", 1)).toThrow("No streaming input 'other' in this job's workflow (streaming inputs: 'mic', 'mic-node')");
          setTimeout(() => {
            feed.push("mic", "c");
            feed.end("mic");
            expect(() => feed.push("mic", "late")).toThrow(/stream has ended/);
          }, 20);
        }
      },
    });
    const result = await running;
    expect(result.status).toBe("completed");
    expect(result.outputs.heard).toEqual(["a", { type: "chunk", content: "b" }, "c"]);
    const counters = messages.filter((m) => m.type === "edge_update").map((m) => [m.status, (m as { counter?: number }).counter]);
    expect(counters).toEqual([["active", 1], ["active", 2], ["active", 3], ["drained", 3]]);
    expect(() => feed.push("mic", 1)).toThrow(/has finished/);
  });

  it("ends the fed input when the run is cancelled", async () => {
    const feed = new InputFeed();
    const controller = new AbortController();
    const running = runWorkflow(micGraph(), {}, { registry, feed, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    expect((await running).status).toBe("cancelled");
  });

  it("without a feed hands on the run's param once, and nothing for an unset value", async () => {
    expect((await run(micGraph(), { mic: { type: "audio", uri: "memory://x" } })).result.heard).toEqual({ type: "audio", uri: "memory://x" });
    expect((await run(micGraph())).result.heard).toBeNull();
  });

  it("ignores unknown params with a log_update warning (NodeTool's runner skips them)", async () => {
    const r = await run(micGraph(), { nope: 1 });
    expect(r.status).toBe("completed");
    expect(r.messages).toContainEqual(expect.objectContaining({ type: "log_update", severity: "warning", content: expect.stringMatching(/unknown input 'nope'/) }));
  });
});

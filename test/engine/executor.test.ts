import { describe, expect, it } from "vitest";
import { graph, run } from "./helpers";

describe("executor basics", () => {
  it("passes an input param to an output", async () => {
    const g = graph(
      [
        { id: "i", type: "nodetool.input.StringInput", data: { name: "who", value: "world" } },
        { id: "o", type: "nodetool.output.Output", data: { name: "greeting" } },
      ],
      [["i", "output", "o", "value"]],
    );
    expect((await run(g)).result).toEqual({ greeting: "world" });
    expect((await run(g, { who: "there" })).result).toEqual({ greeting: "there" });
  });
});

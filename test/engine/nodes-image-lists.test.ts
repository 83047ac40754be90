import { describe, expect, it } from "vitest";
import { graph, run, runNode } from "./helpers";

/** ImagesToList and BatchToList: references gathered into lists through the real executor, no runner needed. */

const ref = (uri: string) => ({ type: "image", uri, asset_id: null, data: null, metadata: null });

describe("nodetool.image list nodes", () => {
  it("ImagesToList keeps image references and wraps other values as an image's data, in property order", async () => {
    const out = await runNode("nodetool.image.ImagesToList", {}, "output", { dynamic_properties: { first: ref("memory://a.png"), second: "aGVsbG8=", third: ref("memory://c.png") } });
    expect(out).toEqual([ref("memory://a.png"), { type: "image", uri: "", asset_id: null, data: "aGVsbG8=", metadata: null }, ref("memory://c.png")]);
    expect(await runNode("nodetool.image.ImagesToList", {})).toEqual([]);
  });

  it("ImagesToList takes images wired into its dynamic inputs", async () => {
    const g = graph(
      [
        { id: "a", type: "nodetool.constant.Image", data: { value: ref("memory://one.png") } },
        { id: "b", type: "nodetool.constant.Image", data: { value: ref("memory://two.png") } },
        { id: "list", type: "nodetool.image.ImagesToList", dynamic_properties: { x: null, y: null } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["a", "output", "list", "x"],
        ["b", "output", "list", "y"],
        ["list", "output", "out", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status, r.error).toBe("completed");
    expect((r.result.out as Array<{ uri: string }>).map((i) => i.uri)).toEqual(["memory://one.png", "memory://two.png"]);
  });

  it("BatchToList turns each item of a batch's data into an image reference, and names what is wrong", async () => {
    const out = await runNode("nodetool.image.BatchToList", { batch: { type: "image", uri: "", data: ["AAA=", "BBB="] } });
    expect(out).toEqual(["AAA=", "BBB="].map((data) => ({ type: "image", uri: "", asset_id: null, data, metadata: null })));
    await expect(runNode("nodetool.image.BatchToList", {})).rejects.toThrow(/not connected/);
    await expect(runNode("nodetool.image.BatchToList", { batch: { type: "image", uri: "memory://x.png", data: null } })).rejects.toThrow(/batch is empty/);
    await expect(runNode("nodetool.image.BatchToList", { batch: { type: "image", uri: "", data: "AAA=" } })).rejects.toThrow(/not a list/);
  });
});

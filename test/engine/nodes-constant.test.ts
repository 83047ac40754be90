import { describe, expect, it } from "vitest";
import { graph, registry, run, runNode } from "./helpers";

describe("nodetool.constant.*", () => {
  it("String, Integer, Float and Bool emit their value", async () => {
    expect(await runNode("nodetool.constant.String", { value: "hello" })).toBe("hello");
    expect(await runNode("nodetool.constant.Integer", { value: 42 })).toBe(42);
    expect(await runNode("nodetool.constant.Float", { value: 2.5 })).toBe(2.5);
    expect(await runNode("nodetool.constant.Bool", { value: true })).toBe(true);
  });

  it("scalar constants fall back to their declared defaults and coerce stored values", async () => {
    expect(await runNode("nodetool.constant.String", {})).toBe("");
    expect(await runNode("nodetool.constant.Integer", {})).toBe(0);
    expect(await runNode("nodetool.constant.Float", { value: null })).toBe(0);
    expect(await runNode("nodetool.constant.Bool", {})).toBe(false);
    expect(await runNode("nodetool.constant.Integer", { value: "7" })).toBe(7);
    expect(await runNode("nodetool.constant.Bool", { value: "false" })).toBe(false);
    expect(await runNode("nodetool.constant.String", { value: 12 })).toBe("12");
  });

  it("List, TextList and Dict pass their value through as one item", async () => {
    expect(await runNode("nodetool.constant.List", { value: [1, "a", { b: 2 }] })).toEqual([1, "a", { b: 2 }]);
    expect(await runNode("nodetool.constant.List", {})).toEqual([]);
    expect(await runNode("nodetool.constant.TextList", { value: ["x", "y"] })).toEqual(["x", "y"]);
    expect(await runNode("nodetool.constant.Dict", { value: { a: 1, nested: { b: [1, 2] } } })).toEqual({ a: 1, nested: { b: [1, 2] } });
    expect(await runNode("nodetool.constant.Dict", {})).toEqual({});
  });

  it("a List constant reaches a list consumer as a single value", async () => {
    const g = graph(
      [
        { id: "l", type: "nodetool.constant.List", data: { value: [1, 2, 3] } },
        { id: "len", type: "nodetool.list.Length" },
        { id: "o", type: "nodetool.output.Output", data: { name: "n" } },
      ],
      [
        ["l", "output", "len", "values"],
        ["len", "output", "o", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ n: 3 });
  });

  it("Dict rejects a non-object value with a clear error", async () => {
    await expect(runNode("nodetool.constant.Dict", { value: [1, 2] })).rejects.toThrow(/Dict value must be an object/);
  });

  it("media constants pass their reference object through", async () => {
    const image = { type: "image", uri: "https://example.com/cat.png", asset_id: "a1", data: null };
    expect(await runNode("nodetool.constant.Image", { value: image })).toEqual(image);
    const audio = { type: "audio", uri: "asset://x.mp3", asset_id: "a2", data: null };
    expect(await runNode("nodetool.constant.Audio", { value: audio })).toEqual(audio);
    const video = { type: "video", uri: "asset://v.mp4", asset_id: null, data: null };
    expect(await runNode("nodetool.constant.Video", { value: video })).toEqual(video);
    const doc = { type: "document", uri: "asset://d.pdf", asset_id: "d", data: null };
    expect(await runNode("nodetool.constant.Document", { value: doc })).toEqual(doc);
  });

  it("media constants default to an empty reference of their type", async () => {
    expect(await runNode("nodetool.constant.Image", {})).toMatchObject({ type: "image", uri: "", asset_id: null, data: null });
    expect(await runNode("nodetool.constant.Document", {})).toMatchObject({ type: "document", uri: "" });
    expect(await runNode("nodetool.constant.JSON", {})).toMatchObject({ type: "json", uri: "" });
  });

  it("JSON passes its value through", async () => {
    const ref = { type: "json", uri: "", asset_id: null, data: { a: [1, 2] } };
    expect(await runNode("nodetool.constant.JSON", { value: ref })).toEqual(ref);
  });

  it("Select emits the selected option", async () => {
    expect(await runNode("nodetool.constant.Select", { value: "b", options: ["a", "b"], enum_type_name: "X" })).toBe("b");
    const decl = registry.get("nodetool.constant.Select")!;
    expect(decl.properties.map((p) => p.name)).toEqual(["value", "options", "enum_type_name"]);
  });

  it("ImageSize splits into width and height", async () => {
    expect(await runNode("nodetool.constant.ImageSize", { value: { width: 640, height: 480 } }, "width")).toBe(640);
    expect(await runNode("nodetool.constant.ImageSize", { value: { width: 640, height: 480 } }, "height")).toBe(480);
  });

  it("Date emits a date object", async () => {
    expect(await runNode("nodetool.constant.Date", { year: 2026, month: 7, day: 29 })).toEqual({ type: "date", year: 2026, month: 7, day: 29 });
    expect(await runNode("nodetool.constant.Date", {})).toEqual({ type: "date", year: 1900, month: 1, day: 1 });
  });

  it("Date rejects an impossible day", async () => {
    await expect(runNode("nodetool.constant.Date", { year: 2025, month: 2, day: 29 })).rejects.toThrow(/day must be between 1 and 28/);
    expect(await runNode("nodetool.constant.Date", { year: 2024, month: 2, day: 29 })).toEqual({ type: "date", year: 2024, month: 2, day: 29 });
  });

  it("DateTime emits a datetime object (microseconds, offset in seconds)", async () => {
    expect(
      await runNode("nodetool.constant.DateTime", {
        year: 2026,
        month: 1,
        day: 1,
        hour: 9,
        minute: 30,
        second: 5,
        millisecond: 250,
        tzinfo: "Europe/Berlin",
        utc_offset: 60,
      }),
    ).toEqual({
      type: "datetime",
      year: 2026,
      month: 1,
      day: 1,
      hour: 9,
      minute: 30,
      second: 5,
      microsecond: 250000,
      tzinfo: "Europe/Berlin",
      utc_offset: 3600,
    });
  });

  it("DateTime rejects an out-of-range hour", async () => {
    await expect(runNode("nodetool.constant.DateTime", { hour: 24 })).rejects.toThrow(/hour must be between 0 and 23/);
  });

  it("declares NodeTool's bounds and output types", () => {
    const dt = registry.get("nodetool.constant.DateTime")!;
    expect(dt.properties.find((p) => p.name === "utc_offset")).toMatchObject({ default: 0, min: -720, max: 840 });
    expect(dt.outputs).toEqual([{ name: "output", type: "datetime" }]);
    expect(registry.get("nodetool.constant.Date")!.properties.find((p) => p.name === "year")).toMatchObject({ default: 1900, min: 1, max: 9999 });
    expect(registry.get("nodetool.constant.Integer")!.outputs).toEqual([{ name: "output", type: "int" }]);
    expect(registry.get("nodetool.constant.String")!.kind).toBe("constant");
  });

  it("constants report no output_update of their own", async () => {
    const g = graph([{ id: "c", type: "nodetool.constant.String", data: { value: "x" } }]);
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect(r.messages.filter((m) => m.type === "output_update")).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { packOutput as run } from "./data-pack-harness";

const M = (name: string) => `lib.markdown.${name}`;

const DOC = [
  "# Guide",
  "",
  "Read [the docs](https://example.com/docs \"Docs\"), <https://auto.link> and ![logo](logo.png); https://bare.example is text.",
  "",
  "Setext title",
  "------------",
  "",
  "- apples",
  "- pears",
  "  - green pears",
  "",
  "Between lists.",
  "",
  "* cherries",
  "",
  "1. first",
  "2. second [inner](https://inner.example)",
  "",
  "```python",
  "# not a header",
  "print('[x](y)')",
  "```",
  "",
  "    indented code",
  "",
  "| name | qty |",
  "|------|----:|",
  "| tea  | 2   |",
  "| milk | 10  |",
  "",
  "### Deep",
].join("\n");

describe("lib.markdown nodes", () => {
  it("ExtractLinks finds links, images and autolinks, not code or bare URLs", async () => {
    expect(await run(M("ExtractLinks"), { markdown: DOC })).toEqual([
      { url: "https://example.com/docs", title: "the docs" },
      { url: "https://auto.link", title: "" },
      { url: "logo.png", title: "logo" },
      { url: "https://inner.example", title: "inner" },
    ]);
    const noTitles = (await run(M("ExtractLinks"), { markdown: DOC, include_titles: false })) as { title: string }[];
    expect(noTitles.every((l) => l.title === "")).toBe(true);
  });

  it("ExtractHeaders lists headings with level and index, up to max_level", async () => {
    expect(await run(M("ExtractHeaders"), { markdown: DOC })).toEqual([
      { level: 1, text: "Guide", index: 0 },
      { level: 2, text: "Setext title", index: 1 },
      { level: 3, text: "Deep", index: 2 },
    ]);
    expect(await run(M("ExtractHeaders"), { markdown: DOC, max_level: 2 })).toHaveLength(2);
  });

  it("ExtractBulletLists and ExtractNumberedLists group items per list", async () => {
    expect(await run(M("ExtractBulletLists"), { markdown: DOC })).toEqual([
      [{ text: "apples" }, { text: "pears" }, { text: "green pears" }],
      [{ text: "cherries" }],
    ]);
    expect(await run(M("ExtractNumberedLists"), { markdown: DOC })).toEqual([["first", "second [inner](https://inner.example)"]]);
  });

  it("ExtractCodeBlocks returns fenced blocks with their language", async () => {
    expect(await run(M("ExtractCodeBlocks"), { markdown: DOC })).toEqual([{ language: "python", code: "# not a header\nprint('[x](y)')" }]);
    expect(await run(M("ExtractCodeBlocks"), { markdown: "```\nplain\n```" })).toEqual([{ language: "text", code: "plain" }]);
  });

  it("ExtractTables returns the first table as a data frame", async () => {
    expect(await run(M("ExtractTables"), { markdown: DOC })).toEqual({
      type: "dataframe",
      uri: "",
      asset_id: null,
      columns: [
        { name: "name", data_type: "string", description: "" },
        { name: "qty", data_type: "string", description: "" },
      ],
      data: [
        ["tea", "2"],
        ["milk", "10"],
      ],
    });
    expect(await run(M("ExtractTables"), { markdown: "no table" })).toMatchObject({ columns: [], data: [] });
  });
});

import { describe, expect, it } from "vitest";
import { graph, registry, run, runNode } from "./helpers";

const D = (type: string) => `nodetool.dictionary.${type}`;

/**
 * Streams `{n: 0}`, `{n: 1}`, ... through GenerateSequence -> MakeDictionary into a FilterDict* node and
 * returns every dictionary that reached the output.
 */
async function filterStream(type: string, data: Record<string, unknown>, stop = 6, extra: Record<string, unknown> = {}): Promise<unknown[]> {
  const g = graph(
    [
      { id: "seq", type: "nodetool.list.GenerateSequence", data: { start: 0, stop } },
      { id: "mk", type: D("MakeDictionary"), dynamic_properties: { n: null, ...extra } },
      { id: "f", type: D(type), data },
      { id: "o", type: "nodetool.output.Output", data: { name: "kept" } },
    ],
    [
      ["seq", "output", "mk", "n"],
      ["mk", "output", "f", "value"],
      ["f", "output", "o", "value"],
    ],
  );
  const r = await run(g);
  if (r.status !== "completed") throw new Error(r.error);
  return r.outputs.kept;
}

describe("nodetool.dictionary.*", () => {
  it("GetValue returns the value or the default", async () => {
    expect(await runNode(D("GetValue"), { dictionary: { a: 1, b: null }, key: "a" })).toBe(1);
    expect(await runNode(D("GetValue"), { dictionary: { a: 1 }, key: "z", default: "none" })).toBe("none");
    expect(await runNode(D("GetValue"), { dictionary: { a: 1 }, key: "z" })).toEqual([]);
    expect(await runNode(D("GetValue"), { dictionary: { b: null }, key: "b", default: 5 })).toBeNull();
  });

  it("Update, Remove, Combine", async () => {
    expect(await runNode(D("Update"), { dictionary: { a: 1, b: 2 }, new_pairs: { b: 3, c: 4 } })).toEqual({ a: 1, b: 3, c: 4 });
    expect(await runNode(D("Remove"), { dictionary: { a: 1, b: 2 }, key: "a" })).toEqual({ b: 2 });
    expect(await runNode(D("Remove"), { dictionary: { a: 1 }, key: "zz" })).toEqual({ a: 1 });
    expect(await runNode(D("Combine"), { dict_a: { x: 1, y: 1 }, dict_b: { y: 2 } })).toEqual({ x: 1, y: 2 });
  });

  it("Update fails clearly on a non-dictionary", async () => {
    await expect(runNode(D("Update"), { dictionary: [1, 2] })).rejects.toThrow(/Update: dictionary must be a dictionary/);
  });

  it("ParseJSON parses objects and rejects the rest", async () => {
    expect(await runNode(D("ParseJSON"), { json_string: '{"a": [1, 2], "b": {"c": true}}' })).toEqual({ a: [1, 2], b: { c: true } });
    await expect(runNode(D("ParseJSON"), { json_string: "[1, 2]" })).rejects.toThrow(/not a dictionary/);
    await expect(runNode(D("ParseJSON"), { json_string: "{oops" })).rejects.toThrow(/ParseJSON: invalid JSON/);
  });

  it("Zip pairs keys and values up to the shorter list", async () => {
    expect(await runNode(D("Zip"), { keys: ["a", "b", "c"], values: [1, 2] })).toEqual({ a: 1, b: 2 });
    expect(await runNode(D("Zip"), { keys: [], values: [1] })).toEqual({});
  });

  it("Filter keeps only listed keys that exist", async () => {
    expect(await runNode(D("Filter"), { dictionary: { a: 1, b: 2, c: 3 }, keys: ["a", "c", "z"] })).toEqual({ a: 1, c: 3 });
  });

  it("ReduceDictionaries with each conflict resolution", async () => {
    const dictionaries = [
      { id: "x", v: 1, w: "a" },
      { id: "y", v: 2, w: "b" },
      { id: "x", v: 3, w: "c" },
    ];
    expect(await runNode(D("ReduceDictionaries"), { dictionaries, key_field: "id", value_field: "v" })).toEqual({ x: 1, y: 2 });
    expect(await runNode(D("ReduceDictionaries"), { dictionaries, key_field: "id", value_field: "v", conflict_resolution: "ConflictResolution.LAST" })).toEqual({
      x: 3,
      y: 2,
    });
    expect(await runNode(D("ReduceDictionaries"), { dictionaries: dictionaries.slice(0, 2), key_field: "id" })).toEqual({
      x: { v: 1, w: "a" },
      y: { v: 2, w: "b" },
    });
    await expect(runNode(D("ReduceDictionaries"), { dictionaries, key_field: "id", conflict_resolution: "error" })).rejects.toThrow(/duplicate key found: x/);
    await expect(runNode(D("ReduceDictionaries"), { dictionaries, key_field: "nope" })).rejects.toThrow(/key field 'nope' not found/);
  });

  it("MakeDictionary builds a dict from its dynamic inputs, including connected ones", async () => {
    expect(await runNode(D("MakeDictionary"), {}, "output", { dynamic_properties: { a: 1, b: "two" } })).toEqual({ a: 1, b: "two" });
    const g = graph(
      [
        { id: "s", type: "nodetool.constant.String", data: { value: "Ada" } },
        { id: "mk", type: D("MakeDictionary"), dynamic_properties: { name: null, age: 36 } },
        { id: "o", type: "nodetool.output.Output", data: { name: "d" } },
      ],
      [
        ["s", "output", "mk", "name"],
        ["mk", "output", "o", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ d: { name: "Ada", age: 36 } });
    expect(await runNode(D("MakeDictionary"), {})).toEqual({});
  });

  it("ArgMax returns the top label (first on ties)", async () => {
    expect(await runNode(D("ArgMax"), { scores: { cat: 0.2, dog: 0.7, fox: 0.1 } })).toBe("dog");
    expect(await runNode(D("ArgMax"), { scores: { a: 1, b: 1 } })).toBe("a");
    await expect(runNode(D("ArgMax"), { scores: {} })).rejects.toThrow(/cannot be empty/);
  });

  it("ToJSON serialises compactly", async () => {
    expect(await runNode(D("ToJSON"), { dictionary: { a: 1, b: [true, null], c: "x" } })).toBe('{"a":1,"b":[true,null],"c":"x"}');
    expect(await runNode(D("ToJSON"), {})).toBe("{}");
  });

  it("ToYAML emits block-style YAML", async () => {
    const yaml = await runNode(D("ToYAML"), {
      dictionary: {
        name: "Ada Lovelace",
        age: 36,
        active: true,
        note: null,
        quoted: "yes",
        colon: "a: b",
        tags: ["math", "poetry"],
        empty: [],
        address: { city: "London", zip: "W1" },
        items: [{ id: 1, ok: false }, [1, 2]],
      },
    });
    expect(yaml).toBe(
      [
        "name: Ada Lovelace",
        "age: 36",
        "active: true",
        "note: null",
        'quoted: "yes"',
        'colon: "a: b"',
        "tags:",
        "  - math",
        "  - poetry",
        "empty: []",
        "address:",
        "  city: London",
        "  zip: W1",
        "items:",
        "  - id: 1",
        "    ok: false",
        "  - - 1",
        "    - 2",
      ].join("\n"),
    );
    expect(await runNode(D("ToYAML"), {})).toBe("{}");
  });

  it("FilterDictByNumber passes matching items of a stream", async () => {
    expect(await filterStream("FilterDictByNumber", { key: "n", filter_type: "greater_than", compare_value: 3 })).toEqual([{ n: 4 }, { n: 5 }]);
    expect(await filterStream("FilterDictByNumber", { key: "n", filter_type: "FilterDictNumberType.EVEN" })).toEqual([{ n: 0 }, { n: 2 }, { n: 4 }]);
    expect(await filterStream("FilterDictByNumber", { key: "missing", filter_type: "positive" })).toEqual([]);
  });

  it("FilterDictByRange, inclusive and exclusive", async () => {
    expect(await filterStream("FilterDictByRange", { key: "n", min_value: 1, max_value: 3 })).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await filterStream("FilterDictByRange", { key: "n", min_value: 1, max_value: 3, inclusive: false })).toEqual([{ n: 2 }]);
  });

  it("FilterDictByValue and FilterDictRegex", async () => {
    const kept = await filterStream("FilterDictByValue", { key: "label", filter_type: "starts_with", criteria: "ke" }, 2, { label: "keep" });
    expect(kept).toEqual([
      { n: 0, label: "keep" },
      { n: 1, label: "keep" },
    ]);
    expect(await filterStream("FilterDictByValue", { key: "n", filter_type: "type_is", criteria: "int" }, 2)).toEqual([{ n: 0 }, { n: 1 }]);
    expect(await filterStream("FilterDictByValue", { key: "label", filter_type: "length_greater", criteria: "4" }, 2, { label: "keep" })).toEqual([]);
    expect(await filterStream("FilterDictRegex", { key: "n", pattern: "[13]", full_match: true })).toEqual([{ n: 1 }, { n: 3 }]);
    await expect(filterStream("FilterDictRegex", { key: "n", pattern: "(" })).rejects.toThrow(/invalid pattern/);
  });

  it("FilterDictByQuery evaluates pandas-style conditions", async () => {
    expect(await filterStream("FilterDictByQuery", { condition: "n > 1 and n % 2 == 0" })).toEqual([{ n: 2 }, { n: 4 }]);
    expect(await filterStream("FilterDictByQuery", { condition: "n in [0, 5] or not (n < 4)" })).toEqual([{ n: 0 }, { n: 4 }, { n: 5 }]);
    expect(await filterStream("FilterDictByQuery", { condition: "1 < n <= 3" })).toEqual([{ n: 2 }, { n: 3 }]);
    expect(await filterStream("FilterDictByQuery", { condition: "`tag` == 'a' & n == 1" }, 3, { tag: "a" })).toEqual([{ n: 1, tag: "a" }]);
    expect(await filterStream("FilterDictByQuery", { condition: "" }, 2)).toEqual([{ n: 0 }, { n: 1 }]);
    // A missing column does not match; a malformed condition fails the run.
    expect(await filterStream("FilterDictByQuery", { condition: "price > 3" })).toEqual([]);
    await expect(filterStream("FilterDictByQuery", { condition: "n >" })).rejects.toThrow(/invalid condition/);
  });

  it("declares dict outputs; SaveJSON (a file node) is registered and writes through the blob store", () => {
    expect(registry.get(D("Update"))!.outputs).toEqual([{ name: "output", type: "dict" }]);
    expect(registry.get(D("ArgMax"))!.outputs).toEqual([{ name: "output", type: "str" }]);
    expect(registry.get(D("MakeDictionary"))!.isDynamic).toBe(true);
    expect(registry.get(D("ReduceDictionaries"))!.properties.find((p) => p.name === "conflict_resolution")!.values).toEqual(["first", "last", "error"]);
    expect(registry.get(D("SaveJSON"))!.outputs.map((o) => o.name)).toEqual(["output"]);
  });
});

import { describe, expect, it } from "vitest";
import { pyJsonDumps } from "../../engine/json/py-json";
import { packOutput as run } from "./data-pack-harness";

const J = (name: string) => `lib.json.${name}`;

describe("pyJsonDumps", () => {
  it("writes what Python's json.dumps writes", () => {
    const value = { a: [1, 2.5, { b: null }], "é": "ü", t: true, e: [], o: {} };
    expect(pyJsonDumps(value)).toBe('{"a": [1, 2.5, {"b": null}], "\\u00e9": "\\u00fc", "t": true, "e": [], "o": {}}');
    expect(pyJsonDumps({ a: [1, 2] }, { indent: 2 })).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(pyJsonDumps([1], { indent: 0 })).toBe("[\n1\n]");
    expect(pyJsonDumps([NaN, -Infinity])).toBe("[NaN, -Infinity]");
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => pyJsonDumps(loop)).toThrow(/Circular/);
  });
});

describe("lib.json nodes", () => {
  it("ParseDict and ParseList check the parsed type", async () => {
    expect(await run(J("ParseDict"), { json_string: '{"a": 1}' })).toEqual({ a: 1 });
    await expect(run(J("ParseDict"), { json_string: "[1]" })).rejects.toThrow(/must represent an object/);
    expect(await run(J("ParseList"), { json_string: "[1, 2]" })).toEqual([1, 2]);
    await expect(run(J("ParseList"), { json_string: "{}" })).rejects.toThrow(/must represent an array/);
    await expect(run(J("ParseList"), { json_string: "[1," })).rejects.toThrow(/invalid JSON/);
  });

  it("StringifyJSON indents like Python", async () => {
    expect(await run(J("StringifyJSON"), { data: { k: ["v"] } })).toBe('{\n  "k": [\n    "v"\n  ]\n}');
  });

  it("GetJSONPath* follow dot paths and convert like Python", async () => {
    const data = { user: { name: "Ada", age: "36", tags: ["x", "y"], score: 2.75, on: "false", pairs: [["a", 1]] } };
    expect(await run(J("GetJSONPathStr"), { data, path: "user.tags.1" })).toBe("y");
    expect(await run(J("GetJSONPathStr"), { data, path: "user.tags" })).toBe("['x', 'y']");
    expect(await run(J("GetJSONPathStr"), { data, path: "user.missing", default: "none" })).toBe("none");
    expect(await run(J("GetJSONPathInt"), { data, path: "user.age" })).toBe(36);
    expect(await run(J("GetJSONPathInt"), { data, path: "user.score" })).toBe(2);
    await expect(run(J("GetJSONPathInt"), { data, path: "user.name" })).rejects.toThrow(/invalid literal for int/);
    expect(await run(J("GetJSONPathFloat"), { data, path: "user.age" })).toBe(36);
    expect(await run(J("GetJSONPathBool"), { data, path: "user.on" })).toBe(true); // Python: bool("false") is True
    expect(await run(J("GetJSONPathBool"), { data, path: "user.tags.5", default: true })).toBe(true);
    expect(await run(J("GetJSONPathList"), { data, path: "user.name" })).toEqual(["A", "d", "a"]);
    expect(await run(J("GetJSONPathDict"), { data, path: "user.pairs" })).toEqual({ a: 1 });
    expect(await run(J("GetJSONPathDict"), { data: [{ a: 1 }], path: "0" })).toEqual({ a: 1 });
  });

  it("ValidateJSON validates with JSON Schema", async () => {
    const json_schema = { type: "object", properties: { n: { type: "integer", minimum: 1 } }, required: ["n"] };
    expect(await run(J("ValidateJSON"), { data: { n: 3 }, json_schema })).toBe(true);
    expect(await run(J("ValidateJSON"), { data: { n: 0 }, json_schema })).toBe(false);
    expect(await run(J("ValidateJSON"), { data: {}, json_schema })).toBe(false);
    expect(await run(J("ValidateJSON"), { data: "anything", json_schema: {} })).toBe(true);
  });

  it("FilterJSON keeps objects whose key equals the value", async () => {
    const array = [{ k: 1, n: "a" }, { k: 2 }, { n: "c" }, { k: { deep: [1] } }];
    expect(await run(J("FilterJSON"), { array, key: "k", value: 1 })).toEqual([{ k: 1, n: "a" }]);
    expect(await run(J("FilterJSON"), { array, key: "k", value: { deep: [1] } })).toEqual([{ k: { deep: [1] } }]);
    await expect(run(J("FilterJSON"), { array: [1], key: "k", value: 1 })).rejects.toThrow(/every item must be an object/);
  });

  it("JSONTemplate substitutes $names with Python's str()", async () => {
    const out = await run(J("JSONTemplate"), { template: '{"name": "$user", "age": $age, "ok": "$flag"}', values: { user: "John", age: 30, flag: true } });
    expect(out).toEqual({ name: "John", age: 30, ok: "True" });
    await expect(run(J("JSONTemplate"), { template: "[$a]", values: { a: 1 } })).rejects.toThrow(/must be a dictionary/);
    await expect(run(J("JSONTemplate"), { template: '{"a": $a}', values: {} })).rejects.toThrow(/resulting JSON is invalid/);
  });
});

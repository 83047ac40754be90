import { describe, expect, it } from "vitest";
import { queryRows } from "../../engine/dataframe/query";
import type { Table } from "../../engine/dataframe/table";

/** The query language of Filter/FindRow, checked directly against a hand-made table. */
const t: Table = {
  columns: ["id", "name", "score", "tag", "on"].map((name) => ({ name, data_type: "object" as const, description: "" })),
  rows: [
    [1, "O'Hara", 2.5, "a b", true],
    [2, 'say "hi"', -1, null, false],
    [3, "zed", 10, "a", true],
    [4, "Émile", null, "b", false],
  ],
};
const ids = (condition: string, limit?: number) => queryRows(t, condition, limit).map((i) => t.rows[i][0]);

describe("query conditions", () => {
  it("parses strings with escapes and both quote styles", () => {
    expect(ids("name == 'O\\'Hara'")).toEqual([1]);
    expect(ids(`name == 'say "hi"'`)).toEqual([2]);
    expect(ids('name == "Émile"')).toEqual([4]);
  });

  it("follows Python precedence: not < and < or, ** binds tighter than unary minus", () => {
    expect(ids("id == 1 or id == 2 and on")).toEqual([1]);
    expect(ids("(id == 1 or id == 2) and on")).toEqual([1]);
    expect(ids("not id == 1 and on")).toEqual([3]);
    expect(ids("-2 ** 2 == -4 and id == 3")).toEqual([3]);
    expect(ids("id * 2 + 1 == 7")).toEqual([3]);
    expect(ids("score / 2 >= 1.25")).toEqual([1, 3]);
    expect(ids("1e1 == score")).toEqual([3]);
  });

  it("compares booleans as numbers and reads booleans and None literals", () => {
    expect(ids("on == True")).toEqual([1, 3]);
    expect(ids("on == 1")).toEqual([1, 3]);
    expect(ids("on")).toEqual([1, 3]);
    expect(ids("tag == None")).toEqual([]);
    expect(ids("tag != None")).toEqual([1, 2, 3, 4]);
  });

  it("supports membership in lists, tuples and other columns", () => {
    expect(ids("id in (2, 4)")).toEqual([2, 4]);
    expect(ids("tag in ['b', 'c']")).toEqual([4]);
    expect(ids("tag in name")).toEqual([]);
  });

  it("stops after the limit (FindRow)", () => {
    expect(ids("id > 1", 1)).toEqual([2]);
  });

  it("supports a few Series methods and refuses others", () => {
    expect(ids("tag.isna()")).toEqual([2]);
    expect(ids("name.str.lower() == 'zed' or name.str.len() == 5")).toEqual([3, 4]);
    expect(() => ids("name.str.replace('a', 'b') == 'x'")).toThrow(/unsupported method 'str.replace\(\)'/);
  });

  it("bounds the condition's size and depth and rejects local variables", () => {
    expect(() => ids("(".repeat(100) + "id" + ")".repeat(100))).toThrow(/nested more than 64 levels/);
    expect(() => ids("id == 1 or " + "id == 1 or ".repeat(1000) + "id == 2")).toThrow(/limit 10000/);
    expect(() => ids("id == @x")).toThrow(/local variables/);
    expect(() => ids("name == 'open")).toThrow(/unterminated string/);
  });
});

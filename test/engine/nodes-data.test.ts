import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { dataframeNodes } from "../../engine/nodes/data-nodes";
import { outputNodes } from "../../engine/nodes/output";
import { NodeRegistry } from "../../engine/registry/registry";
import { GraphSchema, type Graph } from "../../schema/workflow";

// A registry of these packs only, so the tests run through the real executor without the rest of the catalog.
const registry = new NodeRegistry([...dataframeNodes, ...outputNodes]);

type EdgeSpec = [string, string, string, string];
function graph(nodes: { id: string; type: string; data?: Record<string, unknown> }[], edges: EdgeSpec[] = []): Graph {
  return GraphSchema.parse({ nodes, edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })) });
}
const run = (g: Graph) => runWorkflow(g, {}, { registry });
async function runNode(type: string, data: Record<string, unknown>, handle = "output"): Promise<unknown> {
  const r = await run(graph([{ id: "n", type, data }, { id: "out", type: "nodetool.output.Output", data: { name: "out" } }], [["n", handle, "out", "value"]]));
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.out;
}

/** A hand-written NodeTool DataframeRef. */
function df(columns: [string, string][], data: unknown[][]) {
  return { type: "dataframe", uri: "", asset_id: null, columns: columns.map(([name, data_type]) => ({ name, data_type, description: "" })), data };
}

type Ref = { columns: { name: string; data_type: string }[]; data: unknown[][] };
const names = (r: unknown) => (r as Ref).columns.map((c) => c.name);
const types = (r: unknown) => (r as Ref).columns.map((c) => c.data_type);
const rows = (r: unknown) => (r as Ref).data;

const people = df(
  [
    ["name", "object"],
    ["age", "int"],
    ["city", "object"],
    ["salary", "float"],
  ],
  [
    ["Ann", 34, "Paris", 52000.5],
    ["Bob", 25, "Berlin", 41000],
    ["Cid", 41, "Paris", 61000],
    ["Dee", 30, "Rome", null],
  ],
);

describe("nodetool.data.ImportCSV", () => {
  it("types each column as pandas does and treats NA markers as missing", async () => {
    const csv = "name,age,score,ok,code\nAnn,34,1.5,True,007\nBob,,2,False,x\n\nCid,41,NaN,True,9\n";
    const out = await runNode("nodetool.data.ImportCSV", { csv_data: csv });
    expect(names(out)).toEqual(["name", "age", "score", "ok", "code"]);
    // age has a missing value, so pandas makes it float; code mixes digits and text, so it stays text.
    expect(types(out)).toEqual(["object", "float", "float", "object", "object"]);
    expect(rows(out)).toEqual([
      ["Ann", 34, 1.5, true, "007"],
      ["Bob", null, 2, false, "x"],
      ["Cid", 41, null, true, "9"],
    ]);
  });

  it("keeps quoted commas and newlines inside one field and names repeated headers like pandas", async () => {
    const out = await runNode("nodetool.data.ImportCSV", { csv_data: 'a,a,\n"x, y","line1\nline2",3\n' });
    expect(names(out)).toEqual(["a", "a.1", "Unnamed: 2"]);
    expect(rows(out)).toEqual([["x, y", "line1\nline2", 3]]);
    expect(types(out)).toEqual(["object", "object", "int"]);
  });

  it("fails clearly on empty text and on rows with too many fields", async () => {
    await expect(runNode("nodetool.data.ImportCSV", { csv_data: "" })).rejects.toThrow(/empty/);
    await expect(runNode("nodetool.data.ImportCSV", { csv_data: "a,b\n1,2,3\n" })).rejects.toThrow(/expected 2 fields in line 2, saw 3/);
  });

  it("refuses a table over the cell limit", async () => {
    const csv = "a,b\n" + "1,2\n".repeat(500_001);
    await expect(runNode("nodetool.data.ImportCSV", { csv_data: csv })).rejects.toThrow(/exceed the limit of 1000000 cells/);
  });
});

describe("nodetool.data.Filter and FindRow", () => {
  const filter = async (condition: string) => rows(await runNode("nodetool.data.Filter", { df: people, condition })).map((r) => r[0]);

  it("evaluates comparisons, and/or/not, chains, lists and arithmetic", async () => {
    expect(await filter("age > 30")).toEqual(["Ann", "Cid"]);
    expect(await filter("age > 30 and city == 'Paris'")).toEqual(["Ann", "Cid"]);
    expect(await filter("age < 30 or city == \"Rome\"")).toEqual(["Bob", "Dee"]);
    expect(await filter("30 <= age <= 34")).toEqual(["Ann", "Dee"]);
    expect(await filter("city in ['Rome', 'Berlin']")).toEqual(["Bob", "Dee"]);
    expect(await filter("city not in ('Rome', 'Berlin')")).toEqual(["Ann", "Cid"]);
    expect(await filter("not (age < 31)")).toEqual(["Ann", "Cid"]);
    expect(await filter("(age > 40) | (name == 'Bob')")).toEqual(["Bob", "Cid"]);
    expect(await filter("~(city == 'Paris') & (age >= 30)")).toEqual(["Dee"]);
    expect(await filter("age * 2 - 10 == 58")).toEqual(["Ann"]);
    expect(await filter("age % 4 == 1 or age // 10 == 4")).toEqual(["Bob", "Cid"]);
    expect(await filter("city == ['Rome']")).toEqual(["Dee"]);
    expect(await filter("index >= 2")).toEqual(["Cid", "Dee"]);
    expect(await filter("name.str.startswith('C') or city.str.contains('erl')")).toEqual(["Bob", "Cid"]);
  });

  it("treats missing values as pandas does", async () => {
    expect(await filter("salary > 0")).toEqual(["Ann", "Bob", "Cid"]);
    expect(await filter("salary != 41000")).toEqual(["Ann", "Cid", "Dee"]);
    expect(await filter("salary.isna()")).toEqual(["Dee"]);
  });

  it("reads backtick-quoted column names (the Data Visualization example's condition)", async () => {
    const gdp = df(
      [
        ["Country Name", "object"],
        ["Country Code", "object"],
        ["Year", "int"],
        ["Value", "float"],
      ],
      [
        ["Aruba", "ABW", 2000, 1.5],
        ["United States", "USA", 2000, 10.25],
        ["United States", "USA", 2001, 10.5],
      ],
    );
    const out = await runNode("nodetool.data.Filter", { df: gdp, condition: "`Country Code` == 'USA'" });
    expect(rows(out)).toEqual([
      ["United States", "USA", 2000, 10.25],
      ["United States", "USA", 2001, 10.5],
    ]);
    expect(names(out)).toEqual(["Country Name", "Country Code", "Year", "Value"]);
  });

  it("FindRow returns only the first match", async () => {
    const out = await runNode("nodetool.data.FindRow", { df: people, condition: "city == 'Paris'" });
    expect(rows(out)).toEqual([["Ann", 34, "Paris", 52000.5]]);
  });

  it("names unknown columns, type errors and syntax errors", async () => {
    await expect(filter("height > 3")).rejects.toThrow(/name 'height' is not defined/);
    await expect(filter("name > 3")).rejects.toThrow(/'>' not supported between instances of 'str' and 'int'/);
    await expect(filter("age >")).rejects.toThrow(/invalid condition/);
    await expect(filter("age")).rejects.toThrow(/must give True or False/);
    await expect(filter("__import__('os')")).rejects.toThrow(/unsupported method|not defined|invalid condition/);
  });
});

describe("column and row nodes", () => {
  it("SelectColumn keeps the named columns in the given order", async () => {
    const out = await runNode("nodetool.data.SelectColumn", { dataframe: people, columns: "city,name" });
    expect(names(out)).toEqual(["city", "name"]);
    expect(rows(out)).toEqual([
      ["Paris", "Ann"],
      ["Berlin", "Bob"],
      ["Paris", "Cid"],
      ["Rome", "Dee"],
    ]);
    await expect(runNode("nodetool.data.SelectColumn", { dataframe: people, columns: "nope" })).rejects.toThrow(/no column named 'nope'/);
  });

  it("ExtractColumn, ToList and FromList convert between tables and lists", async () => {
    expect(await runNode("nodetool.data.ExtractColumn", { dataframe: people, column_name: "age" })).toEqual([34, 25, 41, 30]);
    const list = (await runNode("nodetool.data.ToList", { dataframe: people })) as Record<string, unknown>[];
    expect(list[3]).toEqual({ name: "Dee", age: 30, city: "Rome", salary: null });
    const back = await runNode("nodetool.data.FromList", { values: [{ a: 1, b: { value: "x" } }, { a: 2.5, c: [1, 2] }] });
    expect(names(back)).toEqual(["a", "b", "c"]);
    expect(types(back)).toEqual(["float", "object", "object"]);
    expect(rows(back)).toEqual([
      [1, "x", null],
      [2.5, null, "[1,2]"],
    ]);
    await expect(runNode("nodetool.data.FromList", { values: [1] })).rejects.toThrow(/must contain dicts/);
  });

  it("JSONToDataframe reads records and column mappings", async () => {
    const a = await runNode("nodetool.data.JSONToDataframe", { text: '[{"x": 1, "y": "a"}, {"x": 2}]' });
    expect(rows(a)).toEqual([
      [1, "a"],
      [2, null],
    ]);
    const b = await runNode("nodetool.data.JSONToDataframe", { text: '{"x": [1, 2], "y": [true, false]}' });
    expect(names(b)).toEqual(["x", "y"]);
    expect(rows(b)).toEqual([
      [1, true],
      [2, false],
    ]);
    await expect(runNode("nodetool.data.JSONToDataframe", { text: '{"x": 1}' })).rejects.toThrow(/must pass an index/);
  });

  it("AddColumn adds or replaces a column and checks its length", async () => {
    const out = await runNode("nodetool.data.AddColumn", { dataframe: people, column_name: "rank", values: [2, 4, 1, 3] });
    expect(names(out)).toEqual(["name", "age", "city", "salary", "rank"]);
    expect(rows(out).map((r) => r[4])).toEqual([2, 4, 1, 3]);
    const replaced = await runNode("nodetool.data.AddColumn", { dataframe: people, column_name: "age", values: ["a", "b", "c", "d"] });
    expect(names(replaced)).toEqual(["name", "age", "city", "salary"]);
    expect(types(replaced)[1]).toBe("object");
    await expect(runNode("nodetool.data.AddColumn", { dataframe: people, column_name: "x", values: [1] })).rejects.toThrow(/length of values \(1\) does not match the number of rows \(4\)/);
  });

  it("Slice uses Python bounds with -1 meaning the end", async () => {
    const first = async (data: Record<string, unknown>) => rows(await runNode("nodetool.data.Slice", { dataframe: people, ...data })).map((r) => r[0]);
    expect(await first({ start_index: 1, end_index: 3 })).toEqual(["Bob", "Cid"]);
    expect(await first({ start_index: 2, end_index: -1 })).toEqual(["Cid", "Dee"]);
    expect(await first({ start_index: -3, end_index: -2 })).toEqual(["Bob"]);
  });

  it("SortByColumn sorts ascending with missing values last", async () => {
    const bySalary = await runNode("nodetool.data.SortByColumn", { df: people, column: "salary" });
    expect(rows(bySalary).map((r) => r[0])).toEqual(["Bob", "Ann", "Cid", "Dee"]);
    const byCity = await runNode("nodetool.data.SortByColumn", { df: people, column: "city" });
    expect(rows(byCity).map((r) => r[0])).toEqual(["Bob", "Ann", "Cid", "Dee"]);
  });

  it("DropDuplicates, DropNA and FillNA clean rows", async () => {
    const t = df(
      [
        ["k", "object"],
        ["v", "float"],
      ],
      [
        ["a", 1],
        ["b", null],
        ["a", 1],
        ["c", 4],
        ["d", null],
      ],
    );
    expect(rows(await runNode("nodetool.data.DropDuplicates", { df: t }))).toEqual([
      ["a", 1],
      ["b", null],
      ["c", 4],
      ["d", null],
    ]);
    expect(rows(await runNode("nodetool.data.DropNA", { df: t }))).toEqual([
      ["a", 1],
      ["a", 1],
      ["c", 4],
    ]);
    const col = async (method: string, value?: unknown) => rows(await runNode("nodetool.data.FillNA", { dataframe: t, method, ...(value === undefined ? {} : { value }) })).map((r) => r[1]);
    expect(await col("value", 9)).toEqual([1, 9, 1, 4, 9]);
    expect(await col("forward")).toEqual([1, 1, 1, 4, 4]);
    expect(await col("backward")).toEqual([1, 1, 1, 4, null]);
    expect(await col("mean")).toEqual([1, 2, 1, 4, 2]);
    expect(await col("median")).toEqual([1, 1, 1, 4, 1]);
    await expect(col("guess")).rejects.toThrow(/unknown fill method 'guess'/);
  });

  it("Rename maps old:new pairs", async () => {
    const out = await runNode("nodetool.data.Rename", { dataframe: people, rename_map: "name:who, city : town,missing:x" });
    expect(names(out)).toEqual(["who", "age", "town", "salary"]);
  });
});

describe("combining tables", () => {
  const left = df(
    [
      ["id", "int"],
      ["v", "object"],
    ],
    [
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ],
  );
  const right = df(
    [
      ["id", "int"],
      ["v", "object"],
    ],
    [
      [3, "z"],
      [1, "x"],
      [1, "y"],
    ],
  );

  it("Join is pandas' inner merge with _x/_y suffixes, in the left table's order", async () => {
    const out = await runNode("nodetool.data.Join", { dataframe_a: left, dataframe_b: right, join_on: "id" });
    expect(names(out)).toEqual(["id", "v_x", "v_y"]);
    expect(rows(out)).toEqual([
      [1, "a", "x"],
      [1, "a", "y"],
      [3, "c", "z"],
    ]);
    const other = df([["k", "int"]], [[1]]);
    await expect(runNode("nodetool.data.Join", { dataframe_a: left, dataframe_b: other, join_on: "id" })).rejects.toThrow(/do not match/);
  });

  it("Append stacks rows of matching tables; Merge puts tables side by side", async () => {
    const appended = await runNode("nodetool.data.Append", { dataframe_a: left, dataframe_b: right });
    expect(rows(appended).map((r) => r[1])).toEqual(["a", "b", "c", "z", "x", "y"]);
    const merged = await runNode("nodetool.data.Merge", { dataframe_a: left, dataframe_b: df([["w", "int"]], [[7], [8], [9], [10]]) });
    expect(names(merged)).toEqual(["id", "v", "w"]);
    expect(rows(merged)).toEqual([
      [1, "a", 7],
      [2, "b", 8],
      [3, "c", 9],
      [null, null, 10],
    ]);
    expect(types(merged)).toEqual(["float", "object", "int"]);
  });
});

describe("grouping", () => {
  const sales = df(
    [
      ["region", "object"],
      ["year", "int"],
      ["units", "int"],
      ["price", "float"],
    ],
    [
      ["east", 2021, 10, 2.5],
      ["west", 2021, 4, 3],
      ["east", 2022, 6, null],
      ["west", 2022, 8, 4],
      ["east", 2021, 2, 1.5],
      [null, 2022, 100, 9],
    ],
  );

  it("Aggregate groups, sorts by key and drops rows without a key", async () => {
    const sum = await runNode("nodetool.data.Aggregate", { dataframe: sales, columns: "region", aggregation: "sum" });
    expect(names(sum)).toEqual(["region", "year", "units", "price"]);
    expect(rows(sum)).toEqual([
      ["east", 6064, 18, 4],
      ["west", 4043, 12, 7],
    ]);
    const mean = await runNode("nodetool.data.Aggregate", { dataframe: sales, columns: "region, year", aggregation: "mean" });
    expect(rows(mean)).toEqual([
      ["east", 2021, 6, 2],
      ["east", 2022, 6, null],
      ["west", 2021, 4, 3],
      ["west", 2022, 8, 4],
    ]);
    expect(types(mean)).toEqual(["object", "int", "float", "float"]);
    const count = await runNode("nodetool.data.Aggregate", { dataframe: sales, columns: "region", aggregation: "count" });
    expect(rows(count)).toEqual([
      ["east", 3, 3, 2],
      ["west", 2, 2, 2],
    ]);
    // std of east units [10, 6, 2]: mean 6, squared deviations 16+0+16 over n-1=2 -> variance 16, std 4.
    const std = await runNode("nodetool.data.Aggregate", { dataframe: df([["g", "object"], ["x", "int"]], [["a", 10], ["a", 6], ["a", 2], ["b", 5]]), columns: "g", aggregation: "std" });
    expect(rows(std)).toEqual([
      ["a", 4],
      ["b", null],
    ]);
    await expect(runNode("nodetool.data.Aggregate", { dataframe: sales, columns: "year", aggregation: "mean" })).rejects.toThrow(/cannot compute mean of column 'region'/);
    await expect(runNode("nodetool.data.Aggregate", { dataframe: sales, columns: "region", aggregation: "mode" })).rejects.toThrow(/unknown aggregation function 'mode'/);
  });

  it("Pivot spreads a column into one column per value", async () => {
    const out = await runNode("nodetool.data.Pivot", { dataframe: sales, index: "region", columns: "year", values: "units", aggfunc: "sum" });
    expect(names(out)).toEqual(["region", "2021", "2022"]);
    expect(rows(out)).toEqual([
      ["east", 12, 6],
      ["west", 4, 8],
    ]);
    const prices = await runNode("nodetool.data.Pivot", { dataframe: sales, index: "year", columns: "region", values: "price", aggfunc: "max" });
    expect(rows(prices)).toEqual([
      [2021, 2.5, 3],
      [2022, null, 4],
    ]);
  });
});

describe("in a graph", () => {
  it("ImportCSV -> SelectColumn, the import_csv_select example's shape", async () => {
    const g = graph(
      [
        { id: "import", type: "nodetool.data.ImportCSV", data: { csv_data: "a,b,c\n1,x,2.5\n2,y,3.5\n" } },
        { id: "select", type: "nodetool.data.SelectColumn", data: { columns: "c,a" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["import", "output", "select", "dataframe"],
        ["select", "output", "out", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    const out = r.result.out as Ref;
    expect(out.columns).toEqual([
      { name: "c", data_type: "float", description: "" },
      { name: "a", data_type: "int", description: "" },
    ]);
    expect(out.data).toEqual([
      [2.5, 1],
      [3.5, 2],
    ]);
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { dataframeNodes } from "../../engine/nodes/data-nodes";
import { outputNodes } from "../../engine/nodes/output";
import { defineNode, out } from "../../engine/registry/define-node";
import { NodeRegistry } from "../../engine/registry/registry";
import type { EngineServices } from "../../engine/registry/types";
import type { HttpService } from "../../engine/web/http-service";
import { MemoryWorkspace } from "../../engine/workspace/memory-workspace";
import { GraphSchema, type Graph } from "../../schema/workflow";

/** A test producer: emits 1, null, "x", null, 2 as a stream. */
const producer = defineNode({
  type: "test.Emit",
  description: "test stream",
  outputs: [out("output", "any")],
  async *gen() {
    for (const v of [1, null, "x", null, 2]) yield { output: v };
  },
});
const collector = defineNode({
  type: "test.Collect",
  description: "collects a stream into a list",
  properties: [{ name: "item", type: "any" }],
  outputs: [out("output", "list[any]")],
  run: async (inputs, outputs) => {
    const items: unknown[] = [];
    for await (const v of inputs.stream("item")) items.push(v);
    outputs.emit("output", items);
  },
});
const registry = new NodeRegistry([...dataframeNodes, ...outputNodes, producer, collector]);

type EdgeSpec = [string, string, string, string];
function graph(nodes: { id: string; type: string; data?: Record<string, unknown> }[], edges: EdgeSpec[] = []): Graph {
  return GraphSchema.parse({ nodes, edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })) });
}
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
async function runNode(type: string, data: Record<string, unknown>, services: Partial<EngineServices>, handle = "output"): Promise<unknown> {
  const g = graph([{ id: "n", type, data }, { id: "out", type: "nodetool.output.Output", data: { name: "out" } }], [["n", handle, "out", "value"]]);
  const r = await runWorkflow(g, {}, { registry, services: { now: () => NOW, ...services } });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.out;
}

type Ref = { uri: string; asset_id: string | null; columns: { name: string; data_type: string }[]; data: unknown[][] };
const table = (columns: [string, string][], data: unknown[][]) => ({ type: "dataframe", uri: "", asset_id: null, columns: columns.map(([name, data_type]) => ({ name, data_type, description: "" })), data });

// A loopback server and an HttpService over it, standing in for the host's guarded fetch.
let server: Server;
let base = "";
const http: HttpService = {
  async request(req, signal) {
    const res = await fetch(req.url, { method: req.method ?? "GET", signal });
    return { status: res.status, url: res.url, headers: {}, contentType: res.headers.get("content-type") ?? "", bytes: new Uint8Array(await res.arrayBuffer()) };
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/gdp.csv") {
      res.writeHead(200, { "content-type": "text/csv" });
      res.end("Country Name,Country Code,Year,Value\nAruba,ABW,2000,1.5\nUnited States,USA,2000,10.25\n");
    } else {
      res.writeHead(404);
      res.end("missing");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("nodetool.data.LoadCSVURL", () => {
  it("fetches through services.http and parses the CSV", async () => {
    const out = (await runNode("nodetool.data.LoadCSVURL", { url: `${base}/gdp.csv` }, { http })) as Ref;
    expect(out.columns.map((c) => c.name)).toEqual(["Country Name", "Country Code", "Year", "Value"]);
    expect(out.data).toEqual([
      ["Aruba", "ABW", 2000, 1.5],
      ["United States", "USA", 2000, 10.25],
    ]);
  });

  it("reports HTTP errors and a missing service", async () => {
    await expect(runNode("nodetool.data.LoadCSVURL", { url: `${base}/nope.csv` }, { http })).rejects.toThrow(/answered HTTP 404/);
    await expect(runNode("nodetool.data.LoadCSVURL", { url: `${base}/gdp.csv` }, {})).rejects.toThrow(/no outbound HTTP service/);
  });
});

describe("workspace files", () => {
  it("LoadCSVFile reads and SaveCSVDataframeFile writes CSV in the workspace", async () => {
    const workspace = new MemoryWorkspace();
    await workspace.write("data/in.csv", new TextEncoder().encode("a,b\n1,x\n2,\n"));
    const loaded = (await runNode("nodetool.data.LoadCSVFile", { file_path: "data/in.csv" }, { workspace })) as Ref;
    expect(loaded.data).toEqual([
      [1, "x"],
      [2, null],
    ]);
    const floats = table(
      [
        ["n", "float"],
        ["s", "object"],
        ["ok", "object"],
      ],
      [
        [1, "a,b", true],
        [2.5, null, false],
      ],
    );
    const saved = (await runNode("nodetool.data.SaveCSVDataframeFile", { dataframe: floats, folder: "data", filename: "out_%Y%m%d.csv" }, { workspace })) as Ref;
    expect(saved.data).toEqual(floats.data);
    const text = new TextDecoder().decode(await workspace.read("data/out_20260102.csv"));
    expect(text).toBe('n,s,ok\n1.0,"a,b",True\n2.5,,False\n');
    await expect(runNode("nodetool.data.SaveCSVDataframeFile", { dataframe: floats, folder: "nowhere", filename: "x.csv" }, { workspace })).rejects.toThrow(/folder does not exist/);
    await expect(runNode("nodetool.data.LoadCSVFile", { file_path: "data/none.csv" }, { workspace })).rejects.toThrow(/not found/);
  });
});

describe("nodetool.data.SaveDataframe", () => {
  it("stores a CSV asset that later dataframe nodes can read back from its uri", async () => {
    const blobs = new MemoryBlobStore();
    const t = table(
      [
        ["k", "object"],
        ["v", "int"],
      ],
      [
        ["a", 1],
        ["b", 2],
      ],
    );
    const saved = (await runNode("nodetool.data.SaveDataframe", { df: t, name: "sales_%H%M.csv" }, { blobs })) as Ref;
    expect(saved.asset_id).toBeTruthy();
    const stored = blobs.objects.get(saved.uri)!;
    expect(stored.name).toBe("sales_0304.csv");
    expect(stored.contentType).toBe("text/csv");
    expect(new TextDecoder().decode(stored.bytes)).toBe("k,v\na,1\nb,2\n");
    const filtered = (await runNode("nodetool.data.Filter", { df: { type: "dataframe", uri: saved.uri, asset_id: saved.asset_id }, condition: "v > 1" }, { blobs })) as Ref;
    expect(filtered.data).toEqual([["b", 2]]);
  });
});

describe("streams", () => {
  it("ForEachRow and RowIterator emit one record per row with its index", async () => {
    const t = table(
      [
        ["x", "int"],
        ["y", "object"],
      ],
      [
        [1, "a"],
        [2, "b"],
      ],
    );
    for (const [type, handle] of [
      ["nodetool.data.ForEachRow", "row"],
      ["nodetool.data.RowIterator", "dict"],
    ]) {
      const g = graph(
        [
          { id: "n", type, data: { dataframe: t } },
          { id: "rows", type: "test.Collect" },
          { id: "idx", type: "test.Collect" },
          { id: "o1", type: "nodetool.output.Output", data: { name: "rows" } },
          { id: "o2", type: "nodetool.output.Output", data: { name: "idx" } },
        ],
        [
          ["n", handle, "rows", "item"],
          ["n", "index", "idx", "item"],
          ["rows", "output", "o1", "value"],
          ["idx", "output", "o2", "value"],
        ],
      );
      const r = await runWorkflow(g, {}, { registry });
      expect(r.status).toBe("completed");
      expect(r.result.rows).toEqual([
        { x: 1, y: "a" },
        { x: 2, y: "b" },
      ]);
      expect(r.result.idx).toEqual([0, 1]);
    }
  });

  it("FilterNone drops null items from a stream", async () => {
    const g = graph(
      [
        { id: "src", type: "test.Emit" },
        { id: "f", type: "nodetool.data.FilterNone" },
        { id: "c", type: "test.Collect" },
        { id: "o", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["src", "output", "f", "value"],
        ["f", "output", "c", "item"],
        ["c", "output", "o", "value"],
      ],
    );
    const r = await runWorkflow(g, {}, { registry });
    expect(r.status).toBe("completed");
    expect(r.result.out).toEqual([1, "x", 2]);
  });
});

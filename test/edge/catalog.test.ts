import { describe, expect, it } from "vitest";
import { createCoreRegistry } from "../../engine/nodes/index";
import packageJson from "../../package.json";
import { call, errorOf, worker } from "./users";

type Schema = { type?: string | string[]; items?: Schema; enum?: unknown[]; minimum?: number; maximum?: number; default?: unknown; anyOf?: Schema[] };
type Property = { name: string; type: string; title: string; description: string; default?: unknown; min?: number; max?: number; values?: string[]; required: boolean; json_schema: Schema };
type Node = {
  type: string;
  title: string;
  description: string;
  namespace: string;
  kind: string;
  properties: Property[];
  outputs: { name: string; type: string; json_schema: Schema }[];
  is_dynamic: boolean;
  gpu: boolean;
  runs_on: string;
};

const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

/** Whether `value` fits `schema` as far as the catalog's schemas go: type, items, enum and bounds. */
function fits(schema: Schema, value: unknown): boolean {
  const types = [schema.type].flat() as string[];
  const typeOk = types.some((t) => {
    switch (t) {
      case "null":
        return value === null;
      case "array":
        return Array.isArray(value);
      case "object":
        return typeof value === "object" && value !== null && !Array.isArray(value);
      case "integer":
        return Number.isInteger(value);
      case "number":
        return typeof value === "number";
      default:
        return typeof value === t;
    }
  });
  if (!typeOk) return false;
  if (Array.isArray(value) && schema.items) return value.every((v) => fits(schema.items!, v));
  if (schema.enum && value !== null && !schema.enum.includes(value)) return false;
  if (typeof value === "number" && ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum))) return false;
  return true;
}

function hasType(schema: Schema, where: string): void {
  expect(schema, where).toBeTypeOf("object");
  const types = [schema.type].flat();
  expect(types.length, `${where}: a type`).toBeGreaterThan(0);
  for (const t of types) expect(JSON_TYPES.has(t as string), `${where}: '${String(t)}' is a JSON type`).toBe(true);
  if (schema.items) hasType(schema.items, `${where}.items`);
}

async function listNodes(query = ""): Promise<{ nodes: Node[]; count: number }> {
  const res = await call("cat", "GET", `/api/nodes${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { nodes: Node[]; count: number };
}

describe("node catalog", () => {
  it("lists every registered node, in registry order, generated from the declarations", async () => {
    const registry = createCoreRegistry();
    // Types declared only so that a save can refuse them by name (another language's code node) are not listed.
    const runnable = registry.all().filter((d) => d.unsupported === undefined);
    expect(runnable.length).toBeLessThan(registry.size);
    const { nodes, count } = await listNodes();
    expect(count).toBe(runnable.length);
    expect(nodes.map((n) => n.type)).toEqual(runnable.map((d) => d.type));
    for (const node of nodes) {
      const decl = registry.get(node.type)!;
      expect(node.title).toBe(decl.title);
      expect(node.description).toBe(decl.description);
      expect(node.namespace).toBe(node.type.slice(0, node.type.lastIndexOf(".")));
      expect(node.kind).toBe(decl.kind);
      expect(node.gpu).toBe(decl.gpu);
      expect(node.runs_on).toBe(decl.gpu ? "gpu-runner" : "edge");
      expect(node.properties.map((p) => [p.name, p.type])).toEqual(decl.properties.map((p) => [p.name, p.type]));
      expect(node.outputs.map((o) => [o.name, o.type])).toEqual(decl.outputs.map((o) => [o.name, o.type]));
    }
  });

  it("gives every property and output a JSON Schema with a type, that its default, bounds and enum values fit", async () => {
    const { nodes } = await listNodes();
    let checkedDefaults = 0;
    for (const node of nodes) {
      for (const p of node.properties) {
        const where = `${node.type}.${p.name}`;
        hasType(p.json_schema, where);
        expect(p.title, where).not.toBe("");
        if (p.default !== undefined) {
          expect(p.json_schema.default, where).toEqual(p.default);
          expect(fits(p.json_schema, p.default), `${where}: default ${JSON.stringify(p.default)} fits ${JSON.stringify(p.json_schema)}`).toBe(true);
          checkedDefaults++;
        }
        if (p.min !== undefined) expect(p.json_schema.minimum, where).toBe(p.min);
        if (p.max !== undefined) expect(p.json_schema.maximum, where).toBe(p.max);
        if (p.values) {
          expect(p.json_schema.enum, where).toEqual(p.values);
          for (const v of p.values) expect(fits(p.json_schema, v), `${where}: enum value ${v}`).toBe(true);
        }
      }
      for (const o of node.outputs) hasType(o.json_schema, `${node.type} output ${o.name}`);
    }
    expect(checkedDefaults).toBeGreaterThan(100);
  });

  it("reports types, bounds and enums the way clients need them", async () => {
    const res = await call("cat", "GET", "/api/nodes/edge.diagnostics.Ticker");
    expect(res.status).toBe(200);
    const ticker = (await res.json()) as Node;
    const count = ticker.properties.find((p) => p.name === "count")!;
    expect(count).toMatchObject({ type: "int", default: 10, min: 0, max: 1_000_000, json_schema: { type: "integer", default: 10, minimum: 0, maximum: 1_000_000 } });
    expect(ticker.outputs).toEqual([{ name: "output", type: "int", json_schema: { type: "integer" } }]);

    const compare = (await (await call("cat", "GET", "/api/nodes/nodetool.boolean.Compare")).json()) as Node;
    const op = compare.properties.find((p) => p.name === "comparison")!;
    expect(op.values).toContain(">");
    expect(op.json_schema).toMatchObject({ type: "string", enum: op.values });

    const format = (await (await call("cat", "GET", "/api/nodes/nodetool.text.FormatText")).json()) as Node;
    expect(format).toMatchObject({ namespace: "nodetool.text", is_dynamic: true, kind: "node", gpu: false });
    // `any` is spelled out as every JSON type; a null default admits null.
    const output = (await (await call("cat", "GET", "/api/nodes/nodetool.output.StringOutput")).json()) as Node;
    expect(output.properties.find((p) => p.name === "value")!.json_schema.type).toEqual(["string", "null"]);
  });

  it("filters by namespace and by text", async () => {
    const text = await listNodes("?namespace=nodetool.text");
    expect(text.count).toBeGreaterThan(10);
    expect(text.nodes.every((n) => n.namespace === "nodetool.text")).toBe(true);
    const lib = await listNodes("?namespace=lib");
    expect(lib.nodes.map((n) => n.type)).toContain("lib.math.Add");
    expect((await listNodes("?namespace=nodetool.tex")).count).toBe(0);
    const found = await listNodes("?q=ticker");
    expect(found.nodes.map((n) => n.type)).toEqual(["edge.diagnostics.Ticker"]);
  });

  it("answers an unknown node type with 404", async () => {
    for (const type of ["nodetool.text.NoSuchNode", "nothing"]) {
      const res = await call("cat", "GET", `/api/nodes/${type}`);
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ type: "not_found", code: 404 });
    }
  });

  it("answers a malformed query with 422", async () => {
    const res = await call("cat", "GET", `/api/nodes?namespace=${"x".repeat(201)}`);
    expect(res.status).toBe(422);
    expect((await errorOf(res)).type).toBe("validation_error");
  });
});

describe("GET /api/health", () => {
  it("reports the version, what is loaded and the gpu-runners honestly", async () => {
    const res = await call("cat", "GET", "/api/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const examples = (await (await call("cat", "GET", "/api/examples/list")).json()) as { examples: unknown[] };
    expect(body).toMatchObject({
      status: "healthy",
      version: packageJson.version,
      nodes_loaded: createCoreRegistry().all().filter((d) => d.unsupported === undefined).length,
      gpu_nodes: createCoreRegistry().all().filter((d) => d.gpu).length,
      presets_loaded: 0,
      examples_loaded: examples.examples.length,
      runners: { configured: 0, healthy: 0 },
      problems: [],
    });
    expect(Number.isNaN(Date.parse(body.timestamp as string))).toBe(false);
  });
});

describe("catalog auth", () => {
  it("refuses a missing or wrong token on every catalog route", async () => {
    for (const path of ["/api/nodes", "/api/nodes/nodetool.text.FormatText", "/api/health"]) {
      const none = await call(null, "GET", path);
      expect(none.status, path).toBe(401);
      expect((await errorOf(none)).type).toBe("unauthorized");
      const wrong = await worker().fetch(`https://edge.test${path}`, { headers: { Authorization: "Bearer wrong-token" } });
      expect(wrong.status, path).toBe(401);
    }
  });
});

describe("API docs", () => {
  it("serves Swagger UI on /docs without a token, pointed at /openapi.json", async () => {
    const res = await call(null, "GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("SwaggerUIBundle");
    expect(html).toContain("swagger-ui-dist");
    expect(html).toContain("url: '/openapi.json'");
  });

  it("documents the new routes in the OpenAPI document", async () => {
    const doc = (await (await call(null, "GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/nodes",
        "/api/nodes/{type}",
        "/api/health",
        "/api/graph/validate",
        "/api/graph/export",
        "/api/workflows/examples",
        "/api/examples/list",
        "/api/examples/load",
        "/api/examples/{name}/copy",
      ]),
    );
    expect(doc.components.schemas).toHaveProperty("CatalogNode");
    expect(doc.components.schemas).toHaveProperty("ValidateResponse");
  });
});

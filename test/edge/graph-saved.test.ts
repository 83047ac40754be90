import { describe, expect, it } from "vitest";
import { call, echoWorkflow, errorOf } from "./users";

type Workflow = { id: string; name: string; description: string; graph: { nodes: { id: string; type: string }[] }; input_schema: { properties: Record<string, unknown> } };
type Page = { graphs: { id: string; name: string; node_count: number; edge_count: number }[]; next: string | null };

const save = async (user: string | null, body: unknown) => call(user, "POST", "/api/graph/save", body);

describe("saved graphs", () => {
  it("refuse every route without a token", async () => {
    expect((await save(null, echoWorkflow("x"))).status).toBe(401);
    expect((await call(null, "GET", "/api/graph/load/x")).status).toBe(401);
    expect((await call(null, "GET", "/api/graph/list")).status).toBe(401);
  });

  it("save by name, replace the same name, and load by name as the workflow they are", async () => {
    const user = "saver";
    const first = await save(user, { ...echoWorkflow("My graph"), description: "v1", thumbnail: "kept" });
    expect(first.status).toBe(201);
    const created = (await first.json()) as Workflow;
    const second = await save(user, { ...echoWorkflow("My graph"), description: "v2" });
    expect(second.status).toBe(200);
    const replaced = (await second.json()) as Workflow;
    expect(replaced.id).toBe(created.id);
    expect(replaced.description).toBe("v2");

    const loaded = await call(user, "GET", `/api/graph/load/${encodeURIComponent("My graph")}`);
    expect(loaded.status).toBe(200);
    const wf = (await loaded.json()) as Workflow;
    expect(wf).toMatchObject({ id: created.id, name: "My graph", description: "v2" });
    expect(wf.input_schema.properties).toHaveProperty("first name");
    // It is the workflow: the workflow API reads it and runs it by id.
    expect((await call(user, "GET", `/api/workflows/${created.id}`)).status).toBe(200);
    const run = await call(user, "POST", `/api/workflows/${created.id}/run`, { params: { "first name": "Lin" } });
    expect(await run.json()).toEqual({ greeting: "Lin" });
    // A workflow made through /api/workflows loads here by its name too.
    expect((await call(user, "POST", "/api/workflows", echoWorkflow("made elsewhere"))).status).toBe(201);
    expect((await call(user, "GET", "/api/graph/load/made%20elsewhere")).status).toBe(200);
  });

  it("answer 404 for unknown names and for another user's graph", async () => {
    expect((await save("owner-g", echoWorkflow("private"))).status).toBe(201);
    expect((await call("owner-g", "GET", "/api/graph/load/nothing-here")).status).toBe(404);
    const theirs = await call("stranger-g", "GET", "/api/graph/load/private");
    expect(theirs.status).toBe(404);
    expect((await errorOf(theirs)).message).toMatch(/Saved graph 'private' not found/);
    // Saving the same name as another user makes their own graph; the owner's is untouched.
    const mine = (await (await save("stranger-g", { ...echoWorkflow("private"), description: "stranger's" })).json()) as Workflow;
    const owners = (await (await call("owner-g", "GET", "/api/graph/load/private")).json()) as Workflow;
    expect(mine.id).not.toBe(owners.id);
    expect(owners.description).toBe("");
  });

  it("list by name with cursor paging", async () => {
    const user = "lister";
    for (const name of ["one", "two", "three"]) expect((await save(user, echoWorkflow(name))).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(user, "GET", `/api/graph/list?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      expect(page.graphs.length).toBeLessThanOrEqual(2);
      for (const g of page.graphs) expect(g).toMatchObject({ node_count: 2, edge_count: 1 });
      seen.push(...page.graphs.map((g) => g.name));
      cursor = page.next;
    } while (cursor);
    // Every graph exactly once (saves within one millisecond tie on created_at, so the order is not asserted).
    expect(seen.sort()).toEqual(["one", "three", "two"]);
    expect((await call(user, "GET", "/api/graph/list?cursor=not-a-cursor")).status).toBe(400);
    expect(((await (await call("nobody-g", "GET", "/api/graph/list")).json()) as Page).graphs).toEqual([]);
  });

  it("refuse malformed bodies and graphs that cannot run", async () => {
    const user = "bad-saver";
    expect((await save(user, "{oops")).status).toBe(400);
    expect((await save(user, { graph: echoWorkflow().graph })).status).toBe(422); // no name
    expect((await save(user, { name: "   ", graph: echoWorkflow().graph })).status).toBe(422);
    expect((await save(user, { name: "x" })).status).toBe(422); // no graph
    const broken = await save(user, { name: "broken", graph: { nodes: [{ id: "a", type: "nodetool.text.Nope" }], edges: [] } });
    expect(broken.status).toBe(422);
    expect((await errorOf(broken)).message).toMatch(/unknown node type/);
    expect((await call(user, "GET", "/api/graph/load/broken")).status).toBe(404);
  });

  it("export as a Python script that uses only requests", async () => {
    const res = await call("exporter-py", "POST", "/api/graph/export?language=python", { ...echoWorkflow("Say it"), params: { "first name": "Bo" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/x-python/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="run-say-it.py"');
    const source = await res.text();
    expect(source).toMatch(/^#!\/usr\/bin\/env python3\n/);
    expect(source).toContain("import requests");
    expect(source).toContain(`WORKFLOW_ID = "${res.headers.get("x-workflow-id")}"`);
    expect(source).toContain('"first name": "Bo"');
    // Python literals, not JSON ones.
    expect(source).not.toMatch(/: (null|true|false)[,\n]/);
    expect((await call("exporter-py", "POST", "/api/graph/export?language=cobol", echoWorkflow())).status).toBe(422);
  });
});

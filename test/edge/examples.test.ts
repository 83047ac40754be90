import { describe, expect, it } from "vitest";
import helloWorld from "../../examples/hello-world.json";
import { call, errorOf, worker } from "./users";
import { pngBytes } from "./helpers";

type Summary = { name: string; title: string; description: string; tags: string[]; node_types: string[]; input_schema: { properties: Record<string, unknown> }; output_schema: { properties: Record<string, unknown> } };
type Wf = { id: string; name: string; graph: { nodes: { id: string; type: string }[] }; input_schema: { properties: Record<string, Record<string, unknown>> }; output_schema: { properties: Record<string, unknown> }; [k: string]: unknown };

async function summaries(): Promise<Summary[]> {
  const res = await call("ex", "GET", "/api/examples/list");
  expect(res.status).toBe(200);
  return ((await res.json()) as { examples: Summary[] }).examples;
}

describe("examples", () => {
  it("lists the shipped examples: text, branching, lists, math, a progress demo and an LLM one", async () => {
    const list = await summaries();
    const names = list.map((e) => e.name);
    expect(names[0]).toBe("hello-world");
    expect(names).toEqual(expect.arrayContaining(["hello-world", "text-tools", "grade-score", "shopping-list", "temperature", "countdown", "llm-blurb", "image-ocr", "detect-speech"]));
    expect(new Set(names).size).toBe(names.length);
    for (const e of list) {
      expect(e.title, e.name).not.toBe("");
      expect(e.description, e.name).not.toBe("");
      expect(Object.keys(e.output_schema.properties).length, e.name).toBeGreaterThan(0);
      expect(e.node_types.length, e.name).toBeGreaterThan(0);
    }
    const tags = new Set(list.flatMap((e) => e.tags));
    for (const tag of ["text", "branching", "lists", "llm", "ml"]) expect(tags.has(tag), tag).toBe(true);
    expect(list.find((e) => e.name === "llm-blurb")!.node_types).toContain("nodetool.agents.Agent");
  });

  it("lists them as workflow documents on NodeTool's /api/workflows/examples, not as a workflow id", async () => {
    const res = await call("ex", "GET", "/api/workflows/examples");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { workflows: Wf[]; next: null };
    expect(body.next).toBeNull();
    expect(body.workflows.map((w) => w.id)).toEqual((await summaries()).map((e) => e.name));
    const hello = body.workflows.find((w) => w.id === "hello-world")!;
    expect(hello.graph).toEqual(helloWorld.graph);
    expect(hello.input_schema.properties.name).toMatchObject({ type: "string", default: "world" });
  });

  it("loads one example by name, as shipped, with its derived schemas", async () => {
    const res = await call("ex", "GET", "/api/examples/load?name=grade-score");
    expect(res.status).toBe(200);
    const wf = (await res.json()) as Wf;
    expect(wf).toMatchObject({ id: "grade-score", name: "Grade a score" });
    expect(wf.input_schema.properties.score).toMatchObject({ type: "integer", minimum: 0, maximum: 100, default: 72 });
    expect(wf.input_schema.properties["pass mark"]).toMatchObject({ type: "integer", default: 50 });
    expect(Object.keys(wf.output_schema.properties).sort()).toEqual(["passed", "summary"]);
    const hello = (await (await call("ex", "GET", "/api/examples/load?name=hello-world")).json()) as Wf;
    expect(hello.graph).toEqual(helloWorld.graph);
    expect(hello.description).toBe(helloWorld.description);
  });

  it("copies an example into the caller's workflows, where it runs", async () => {
    const res = await call("copier", "POST", "/api/examples/shopping-list/copy");
    expect(res.status).toBe(201);
    const copy = (await res.json()) as Wf;
    expect(copy.id).toMatch(/^[0-9a-f]{32}$/);
    expect(copy.name).toBe("Tidy a shopping list");
    const run = await call("copier", "POST", `/api/workflows/${copy.id}/run`, { params: { items: "pears, figs, pears" } });
    expect(run.status).toBe(200);
    expect(await run.json()).toEqual({ sorted: ["figs", "pears"], count: 2, numbered: "1. figs\n2. pears" });
    // The copy belongs to the caller alone.
    expect((await call("someone-else", "GET", `/api/workflows/${copy.id}`)).status).toBe(404);
  });

  it("copies under a chosen id and name, and replaces that workflow on a second copy", async () => {
    const first = await call("copier", "POST", "/api/examples/temperature/copy", { id: "my-temps", name: "Temps" });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ id: "my-temps", name: "Temps" });
    const again = await call("copier", "POST", "/api/examples/hello-world/copy", { id: "my-temps" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: "my-temps", name: "Hello, world" });
    const run = await call("copier", "POST", "/workflows/my-temps/run", { params: { name: "Ada" } });
    expect(await run.json()).toMatchObject({ status: "completed", results: { greeting: "Hello, Ada! You have 3 letters in your name." } });
  });

  it("runs every example as shipped once copied (LLM and ML ones fail cleanly: this suite has no chat provider or gpu-runner)", async () => {
    const MEDIA_PARAMS: Record<string, Record<string, unknown>> = {
      countdown: { ticks: 3, "interval ms": 0 },
      "image-ocr": { image: { type: "image", uri: `data:image/png;base64,${btoa(String.fromCharCode(...pngBytes(4, 4)))}` } },
      "detect-speech": { audio: { type: "audio", uri: "data:audio/wav;base64,UklGRiQAAABXQVZF" } },
    };
    for (const e of await summaries()) {
      const copy = (await (await call("runner", "POST", `/api/examples/${e.name}/copy`)).json()) as Wf;
      const params = MEDIA_PARAMS[e.name] ?? {};
      const run = await call("runner", "POST", `/workflows/${copy.id}/run`, { params });
      const body = (await run.json()) as { status: string; results: Record<string, unknown>; error?: string };
      if (e.tags.includes("llm")) {
        expect(body, e.name).toMatchObject({ status: "failed", error: expect.stringMatching(/provider/i) });
        continue;
      }
      if (e.tags.includes("ml")) {
        expect(body, e.name).toMatchObject({ status: "failed", error: expect.stringMatching(/no gpu-runner available/) });
        continue;
      }
      expect(body.status, `${e.name}: ${body.error}`).toBe("completed");
      expect(Object.keys(body.results).sort(), e.name).toEqual(Object.keys(e.output_schema.properties).sort());
      for (const [k, v] of Object.entries(body.results)) expect(v, `${e.name}.${k}`).not.toBeNull();
    }
  });

  it("answers an unknown example with 404 on load and copy", async () => {
    for (const [method, path] of [
      ["GET", "/api/examples/load?name=no-such-example"],
      ["POST", "/api/examples/no-such-example/copy"],
    ]) {
      const res = await call("ex", method, path);
      expect(res.status, path).toBe(404);
      expect(await errorOf(res)).toMatchObject({ type: "not_found", message: "Example 'no-such-example' not found" });
    }
  });

  it("answers malformed requests with 400 or 422, and an oversized body with 413", async () => {
    const missing = await call("ex", "GET", "/api/examples/load");
    expect(missing.status).toBe(422);
    expect((await errorOf(missing)).type).toBe("validation_error");
    expect((await call("ex", "GET", "/api/examples/load?name=../etc")).status).toBe(422);
    const malformed = await call("ex", "POST", "/api/examples/hello-world/copy", "{nope", { "Content-Type": "application/json" });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).type).toBe("invalid_request");
    const badId = await call("ex", "POST", "/api/examples/hello-world/copy", { id: "has space" });
    expect(badId.status).toBe(422);
    const badName = await call("ex", "POST", "/api/examples/hello-world/copy", { name: 42 });
    expect(badName.status).toBe(422);
    // The workers suite runs with MAX_BODY_BYTES=65536.
    const big = await call("ex", "POST", "/api/examples/hello-world/copy", { name: "x".repeat(70_000) });
    expect(big.status).toBe(413);
    expect((await errorOf(big)).type).toBe("payload_too_large");
  });

  it("refuses a missing or wrong token on every example route", async () => {
    for (const [method, path] of [
      ["GET", "/api/workflows/examples"],
      ["GET", "/api/examples/list"],
      ["GET", "/api/examples/load?name=hello-world"],
      ["POST", "/api/examples/hello-world/copy"],
    ]) {
      const none = await call(null, method, path);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect((await errorOf(none)).type).toBe("unauthorized");
      const wrong = await worker().fetch(`https://edge.test${path}`, { method, headers: { Authorization: "Bearer wrong" } });
      expect(wrong.status, `${method} ${path}`).toBe(401);
    }
  });
});

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, echoWorkflow, errorOf, tokenFor, worker } from "./users";

type Wf = { id: string; name: string; input_schema: { properties: Record<string, Record<string, unknown>> }; output_schema: { properties: Record<string, unknown> }; [k: string]: unknown };

async function create(user: string, body: unknown = echoWorkflow()): Promise<Wf> {
  const res = await call(user, "POST", "/api/workflows", body);
  expect(res.status).toBe(201);
  return (await res.json()) as Wf;
}

describe("workflow CRUD", () => {
  it("creates, reads, lists, replaces and deletes a workflow", async () => {
    const wf = await create("alice", { ...echoWorkflow("first"), thumbnail: "t.png", package_name: "pkg", html_app: null });
    expect(wf.id).toMatch(/^[0-9a-f]{32}$/);
    expect(wf.thumbnail).toBe("t.png");
    expect(wf.package_name).toBe("pkg");
    expect(wf.input_schema.properties["first name"]).toMatchObject({ type: "string", default: "Ada", label: "first name" });
    expect(Object.keys(wf.output_schema.properties)).toEqual(["greeting"]);

    const got = (await (await call("alice", "GET", `/api/workflows/${wf.id}`)).json()) as Wf;
    expect(got).toEqual(wf);

    const put = await call("alice", "PUT", `/api/workflows/${wf.id}`, { ...echoWorkflow("renamed") });
    expect(put.status).toBe(200);
    const replaced = (await put.json()) as Wf;
    expect(replaced.name).toBe("renamed");
    expect(replaced.created_at).toBe(wf.created_at);
    expect(replaced.thumbnail).toBeUndefined();

    const list = (await (await call("alice", "GET", "/api/workflows")).json()) as { workflows: Wf[]; next: string | null };
    expect(list.workflows.map((w) => w.id)).toContain(wf.id);

    expect((await call("alice", "DELETE", `/api/workflows/${wf.id}`)).status).toBe(204);
    expect((await call("alice", "GET", `/api/workflows/${wf.id}`)).status).toBe(404);
    expect((await call("alice", "DELETE", `/api/workflows/${wf.id}`)).status).toBe(404);
  });

  it("creates with PUT under a client-chosen id", async () => {
    const res = await call("alice", "PUT", "/api/workflows/my-flow.v1", echoWorkflow());
    expect(res.status).toBe(201);
    expect(((await res.json()) as Wf).id).toBe("my-flow.v1");
  });

  it("paginates newest first with an opaque cursor, without gaps or repeats", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create("paula", echoWorkflow(`w${i}`))).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await call("paula", "GET", `/api/workflows/?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).json()) as { workflows: Wf[]; next: string | null };
      expect(page.workflows.length).toBeLessThanOrEqual(2);
      seen.push(...page.workflows.map((w) => w.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const bad = await call("paula", "GET", "/api/workflows?cursor=not-a-cursor");
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).type).toBe("invalid_request");
    expect((await call("paula", "GET", "/api/workflows?limit=501")).status).toBe(422);
    expect((await call("paula", "GET", "/api/workflows?limit=0")).status).toBe(422);
  });

  it("filters the list by run_mode", async () => {
    await create("rita", { ...echoWorkflow("tool"), run_mode: "tool" });
    await create("rita", echoWorkflow("plain"));
    const page = (await (await call("rita", "GET", "/api/workflows?run_mode=tool")).json()) as { workflows: Wf[] };
    expect(page.workflows.map((w) => w.name)).toEqual(["tool"]);
  });
});

describe("workflow auth and ownership", () => {
  it("rejects a missing, malformed, wrongly signed or expired token with 401", async () => {
    expect((await call(null, "GET", "/api/workflows")).status).toBe(401);
    const bad = async (authorization: string) =>
      worker().fetch("https://edge.test/api/workflows", { headers: { Authorization: authorization } });
    for (const header of ["Bearer nonsense", "Basic abc", `Bearer ${await tokenFor("alice", { secret: new TextEncoder().encode("another-secret-entirely-0000000000") })}`, `Bearer ${await tokenFor("alice", { expiresIn: "-1m" })}`]) {
      const res = await bad(header);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).type).toBe("unauthorized");
    }
  });

  it("hides another user's workflow behind 404 on every route, and keeps it intact", async () => {
    const wf = await create("alice");
    for (const [method, path, body] of [
      ["GET", `/api/workflows/${wf.id}`],
      ["PUT", `/api/workflows/${wf.id}`, echoWorkflow("hijack")],
      ["DELETE", `/api/workflows/${wf.id}`],
      ["POST", `/api/workflows/${wf.id}/run`, { params: {} }],
      ["POST", `/workflows/${wf.id}/run`, {}],
      ["POST", `/workflows/${wf.id}/run/stream`, {}],
    ] as [string, string, unknown?][]) {
      const res = await call("mallory", method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(res)).type).toBe("not_found");
    }
    const list = (await (await call("mallory", "GET", "/api/workflows")).json()) as { workflows: Wf[] };
    expect(list.workflows.map((w) => w.id)).not.toContain(wf.id);
    const still = (await (await call("alice", "GET", `/api/workflows/${wf.id}`)).json()) as Wf;
    expect(still.name).toBe("echo");
  });
});

describe("workflow input validation", () => {
  it("answers malformed JSON with 400 and a schema failure with 422 details", async () => {
    const malformed = await call("alice", "POST", "/api/workflows", "{not json", { "Content-Type": "application/json" });
    expect(malformed.status).toBe(400);
    expect(await errorOf(malformed)).toMatchObject({ type: "invalid_request", code: 400 });

    const noGraph = await call("alice", "POST", "/api/workflows", { name: "x" });
    expect(noGraph.status).toBe(422);
    const err = await errorOf(noGraph);
    expect(err.type).toBe("validation_error");
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: "graph" })]));

    const badPut = await call("alice", "PUT", "/api/workflows/x", { graph: { nodes: "nope" } });
    expect(badPut.status).toBe(422);
  });

  it("rejects a body over MAX_BODY_BYTES with 413 and stores nothing", async () => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflows").first<{ n: number }>();
    const huge = { ...echoWorkflow("huge"), description: "x".repeat(70_000) };
    const res = await call("alice", "POST", "/api/workflows", huge);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).type).toBe("payload_too_large");
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflows").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("lists every problem of an invalid graph at once with 422, on create and on upsert", async () => {
    const graph = {
      nodes: [
        { id: "a", type: "nodetool.input.IntegerInput", data: { name: "" } },
        { id: "b", type: "nodetool.does.NotExist" },
        { id: "c", type: "nodetool.output.Output", data: { name: "out" } },
        { id: "d", type: "nodetool.input.ImageInput", data: { name: "pic" } },
      ],
      edges: [{ id: "e", source: "d", sourceHandle: "output", target: "a", targetHandle: "max" }],
    };
    for (const [method, path] of [["POST", "/api/workflows"], ["PUT", "/api/workflows/bad-graph"]]) {
      const res = await call("alice", method, path, { name: "broken", graph });
      expect(res.status).toBe(422);
      const err = await errorOf(res);
      const details = err.details as { node_id: string; message: string }[];
      expect(details.map((d) => d.node_id).sort()).toEqual(["a", "b", "c"]);
      expect(details.find((d) => d.node_id === "b")?.message).toMatch(/unknown node type/);
      expect(details.find((d) => d.node_id === "a")?.message).toMatch(/type mismatch/);
      expect(details.find((d) => d.node_id === "c")?.message).toMatch(/required input 'value'/);
    }
    expect((await call("alice", "GET", "/api/workflows/bad-graph")).status).toBe(404);
  });

  it("answers an unknown id with 404", async () => {
    const res = await call("alice", "GET", "/api/workflows/0123456789abcdef0123456789abcdef");
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ type: "not_found", code: 404 });
  });
});

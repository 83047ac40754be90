import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../edge/config/env";
import { saved } from "./helpers";
import { call } from "./users";

const vectors = () => (env as unknown as Env).VECTORS;

function indexWorkflow(collection: string, id: string, embedding: number[], document_metadata: Record<string, unknown>) {
  return {
    name: `index ${id}`,
    graph: {
      nodes: [
        { id: "ix", type: "vector.chroma.IndexEmbedding", data: { collection: { type: "collection", name: collection }, embedding: { type: "np_array", value: embedding, dtype: "<f4", shape: [embedding.length] }, index_id: id, metadata: document_metadata } },
      ],
      edges: [],
    },
  };
}

function countWorkflow(collection: string) {
  return {
    name: "count",
    graph: {
      nodes: [
        { id: "c", type: "vector.chroma.Count", data: { collection: { type: "collection", name: collection } } },
        { id: "o", type: "nodetool.output.Output", data: { name: "count" } },
      ],
      edges: [{ source: "c", sourceHandle: "output", target: "o", targetHandle: "value" }],
    },
  };
}

describe("vector collections in Durable Objects", () => {
  it("stores what a workflow indexes in the user's own collection, with SQLite-backed search", async () => {
    for (const [id, e] of [["a", [1, 0, 0]], ["b", [0, 1, 0]], ["c", [0.9, 0.1, 0]]] as [string, number[]][]) {
      const wf = await saved("vera", indexWorkflow("notes", id, e, { name: id }));
      const res = await call("vera", "POST", `/workflows/${wf}/run`, {});
      expect(await res.json()).toMatchObject({ status: "completed" });
    }
    const count = await saved("vera", countWorkflow("notes"));
    expect(await (await call("vera", "POST", `/api/workflows/${count}/run`, {})).json()).toEqual({ count: 3 });

    // The same name is another collection for another user.
    const other = await saved("walt", countWorkflow("notes"));
    const body = (await (await call("walt", "POST", `/workflows/${other}/run`, {})).json()) as { status: string; error: string };
    expect(body.status).toBe("failed");
    expect(body.error).toMatch(/Collection 'notes' does not exist/);

    const stub = vectors().get(vectors().idFromName("vera\nnotes"));
    const hits = await stub.query("notes", { embedding: [1, 0, 0], n: 2 });
    expect(hits.map((h) => h.id)).toEqual(["a", "c"]);
    expect(hits[0]).toMatchObject({ distance: 0, metadata: { name: "a" } });
    expect(hits[1].distance).toBeCloseTo(0.02, 5);
  });

  it("keeps Chroma's add/upsert rules and keyword filter in SQLite", async () => {
    const stub = vectors().get(vectors().idFromName("vera\nrules"));
    await stub.getOrCreate("rules", { "hnsw:space": "cosine", embedding_model: "m" });
    expect(await stub.add("rules", [{ id: "x", embedding: [1, 0], document: "Alpha beta" }, { id: "y", embedding: [0, 1], document: "gamma" }], false)).toBe(2);
    expect(await stub.add("rules", [{ id: "x", embedding: [0, 1], document: "changed" }], false)).toBe(0);
    expect((await stub.get("rules", { ids: ["x"], limit: 10, offset: 0 }))[0].document).toBe("Alpha beta");
    expect(await stub.add("rules", [{ id: "x", embedding: [0, 1], document: "alpha again" }], true)).toBe(1);
    expect((await stub.get("rules", { limit: 10, offset: 0 })).map((r) => r.id)).toEqual(["x", "y"]);
    const filtered = await stub.query("rules", { embedding: [1, 0], n: 5, contains: ["alpha"] });
    expect(filtered.map((h) => h.id)).toEqual(["x"]);
    expect(filtered[0].distance).toBeCloseTo(1, 6);
    const mismatch = await stub.query("rules", { embedding: [1, 0, 0], n: 1 }).then(
      () => "no error",
      (err: Error) => err.message,
    );
    expect(mismatch).toMatch(/dimension 3 does not match collection dimensionality 2/);
    expect(await stub.info("rules")).toMatchObject({ name: "rules", count: 2, dimension: 2, space: "cosine", metadata: { embedding_model: "m" } });
  });
});

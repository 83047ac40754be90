import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAIEmbeddingService } from "../../engine/embeddings/client";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { constantNodes } from "../../engine/nodes/constant";
import { outputNodes } from "../../engine/nodes/output";
import { vectorNodes } from "../../engine/nodes/vector";
import { NodeRegistry } from "../../engine/registry/registry";
import type { EngineServices } from "../../engine/registry/types";
import { CollectionCore } from "../../engine/vectors/collection-core";
import { MemoryVectorStore } from "../../engine/vectors/memory-store";
import { MAX_DIMENSION } from "../../engine/vectors/store";
import { GraphSchema, type Graph } from "../../schema/workflow";

const registry = new NodeRegistry([...outputNodes, ...constantNodes, ...vectorNodes]);

// A real OpenAI-protocol embeddings server on loopback: a text's embedding counts the words of a small vocabulary.
const VOCAB = ["cat", "dog", "fish", "bird", "tree", "car"];
function embed(text: string): number[] {
  const words = text.toLowerCase().split(/\W+/);
  return VOCAB.map((w) => words.filter((x) => x === w).length + 0.01);
}
const requests: { model: string; input: string[]; auth?: string }[] = [];
let server: Server;
let baseUrl = "";

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.on("data", (c) => (s += c));
    req.on("end", () => resolve(s));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const payload = JSON.parse(await body(req)) as { model: string; input: string[] | string };
    const input = Array.isArray(payload.input) ? payload.input : [payload.input];
    requests.push({ model: payload.model, input, auth: req.headers.authorization });
    if (req.url !== "/v1/embeddings" || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    if (payload.model === "missing-model") {
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: "model 'missing-model' not found", type: "invalid_request_error" } }));
      return;
    }
    const data = input.map((t, index) => ({ object: "embedding", index, embedding: embed(t) })).reverse();
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ object: "list", data, model: payload.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function services(store = new MemoryVectorStore()): Partial<EngineServices> {
  const settings = { providers: [{ name: "local", kind: "openai" as const, baseUrl, apiKey: "sk-test-secret-key" }], aliases: {}, problems: [] };
  return { vectors: store, embeddings: new OpenAIEmbeddingService(settings) };
}

type N = { id: string; type: string; data?: Record<string, unknown> };
function graphOf(nodes: N[], edges: [string, string, string, string][] = []): Graph {
  return GraphSchema.parse({ nodes, edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })) });
}

async function runNodes(svc: Partial<EngineServices>, nodes: N[], edges: [string, string, string, string][] = []) {
  return runWorkflow(graphOf(nodes, edges), {}, { registry, services: svc });
}

/** Runs one node and collects the named outputs. */
async function one(svc: Partial<EngineServices>, type: string, data: Record<string, unknown>, handles: string[] = []) {
  const r = await runNodes(
    svc,
    [{ id: "n", type, data }, ...handles.map((h) => ({ id: `o_${h}`, type: "nodetool.output.Output", data: { name: h } }))],
    handles.map((h) => ["n", h, `o_${h}`, "value"] as [string, string, string, string]),
  );
  if (r.status !== "completed") throw new Error(r.error);
  return r.result;
}

const papers = { type: "collection", name: "papers" };

async function indexed(): Promise<Partial<EngineServices>> {
  const svc = services();
  await one(svc, "vector.chroma.Collection", { name: "papers", embedding_model: { type: "llama_model", repo_id: "nomic-embed-text:latest" } });
  const docs: [string, string][] = [
    ["d1", "the cat sat by the tree"],
    ["d2", "a dog and a cat"],
    ["d3", "fish swim, bird flies"],
    ["d4", "car car car"],
  ];
  for (const [id, text] of docs) await one(svc, "vector.chroma.IndexTextChunk", { collection: papers, document_id: id, text, metadata: { source: id, tags: ["x"] } });
  return svc;
}

describe("vector.chroma with embeddings from an OpenAI-compatible server", () => {
  it("indexes text with the collection's model and queries by similarity, results sorted by id", async () => {
    requests.length = 0;
    const svc = await indexed();
    expect(requests[0]).toMatchObject({ model: "nomic-embed-text:latest", input: ["the cat sat by the tree"], auth: "Bearer sk-test-secret-key" });
    const r = await one(svc, "vector.chroma.QueryText", { collection: papers, text: "cat", n_results: 2 }, ["ids", "documents", "metadatas", "distances"]);
    expect(r.ids).toEqual(["d1", "d2"]);
    expect(r.documents).toEqual(["the cat sat by the tree", "a dog and a cat"]);
    expect(r.metadatas).toEqual([{ source: "d1", tags: '["x"]' }, { source: "d2", tags: '["x"]' }]);
    // Squared L2 between [1.01, .01, ...] and d1 = [1.01, .01, .01, .01, 1.01, .01]: 1.
    expect((r.distances as number[])[0]).toBeCloseTo(1, 4);
    expect(await one(svc, "vector.chroma.Count", { collection: papers }, ["output"])).toEqual({ output: 4 });
    expect(await one(svc, "vector.chroma.Peek", { collection: papers, limit: 2 }, ["output"])).toEqual({ output: ["the cat sat by the tree", "a dog and a cat"] });
    expect(await one(svc, "vector.chroma.GetDocuments", { collection: papers, ids: ["d4", "d3"] }, ["output"])).toEqual({ output: ["fish swim, bird flies", "car car car"] });
  });

  it("fuses semantic and keyword ranks with reciprocal rank fusion", async () => {
    const svc = await indexed();
    const r = await one(svc, "vector.chroma.HybridSearch", { collection: papers, text: "Dog, fish", n_results: 3, k_constant: 60, min_keyword_length: 3 }, ["ids", "scores", "distances"]);
    // Semantic ranks (n*2 = 6 wanted, 4 exist): d2 and d3 tie at distance 1 (insertion order), then d1, d4.
    // Keyword leg (documents containing "dog" or "fish", case-sensitively): d2, d3.
    expect(r.ids).toEqual(["d2", "d3", "d1"]);
    expect(r.scores).toEqual([1 / 60 + 1 / 60, 1 / 61 + 1 / 61, 1 / 62]);
  });

  it("adds an embedding directly, skips existing ids, and checks the dimension", async () => {
    const svc = services();
    await one(svc, "vector.chroma.IndexEmbedding", { collection: papers, embedding: { type: "np_array", value: [1, 0, 0], dtype: "<f4", shape: [3] }, index_id: "a", metadata: { k: 1 } });
    await one(svc, "vector.chroma.IndexEmbedding", { collection: papers, embedding: [[0, 1, 0], [0, 0, 1]], index_id: ["a", "b"], metadata: [{ k: 2 }, { k: 3 }] });
    expect(await one(svc, "vector.chroma.Count", { collection: papers }, ["output"])).toEqual({ output: 2 });
    const store = svc.vectors!;
    expect((await store.collection("papers").get({ ids: ["a"], limit: 10, offset: 0 }))[0].metadata).toEqual({ k: 1 });
    const bad = await runNodes(svc, [{ id: "n", type: "vector.chroma.IndexEmbedding", data: { collection: papers, embedding: [1, 2], index_id: "c" } }]);
    expect(bad.error).toMatch(/Embedding dimension 2 does not match collection dimensionality 3/);
  });

  it("aggregates chunk embeddings (mean) into one record", async () => {
    const svc = services();
    await one(svc, "vector.chroma.IndexAggregatedText", { collection: papers, document: "pets", document_id: "p", text_chunks: ["cat", { type: "text_chunk", text: "dog dog" }], aggregation: "mean" });
    const q = await svc.vectors!.collection("papers").query({ embedding: [0.51, 1.01, 0.01, 0.01, 0.01, 0.01], n: 1 });
    expect(q[0]).toMatchObject({ id: "p", document: "pets" });
    expect(q[0].distance).toBeCloseTo(0, 5);
  });

  it("reports a provider error without leaking the key, and a missing collection clearly", async () => {
    const svc = services();
    await one(svc, "vector.chroma.Collection", { name: "m", embedding_model: { repo_id: "missing-model" } });
    const r = await runNodes(svc, [{ id: "n", type: "vector.chroma.IndexString", data: { collection: { name: "m" }, text: "x", document_id: "1" } }]);
    expect(r.error).toMatch(/embeddings request to provider 'local' \(model 'missing-model'\) failed with HTTP 404: model 'missing-model' not found/);
    expect(r.error).not.toContain("sk-test-secret-key");
    const q = await runNodes(svc, [{ id: "n", type: "vector.chroma.QueryText", data: { collection: { name: "nowhere" }, text: "x" } }]);
    expect(q.error).toMatch(/Collection 'nowhere' does not exist/);
  });

  it("removes overlapping words between consecutive strings", async () => {
    const r = await one(svc0(), "vector.chroma.RemoveOverlap", { documents: ["the quick brown fox", "brown fox jumps over", "over", "a new start"], min_overlap_words: 2 }, ["documents"]);
    expect(r.documents).toEqual(["the quick brown fox", "jumps over", "over", "a new start"]);
  });

  it("bounds dimensions", () => {
    const core = new CollectionCore(new (class {
      meta: never | null = null;
      readMeta() { return this.meta; }
      writeMeta(m: never) { this.meta = m; }
      count() { return 0; }
      has() { return false; }
      put() {}
      page() { return []; }
      byIds() { return []; }
      vectors() { return []; }
      idsContaining() { return new Set<string>(); }
    })(), "big");
    expect(() => core.add([{ id: "x", embedding: new Array(MAX_DIMENSION + 1).fill(0) }], false)).toThrow(/at most 4096 dimensions/);
  });
});

function svc0() {
  return services();
}

describe("vector.faiss", () => {
  const vectors = { type: "np_array", value: [[0, 0], [1, 0], [0, 1], [5, 5]], dtype: "<f4", shape: [4, 2] };

  async function faiss(create: N, steps: N[], query: unknown, k = 2, nprobe = 1) {
    const nodes: N[] = [create, ...steps, { id: "s", type: "vector.faiss.Search", data: { query, k, nprobe } }, { id: "od", type: "nodetool.output.Output", data: { name: "d" } }, { id: "oi", type: "nodetool.output.Output", data: { name: "i" } }];
    const chain = [create.id, ...steps.map((s) => s.id), "s"];
    const edges: [string, string, string, string][] = chain.slice(1).map((id, i) => [chain[i], "output", id, "index"]);
    edges.push(["s", "distances", "od", "value"], ["s", "indices", "oi", "value"]);
    const r = await runNodes({}, nodes, edges);
    if (r.status !== "completed") throw new Error(r.error);
    return r.result as { d: { value: number[][]; shape: number[] }; i: { value: number[][]; dtype: string } };
  }

  it("searches a flat L2 index with squared distances and pads missing results", async () => {
    const r = await faiss({ id: "c", type: "vector.faiss.CreateIndexFlatL2", data: { dim: 2 } }, [{ id: "a", type: "vector.faiss.AddVectors", data: { vectors } }], [[0.9, 0.1]], 5);
    expect(r.i.value).toEqual([[1, 0, 2, 3, -1]]);
    expect(r.d.value[0].slice(0, 3).map((x) => +x.toFixed(4))).toEqual([0.02, 0.82, 1.62]);
    expect(r.d.value[0][4]).toBe(3.4028234663852886e38);
    expect(r.i.dtype).toBe("<i8");
  });

  it("ranks an inner-product index by largest score, with explicit ids", async () => {
    const r = await faiss({ id: "c", type: "vector.faiss.CreateIndexFlatIP", data: { dim: 2 } }, [{ id: "a", type: "vector.faiss.AddWithIds", data: { vectors, ids: { type: "np_array", value: [10, 11, 12, 13], dtype: "<i8", shape: [4] } } }], [[1, 0]], 2);
    expect(r.i.value).toEqual([[13, 11]]);
    expect(r.d.value).toEqual([[5, 1]]);
  });

  it("trains an IVF index, refuses adds before training, and probes the nearest lists", async () => {
    const untrained = await runNodes({}, [
      { id: "c", type: "vector.faiss.CreateIndexIVFFlat", data: { dim: 2, nlist: 2 } },
      { id: "a", type: "vector.faiss.AddVectors", data: { vectors } },
    ], [["c", "output", "a", "index"]]);
    expect(untrained.error).toMatch(/must be trained before adding vectors/);
    const cluster = { type: "np_array", value: [[0, 0], [0.1, 0], [0, 0.1], [10, 10], [10.1, 10], [10, 10.1]], dtype: "<f4", shape: [6, 2] };
    const steps: N[] = [{ id: "t", type: "vector.faiss.TrainIndex", data: { vectors: cluster } }, { id: "a", type: "vector.faiss.AddVectors", data: { vectors: cluster } }];
    const one = await faiss({ id: "c", type: "vector.faiss.CreateIndexIVFFlat", data: { dim: 2, nlist: 2 } }, steps, [[9, 9]], 4, 1);
    // nprobe 1 visits only the far cluster: three hits, then padding.
    expect(one.i.value).toEqual([[3, 4, 5, -1]]);
    const both = await faiss({ id: "c", type: "vector.faiss.CreateIndexIVFFlat", data: { dim: 2, nlist: 2 } }, steps, [[9, 9]], 4, 2);
    expect(both.i.value[0]).toEqual([3, 4, 5, 1]);
  });
});

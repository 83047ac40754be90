import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl, Outputs } from "../registry/types";
import { isRecord, toInt, toList, toNumber, toText } from "../values/coerce";
import { flattenMetadata, keywordTokens, removeOverlap, toRows } from "../vectors/arrays";
import { MAX_BATCH, MAX_DIMENSION, type QueryHit, type VectorCollection, type VectorRecord } from "../vectors/store";
import { faissNodes } from "./vector-faiss";

// NodeTool: packages/base-nodes/src/nodes/vector-chroma.ts and nodetool-base src/nodetool/nodes/vector/chroma.py.
// Collections live in the host's vector store (engine/vectors/store.ts); texts are embedded with the model the
// collection was created with (its `embedding_model` metadata, as NodeTool keeps it) through the configured
// OpenAI-compatible providers, or the server's default embedding model when the collection names none.
// IndexImage and QueryImage are not declared: they need an image embedding model (Chroma's OpenCLIP), which
// OpenAI's embeddings protocol does not offer.

const COLLECTION = prop("collection", "collection", { type: "collection", name: "" }, { description: "The collection" });

function collectionName(value: unknown): string {
  const name = isRecord(value) ? value.name : value;
  const text = typeof name === "string" ? name.trim() : "";
  if (text === "") throw new Error("Collection name cannot be empty");
  return text;
}

function collectionOf(inputs: Inputs, ctx: NodeContext): VectorCollection {
  const store = ctx.services.vectors;
  if (!store) throw new Error("this server offers no vector store");
  return store.collection(collectionName(inputs.collection));
}

async function embedTexts(collection: VectorCollection, texts: string[], ctx: NodeContext): Promise<number[][]> {
  const service = ctx.services.embeddings;
  if (!service) throw new Error("no embedding provider is configured on this server");
  const info = await collection.info();
  const model = info && typeof info.metadata.embedding_model === "string" ? info.metadata.embedding_model : "";
  return service.embed(model, texts, ctx.signal);
}

/** Chroma query results as NodeTool returns them. */
function hitOutputs(hits: QueryHit[]): Outputs {
  return {
    ids: hits.map((h) => h.id),
    documents: hits.map((h) => h.document ?? ""),
    metadatas: hits.map((h) => h.metadata ?? {}),
    distances: hits.map((h) => h.distance),
  };
}

const QUERY_OUTPUTS = [out("ids", "list[str]"), out("documents", "list[str]"), out("metadatas", "list[dict]"), out("distances", "list[float]")];

function nResults(value: unknown, name = "n_results"): number {
  const n = toInt(value, name);
  if (n < 1) throw new Error(`${name} must be at least 1, got ${n}`);
  return n;
}

async function addOne(inputs: Inputs, ctx: NodeContext, text: string, document: string, metadata: unknown): Promise<Outputs> {
  const documentId = toText(inputs.document_id ?? "");
  if (documentId.trim() === "") throw new Error("The document ID cannot be empty");
  const collection = collectionOf(inputs, ctx);
  const [embedding] = await embedTexts(collection, [text], ctx);
  await collection.add([{ id: documentId, embedding, document, metadata: flattenMetadata(metadata) }], false);
  return {};
}

export const chromaNodes: readonly NodeDecl[] = [
  defineNode({
    type: "vector.chroma.Collection",
    description: "Get or create a named vector database collection for storing embeddings.\n    vector, embedding, collection, RAG, get, create, chroma",
    properties: [
      prop("name", "str", "", { description: "The name of the collection to create" }),
      prop("embedding_model", "llama_model", { type: "llama_model", name: "", repo_id: "", modified_at: "", size: 0, digest: "", details: {} }, { description: "Model to use for embedding (an embeddings model of a configured provider)" }),
    ],
    outputs: [out("output", "collection")],
    process: async (inputs, ctx) => {
      const name = collectionName(inputs.name);
      const model = isRecord(inputs.embedding_model) ? toText(inputs.embedding_model.repo_id || inputs.embedding_model.name || "") : toText(inputs.embedding_model ?? "");
      const store = ctx.services.vectors;
      if (!store) throw new Error("this server offers no vector store");
      await store.collection(name).getOrCreate({ embedding_model: model });
      return { output: { type: "collection", name } };
    },
  }),
  defineNode({
    type: "vector.chroma.Count",
    description: "Count the number of documents in a collection.\n    vector, embedding, collection, RAG, chroma",
    properties: [COLLECTION],
    outputs: [out("output", "int")],
    process: async (inputs, ctx) => {
      const info = await collectionOf(inputs, ctx).info();
      if (!info) throw new Error(`Collection '${collectionName(inputs.collection)}' does not exist`);
      return { output: info.count };
    },
  }),
  defineNode({
    type: "vector.chroma.GetDocuments",
    description: "Get documents from a chroma collection.\n    vector, embedding, collection, RAG, retrieve, chroma",
    properties: [COLLECTION, prop("ids", "list[str]", [], { description: "The ids of the documents to get" }), prop("limit", "int", 100), prop("offset", "int", 0)],
    outputs: [out("output", "list[str]")],
    process: async (inputs, ctx) => {
      const records = await collectionOf(inputs, ctx).get({ ids: toList(inputs.ids ?? []).map((v) => toText(v)), limit: toInt(inputs.limit ?? 100, "limit"), offset: toInt(inputs.offset ?? 0, "offset") });
      return { output: records.map((r) => r.document ?? "") };
    },
  }),
  defineNode({
    type: "vector.chroma.Peek",
    description: "Peek at the documents in a collection.\n    vector, embedding, collection, RAG, preview, chroma",
    properties: [COLLECTION, prop("limit", "int", 100)],
    outputs: [out("output", "list[str]")],
    process: async (inputs, ctx) => {
      const records = await collectionOf(inputs, ctx).get({ limit: toInt(inputs.limit ?? 100, "limit"), offset: 0 });
      return { output: records.map((r) => r.document ?? "") };
    },
  }),
  defineNode({
    type: "vector.chroma.IndexEmbedding",
    description:
      "Index a single embedding vector into a Chroma collection with optional metadata. Creates a searchable entry that can be queried for similarity matching.\n    vector, index, embedding, chroma, storage, RAG",
    properties: [
      COLLECTION,
      prop("embedding", "np_array", { type: "np_array", value: null, dtype: "<i8", shape: [1] }),
      prop("index_id", "str|list[str]", "", { description: "The ID (or IDs, one per row) to associate with the embedding" }),
      prop("metadata", "dict|list[dict]", {}),
    ],
    outputs: [],
    process: async (inputs, ctx) => {
      const rows = toRows(inputs.embedding, "The embedding", MAX_BATCH * MAX_DIMENSION);
      const ids = Array.isArray(inputs.index_id) ? inputs.index_id.map((v) => toText(v)) : [toText(inputs.index_id ?? "")];
      if (ids.length === 0) throw new Error("The IDs list cannot be empty");
      if (ids.some((id) => id.trim() === "")) throw new Error("The ID cannot be empty");
      // NodeTool: one id takes the first row; a list of ids takes one row each.
      const vectors = Array.isArray(inputs.index_id) ? rows : rows.slice(0, 1);
      if (vectors.length !== ids.length) throw new Error(`Number of IDs (${ids.length}) must match number of embeddings (${vectors.length})`);
      const metas = Array.isArray(inputs.metadata) ? inputs.metadata : ids.map(() => inputs.metadata);
      if (metas.length !== ids.length) throw new Error(`Number of IDs (${ids.length}) must match number of metadatas (${metas.length})`);
      const records: VectorRecord[] = ids.map((id, i) => ({ id, embedding: vectors[i], metadata: flattenMetadata(metas[i]) }));
      await collectionOf(inputs, ctx).add(records, false);
      return {};
    },
  }),
  defineNode({
    type: "vector.chroma.IndexTextChunk",
    description: "Index a single text chunk.\n    vector, embedding, collection, RAG, index, text, chunk, chroma",
    properties: [COLLECTION, prop("document_id", "str", ""), prop("text", "str", ""), prop("metadata", "dict", {})],
    outputs: [],
    process: (inputs, ctx) => {
      const text = toText(inputs.text ?? "");
      return addOne(inputs, ctx, text, text, inputs.metadata);
    },
  }),
  defineNode({
    type: "vector.chroma.IndexString",
    description: "Index a string with a Document ID to a collection.\n    vector, embedding, collection, RAG, index, text, string, chroma",
    properties: [COLLECTION, prop("text", "str", ""), prop("document_id", "str", ""), prop("metadata", "dict", {})],
    outputs: [],
    // NodeTool indexes the text and id only; the metadata property is not stored.
    process: (inputs, ctx) => {
      const text = toText(inputs.text ?? "");
      return addOne(inputs, ctx, text, text, {});
    },
  }),
  defineNode({
    type: "vector.chroma.IndexAggregatedText",
    description: "Index multiple text chunks at once with aggregated embeddings.\n    vector, embedding, collection, RAG, index, text, chunk, batch, chroma",
    properties: [
      COLLECTION,
      prop("document", "str", ""),
      prop("document_id", "str", ""),
      prop("metadata", "dict", {}),
      prop("text_chunks", "list[text_chunk|str]", []),
      prop("aggregation", "enum", "mean", { values: ["mean", "max", "min", "sum"] }),
    ],
    outputs: [],
    process: async (inputs, ctx) => {
      const documentId = toText(inputs.document_id ?? "");
      const document = toText(inputs.document ?? "");
      if (documentId.trim() === "") throw new Error("The document ID cannot be empty");
      if (document.trim() === "") throw new Error("The document cannot be empty");
      const chunks = toList(inputs.text_chunks ?? []).map((c) => (isRecord(c) ? toText(c.text ?? "") : toText(c)));
      if (chunks.length === 0) throw new Error("The text chunks cannot be empty");
      const collection = collectionOf(inputs, ctx);
      const vectors = await embedTexts(collection, chunks, ctx);
      const aggregation = toText(inputs.aggregation ?? "mean");
      const dim = vectors[0].length;
      if (vectors.some((v) => v.length !== dim)) throw new Error("the chunks' embeddings differ in length");
      const pick: Record<string, (xs: number[]) => number> = {
        mean: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
        sum: (xs) => xs.reduce((a, b) => a + b, 0),
        max: (xs) => Math.max(...xs),
        min: (xs) => Math.min(...xs),
      };
      const combine = pick[aggregation];
      if (!combine) throw new Error(`Invalid aggregation method: ${aggregation}`);
      const embedding = Array.from({ length: dim }, (_, i) => combine(vectors.map((v) => v[i])));
      await collection.add([{ id: documentId, embedding, document, metadata: flattenMetadata(inputs.metadata) }], false);
      return {};
    },
  }),
  defineNode({
    type: "vector.chroma.QueryText",
    description: "Query the index for similar text.\n    vector, RAG, query, text, search, similarity, chroma",
    properties: [COLLECTION, prop("text", "str", ""), prop("n_results", "int", 1)],
    outputs: QUERY_OUTPUTS,
    process: async (inputs, ctx) => {
      const collection = collectionOf(inputs, ctx);
      const n = nResults(inputs.n_results ?? 1);
      const [embedding] = await embedTexts(collection, [toText(inputs.text ?? "")], ctx);
      const hits = await collection.query({ embedding, n });
      // NodeTool sorts the results by id, not by distance.
      return hitOutputs([...hits].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    },
  }),
  defineNode({
    type: "vector.chroma.HybridSearch",
    description:
      "Hybrid search combining semantic and keyword-based search for better retrieval. Uses reciprocal rank fusion to combine results from both methods.\n    vector, RAG, query, semantic, text, similarity, chroma",
    properties: [COLLECTION, prop("text", "str", ""), prop("n_results", "int", 5), prop("k_constant", "float", 60.0), prop("min_keyword_length", "int", 3)],
    outputs: [...QUERY_OUTPUTS, out("scores", "list[float]")],
    process: async (inputs, ctx) => {
      const text = toText(inputs.text ?? "");
      if (text.trim() === "") throw new Error("Search text cannot be empty");
      const n = nResults(inputs.n_results ?? 5);
      const k = toNumber(inputs.k_constant ?? 60, "k_constant");
      const collection = collectionOf(inputs, ctx);
      const [embedding] = await embedTexts(collection, [text], ctx);
      const semantic = await collection.query({ embedding, n: n * 2 });
      // The keyword leg is the same vector query restricted to documents containing a token ($contains / $or);
      // without tokens NodeTool reuses the semantic results, so each counts twice.
      const tokens = keywordTokens(text, toInt(inputs.min_keyword_length ?? 3, "min_keyword_length"));
      const keyword = tokens.length > 0 ? await collection.query({ embedding, n: n * 2, contains: tokens }) : semantic;
      // Reciprocal rank fusion: 1 / (rank + k), ranks from 0, summed over both lists.
      const fused = new Map<string, { hit: QueryHit; score: number }>();
      for (const list of [semantic, keyword]) {
        list.forEach((hit, rank) => {
          const entry = fused.get(hit.id);
          if (entry) entry.score += 1 / (rank + k);
          else fused.set(hit.id, { hit, score: 1 / (rank + k) });
        });
      }
      const best = [...fused.values()].sort((a, b) => b.score - a.score).slice(0, n);
      return { ...hitOutputs(best.map((b) => b.hit)), scores: best.map((b) => b.score) };
    },
  }),
  defineNode({
    type: "vector.chroma.RemoveOverlap",
    description:
      "Removes overlapping words between consecutive strings in a list. Splits text into words and matches word sequences for more accurate overlap detection.\n    vector, RAG, query, text, processing, overlap, deduplication",
    properties: [prop("documents", "list[str]", []), prop("min_overlap_words", "int", 2)],
    outputs: [out("documents", "list[str]")],
    process: (inputs) => {
      const docs = toList(inputs.documents ?? []).map((d) => toText(d));
      return { documents: removeOverlap(docs, toInt(inputs.min_overlap_words ?? 2, "min_overlap_words")) };
    },
  }),
];

export const vectorNodes: readonly NodeDecl[] = [...chromaNodes, ...faissNodes];

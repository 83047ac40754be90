import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toInt, toText } from "../values/coerce";
import { npArray, toRows } from "../vectors/arrays";
import { add, createIndex, search, train } from "../vectors/faiss";
import { MAX_STORED_NUMBERS } from "../vectors/store";

// NodeTool: packages/base-nodes/src/nodes/vector-faiss.ts and nodetool-base src/nodetool/nodes/vector/faiss.py.
// The index is a JSON value (engine/vectors/faiss.ts) computed exactly, rather than a native FAISS object.

const INDEX = prop("index", "faiss_index", { type: "faiss_index", index: null }, { description: "FAISS index" });
const NP_DEFAULT = { type: "np_array", value: null, dtype: "<i8", shape: [1] };
const INDEX_OUT = [out("output", "faiss_index")];

function dimOf(value: unknown): number {
  return toInt(value ?? 768, "dim");
}

export const faissNodes: readonly NodeDecl[] = [
  defineNode({
    type: "vector.faiss.CreateIndexFlatL2",
    title: "Create Index Flat L2",
    description: "Create a FAISS IndexFlatL2.\n    faiss, index, l2, create",
    properties: [prop("dim", "int", 768, { min: 1, description: "Embedding dimensionality" })],
    outputs: INDEX_OUT,
    process: (inputs) => ({ output: createIndex("flat", "L2", dimOf(inputs.dim)) }),
  }),
  defineNode({
    type: "vector.faiss.CreateIndexFlatIP",
    title: "Create Index Flat IP",
    description: "Create a FAISS IndexFlatIP (inner product / cosine with normalized vectors).\n    faiss, index, ip, create",
    properties: [prop("dim", "int", 768, { min: 1, description: "Embedding dimensionality" })],
    outputs: INDEX_OUT,
    process: (inputs) => ({ output: createIndex("flat", "IP", dimOf(inputs.dim)) }),
  }),
  defineNode({
    type: "vector.faiss.CreateIndexIVFFlat",
    title: "Create Index IVFFlat",
    description: "Create a FAISS IndexIVFFlat (inverted file index with flat quantizer).\n    faiss, index, ivf, create",
    properties: [
      prop("dim", "int", 768, { min: 1, description: "Embedding dimensionality" }),
      prop("nlist", "int", 1024, { min: 1, description: "Number of Voronoi cells" }),
      prop("metric", "enum", "L2", { values: ["L2", "IP"], description: "Distance metric" }),
    ],
    outputs: INDEX_OUT,
    process: (inputs) => {
      const metric = toText(inputs.metric ?? "L2");
      if (metric !== "L2" && metric !== "IP") throw new Error(`metric must be "L2" or "IP", got "${metric}"`);
      return { output: createIndex("ivf_flat", metric, dimOf(inputs.dim), toInt(inputs.nlist ?? 1024, "nlist")) };
    },
  }),
  defineNode({
    type: "vector.faiss.TrainIndex",
    description: "Train a FAISS index with training vectors (required for IVF indices).\n    faiss, train, index",
    properties: [INDEX, prop("vectors", "np_array", NP_DEFAULT, { description: "Training vectors (n, d)" })],
    outputs: INDEX_OUT,
    process: (inputs) => ({ output: train(inputs.index, toRows(inputs.vectors, "Training vectors", MAX_STORED_NUMBERS)) }),
  }),
  defineNode({
    type: "vector.faiss.AddVectors",
    description: "Add vectors to a FAISS index.\n    faiss, add, vectors",
    properties: [INDEX, prop("vectors", "np_array", NP_DEFAULT, { description: "Vectors to add (n, d)" })],
    outputs: INDEX_OUT,
    process: (inputs) => ({ output: add(inputs.index, toRows(inputs.vectors, "Vectors", MAX_STORED_NUMBERS)) }),
  }),
  defineNode({
    type: "vector.faiss.AddWithIds",
    description: "Add vectors with explicit integer IDs to a FAISS index.\n    faiss, add, ids, vectors",
    properties: [INDEX, prop("vectors", "np_array", NP_DEFAULT, { description: "Vectors to add (n, d)" }), prop("ids", "np_array", NP_DEFAULT, { description: "1-D int64 IDs (n,)" })],
    outputs: INDEX_OUT,
    process: (inputs) => {
      const ids = toRows(inputs.ids, "IDs", MAX_STORED_NUMBERS).flat();
      if (!ids.every((id) => Number.isSafeInteger(id))) throw new Error("IDs must be integers");
      return { output: add(inputs.index, toRows(inputs.vectors, "Vectors", MAX_STORED_NUMBERS), ids) };
    },
  }),
  defineNode({
    type: "vector.faiss.Search",
    description: "Search a FAISS index with query vectors, returning distances and indices.\n    faiss, search, query, knn",
    properties: [
      INDEX,
      prop("query", "np_array", NP_DEFAULT, { description: "Query vectors (m, d) or (d,)" }),
      prop("k", "int", 5, { min: 1, description: "Number of nearest neighbors" }),
      prop("nprobe", "int", 10, { min: 1, description: "nprobe for IVF indices" }),
    ],
    outputs: [out("distances", "np_array"), out("indices", "np_array")],
    process: (inputs) => {
      const { distances, labels } = search(inputs.index, toRows(inputs.query, "Query vectors", MAX_STORED_NUMBERS), toInt(inputs.k ?? 5, "k"), toInt(inputs.nprobe ?? 10, "nprobe"));
      return { distances: npArray(distances, "<f4"), indices: npArray(labels, "<i8") };
    },
  }),
];

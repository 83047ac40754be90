import { toMarkdown } from "../documents/convert";
import { documentBytes, documentFromBytes, documentText, joinPath, readWorkspaceFile, requireWorkspace, workspacePath } from "../documents/files";
import { globMatcher } from "../documents/glob";
import { splitHtml, splitJson } from "../documents/structured-split";
import { RecursiveSplitter, splitMarkdownHeaders } from "../documents/text-split";
import { emptyMediaRef } from "../media/nodes";
import { formatName } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { isRecord, toBool, toInt, toText } from "../values/coerce";

/**
 * `nodetool.document.*` (NodeTool: src/nodetool/nodes/nodetool/document.py) and `lib.markitdown`: document
 * files in the user's workspace (NodeTool's local disk), and the text splitters that feed RAG pipelines.
 * The splitters stream one chunk per item as {text, source_id, start_index}.
 */

const documentProp = (description = "The document to split") => prop("document", "document", emptyMediaRef("document"), { description, required: true });
const chunkOutputs = [out("text", "str"), out("source_id", "str"), out("start_index", "int")];
/** Files ListDocuments emits at most. */
const MAX_LISTED = 1000;

const uriOf = (doc: unknown) => (isRecord(doc) && typeof doc.uri === "string" ? doc.uri : "");

async function loadFile(ctx: NodeContext, path: string, what: string) {
  const { bytes, contentType } = await readWorkspaceFile(ctx, path, what);
  const doc = await documentFromBytes(ctx, bytes, contentType, what);
  return { ...doc, metadata: { path } };
}

export const documentNodes: readonly NodeDecl[] = [
  defineNode({
    type: "nodetool.document.LoadDocumentFile",
    description: "Read a document from the workspace.\n    files, document, read, input, load, file",
    properties: [prop("path", "str", "", { description: "Path to the document to read (in the workspace)" })],
    outputs: [out("output", "document")],
    process: async (inputs, ctx) => {
      const raw = toText(inputs.path);
      if (!raw.trim()) throw new Error("LoadDocumentFile: path cannot be empty");
      return { output: await loadFile(ctx, workspacePath(raw, "LoadDocumentFile"), "LoadDocumentFile") };
    },
  }),
  defineNode({
    type: "nodetool.document.SaveDocumentFile",
    description:
      "Write a document to the workspace.\n    files, document, write, output, save, file\n\n    The filename can include time and date variables (UTC):\n    %Y - Year, %m - Month, %d - Day\n    %H - Hour, %M - Minute, %S - Second",
    properties: [
      documentProp("The document to save"),
      prop("folder", "str", "", { description: "Folder where the file will be saved" }),
      prop("filename", "str", "", { description: "Name of the file to save. Supports strftime format codes." }),
    ],
    outputs: [],
    process: async (inputs, ctx) => {
      const what = "SaveDocumentFile";
      const folder = toText(inputs.folder);
      if (!folder.trim()) throw new Error(`${what}: folder cannot be empty`);
      const filename = formatName(toText(inputs.filename), ctx.services.now());
      if (!filename.trim()) throw new Error(`${what}: filename cannot be empty`);
      const ws = requireWorkspace(ctx, what);
      const { bytes, contentType } = await documentBytes(inputs.document, ctx, `${what}: document`);
      await ws.write(workspacePath(joinPath(workspacePath(folder, what), filename), what), bytes, contentType, ctx.signal);
      return {};
    },
  }),
  defineNode({
    type: "nodetool.document.ListDocuments",
    description:
      "List documents in a workspace folder.\n    files, list, directory\n\n    Emits each file whose name matches the glob pattern (* ? [..]); hidden files only when the pattern starts with a dot.",
    properties: [
      prop("folder", "str", "~", { description: "Directory to scan" }),
      prop("pattern", "str", "*", { description: "File pattern to match (e.g. *.txt)" }),
      prop("recursive", "bool", false, { description: "Search subdirectories" }),
    ],
    outputs: [out("document", "document")],
    gen: async function* (inputs, ctx) {
      const what = "ListDocuments";
      const raw = toText(inputs.folder);
      if (!raw.trim()) throw new Error(`${what}: directory cannot be empty`);
      const folder = workspacePath(raw, what);
      const match = globMatcher(toText(inputs.pattern) || "*");
      const entries = await requireWorkspace(ctx, what).list(folder, { recursive: toBool(inputs.recursive) }, ctx.signal);
      const files = entries.filter((e) => !e.isDirectory && match(e.path.slice(e.path.lastIndexOf("/") + 1))).sort((a, b) => (a.path < b.path ? -1 : 1));
      if (files.length > MAX_LISTED) throw new Error(`${what}: ${files.length} files match (limit ${MAX_LISTED}); narrow the pattern`);
      for (const f of files) yield { document: await loadFile(ctx, f.path, what) };
    },
  }),
  defineNode({
    type: "nodetool.document.SplitRecursively",
    title: "Split Recursively",
    description:
      "Splits text recursively using LangChain's RecursiveCharacterTextSplitter.\n    text, split, chunks\n\n    Tries each separator in order until pieces fit chunk_size (characters), then packs pieces with chunk_overlap.",
    properties: [
      documentProp(),
      prop("chunk_size", "int", 1000, { description: "Maximum size of each chunk in characters" }),
      prop("chunk_overlap", "int", 200, { description: "Number of characters to overlap between chunks" }),
      prop("separators", "list[str]", ["\n\n", "\n", "."], { description: "List of separators to use for splitting, in order of preference" }),
    ],
    outputs: chunkOutputs,
    gen: async function* (inputs, ctx) {
      const text = await documentText(inputs.document, ctx, "SplitRecursively: document");
      const separators = Array.isArray(inputs.separators) ? inputs.separators.map(toText) : undefined;
      const splitter = new RecursiveSplitter({ chunkSize: toInt(inputs.chunk_size, "chunk_size"), chunkOverlap: toInt(inputs.chunk_overlap, "chunk_overlap"), separators });
      const uri = uriOf(inputs.document);
      let i = 0;
      for (const chunk of splitter.splitWithOffsets(text)) yield { text: chunk.text, source_id: `${uri}:${i++}`, start_index: chunk.startIndex };
    },
  }),
  defineNode({
    type: "nodetool.document.SplitMarkdown",
    title: "Split Markdown",
    description:
      "Splits markdown text by headers while preserving header hierarchy in metadata.\n    markdown, split, headers\n\n    Sections under the given headers, each further split to chunk_size characters when set (start_index is 0, as in NodeTool).",
    properties: [
      documentProp(),
      prop(
        "headers_to_split_on",
        "list[tuple[str, str]]",
        [
          ["#", "Header 1"],
          ["##", "Header 2"],
          ["###", "Header 3"],
        ],
        { description: "List of tuples containing (header_symbol, header_name)" },
      ),
      prop("strip_headers", "bool", true, { description: "Whether to remove headers from the output content" }),
      prop("return_each_line", "bool", false, { description: "Whether to split into individual lines instead of header sections" }),
      prop("chunk_size", "int", 1000, { description: "Optional maximum chunk size for further splitting" }),
      prop("chunk_overlap", "int", 30, { description: "Overlap size when using chunk_size" }),
    ],
    outputs: chunkOutputs,
    gen: async function* (inputs, ctx) {
      const what = "SplitMarkdown";
      const text = await documentText(inputs.document, ctx, `${what}: document`);
      const rawHeaders = Array.isArray(inputs.headers_to_split_on) ? inputs.headers_to_split_on : [];
      const headers = rawHeaders.map((h) => {
        if (!Array.isArray(h) || h.length !== 2) throw new Error(`${what}: each header must be a pair [symbol, name], got ${JSON.stringify(h)}`);
        return [toText(h[0]), toText(h[1])] as const;
      });
      let pieces = splitMarkdownHeaders(text, { headers, stripHeaders: toBool(inputs.strip_headers), returnEachLine: toBool(inputs.return_each_line) }).map((s) => s.content);
      const size = inputs.chunk_size === null || inputs.chunk_size === undefined ? 0 : toInt(inputs.chunk_size, "chunk_size");
      if (size) {
        // NodeTool: a plain RecursiveCharacterTextSplitter (default separators) over the sections.
        const splitter = new RecursiveSplitter({ chunkSize: size, chunkOverlap: toInt(inputs.chunk_overlap, "chunk_overlap") });
        pieces = pieces.flatMap((p) => splitter.splitText(p));
      }
      const uri = uriOf(inputs.document);
      for (const piece of pieces) yield { text: piece, source_id: uri, start_index: 0 };
    },
  }),
  defineNode({
    type: "nodetool.document.SplitHTML",
    description:
      "Split HTML content into semantic chunks based on HTML tags.\n    html, text, semantic, tags, parsing\n\n    Consecutive elements of the same tag (p, h1-h6, li, b, i, u, section) form one chunk, a line per element.",
    properties: [documentProp()],
    outputs: chunkOutputs,
    gen: async function* (inputs, ctx) {
      const text = await documentText(inputs.document, ctx, "SplitHTML: document");
      const uri = uriOf(inputs.document);
      let i = 0;
      for (const chunk of splitHtml(text, "SplitHTML")) yield { text: chunk, source_id: uri, start_index: i++ };
    },
  }),
  defineNode({
    type: "nodetool.document.SplitJSON",
    description:
      "Split JSON content into semantic chunks.\n    json, parsing, semantic, structured\n\n    An object is one chunk, a top-level array one chunk per item; each value is a line of its key path and value.",
    properties: [
      documentProp(),
      prop("include_metadata", "bool", true, { description: "Whether to include metadata in nodes" }),
      prop("include_prev_next_rel", "bool", true, { description: "Whether to include prev/next relationships" }),
    ],
    outputs: chunkOutputs,
    gen: async function* (inputs, ctx) {
      const text = await documentText(inputs.document, ctx, "SplitJSON: document");
      const uri = uriOf(inputs.document);
      let chunks: string[];
      try {
        chunks = splitJson(text);
      } catch (err) {
        throw new Error(`SplitJSON: ${(err as Error).message}`);
      }
      let i = 0;
      for (const chunk of chunks) yield { text: chunk, source_id: uri, start_index: i++ };
    },
  }),
  defineNode({
    type: "lib.markitdown.ConvertToMarkdown",
    description:
      "Converts various document formats to markdown.\n    markdown, convert, document\n\n    PDF, Word (.docx), Excel (.xlsx), HTML, CSV and text documents; the result is a markdown document.",
    properties: [documentProp("The document to convert to markdown")],
    outputs: [out("output", "document")],
    process: async (inputs, ctx) => {
      const what = "ConvertToMarkdown";
      const content = await documentBytes(inputs.document, ctx, `${what}: document`);
      const markdown = await toMarkdown(content, what);
      return { output: await documentFromBytes(ctx, new TextEncoder().encode(markdown), "text/markdown", what) };
    },
  }),
];

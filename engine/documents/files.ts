/**
 * Document values (`{type: "document", uri, data}`) in and out of the document nodes, and the user's workspace
 * standing in for NodeTool's local disk paths.
 */
import { bareContentType, effectiveContentType } from "../media/content-types";
import { InlineBytes, isDataUri } from "../media/data-uri";
import { INLINE_MEDIA_BYTES, readMedia, saveMedia } from "../media/refs";
import type { NodeContext } from "../registry/types";
import { isRecord } from "../values/coerce";
import type { WorkspaceService } from "../workspace/workspace-service";
import { docxToMarkdown, renderDocx } from "./docx-io";
import { DOCX_CONTENT_TYPE, isDocxModel } from "./docx-model";
import { inclusiveRange, withPdf } from "./pdf";
import { pageText, toLines } from "./pdf-layout";

export interface DocumentContent {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * The bytes of a document value: stored or inline media, text held directly in `data` (as NodeTool's text
 * documents are), or a Word document built by lib.docx nodes (rendered to .docx).
 */
export async function documentBytes(value: unknown, ctx: NodeContext, what: string): Promise<DocumentContent> {
  const data = isRecord(value) ? value.data : undefined;
  if (isDocxModel(data)) {
    const bytes = await renderDocx(data, async (image) => (await readMedia(image, ctx, `${what}: image`, "image")).bytes);
    return { bytes, contentType: DOCX_CONTENT_TYPE };
  }
  if (typeof data === "string" && !isDataUri(data)) return { bytes: new TextEncoder().encode(data), contentType: "text/plain" };
  const content = await readMedia(value, ctx, what, "document");
  return { bytes: content.bytes, contentType: bareContentType(content.contentType) };
}

const TEXT_TYPES = /^(text\/|application\/(json|jsonl|xml|javascript|x-yaml|yaml|x-ndjson|csv))/;

function isZip(bytes: Uint8Array) {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The text of a document value: text as it is, PDFs as their page text, Word files as markdown. */
export async function documentText(value: unknown, ctx: NodeContext, what: string): Promise<string> {
  const data = isRecord(value) ? value.data : undefined;
  if (typeof data === "string" && !isDataUri(data)) return data;
  if ((value === null || value === undefined || (isRecord(value) && !value.uri && (data === null || data === undefined))) && !isDocxModel(data)) {
    throw new Error(`${what}: no document was given`);
  }
  const { bytes, contentType } = await documentBytes(value, ctx, what);
  if (contentType === "application/pdf") {
    return withPdf(bytes, what, async (pdf) => {
      let text = "";
      for (const i of inclusiveRange(0, -1, pdf.pageCount)) text += pageText(toLines(await pdf.spans(i)));
      return text;
    });
  }
  if (contentType === DOCX_CONTENT_TYPE || (isZip(bytes) && contentType === "application/octet-stream")) return docxToMarkdown(bytes, what);
  if (TEXT_TYPES.test(contentType) || contentType === "application/octet-stream") {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes).replace(/^\uFEFF/, "");
    } catch {
      throw new Error(`${what}: the document (${contentType}) is not UTF-8 text`);
    }
  }
  throw new Error(`${what}: cannot read text from a ${contentType} document`);
}

/** A document value holding bytes: inline when small, else moved to temporary storage (when the run has any). */
export async function documentFromBytes(ctx: NodeContext, bytes: Uint8Array, contentType: string, what: string): Promise<Record<string, unknown>> {
  if (bytes.length <= INLINE_MEDIA_BYTES || !ctx.services.blobs) {
    return { type: "document", uri: "", asset_id: null, data: InlineBytes.wrap(bytes, contentType), metadata: null };
  }
  const saved = await saveMedia(ctx, bytes, { type: "document", contentType, kind: "temp" }, what);
  return { ...saved, metadata: null };
}

export function requireWorkspace(ctx: NodeContext, what: string): WorkspaceService {
  const ws = ctx.services.workspace;
  if (!ws) throw new Error(`${what}: this run has no workspace to read or write files in`);
  return ws;
}

/**
 * A NodeTool disk path as a workspace path: `~`, `~/` and leading slashes name the workspace root (NodeTool's
 * paths are local; the workspace is this user's private file tree). `..` is refused.
 */
export function workspacePath(raw: string, what: string): string {
  let p = raw.trim().replace(/\\/g, "/");
  if (p === "~") p = "";
  else if (p.startsWith("~/")) p = p.slice(2);
  p = p.replace(/^\/+/, "");
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  if (parts.includes("..")) throw new Error(`${what}: '${raw}' leaves the workspace ('..' is not allowed)`);
  return parts.join("/");
}

export function joinPath(folder: string, name: string): string {
  return [folder, name].filter((s) => s !== "").join("/");
}

/** The path of a `file_path` value (`{type: "file_path", path}`) or a plain string. */
export function filePathOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (isRecord(value) && typeof value.path === "string") return value.path;
  return "";
}

/** Largest file one node reads from the workspace. */
export const MAX_WORKSPACE_FILE_BYTES = 64 * 1024 * 1024;

export async function readWorkspaceFile(ctx: NodeContext, path: string, what: string): Promise<DocumentContent> {
  const ws = requireWorkspace(ctx, what);
  const entry = await ws.stat(path, ctx.signal);
  if (!entry || entry.isDirectory) throw new Error(`${what}: no file '${path}' in the workspace`);
  if (entry.size > MAX_WORKSPACE_FILE_BYTES) throw new Error(`${what}: '${path}' is ${entry.size} bytes (limit ${MAX_WORKSPACE_FILE_BYTES})`);
  const bytes = await ws.read(path, ctx.signal);
  return { bytes, contentType: effectiveContentType(entry.contentType, bytes, path) };
}

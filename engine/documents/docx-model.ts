/**
 * A Word document under construction, as `lib.docx.*` hands it from node to node. NodeTool passes a live
 * python-docx object in the document's `data`; here `data` holds a plain description (JSON-safe, so it can
 * be logged and replayed) that `renderDocx` turns into a .docx file with the `docx` package when one is needed.
 */
import type { InlineBytes } from "../media/data-uri";
import { isRecord } from "../values/coerce";

export const DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
export const DOCX_MARKER = "nodetool-edge/docx";
/** Blocks one document may hold; keeps a runaway loop from building an unbounded value. */
export const MAX_DOCX_BLOCKS = 20_000;
/** Characters of text one block may hold. */
export const MAX_DOCX_TEXT = 1_000_000;

export type ParagraphAlignment = "LEFT" | "CENTER" | "RIGHT" | "JUSTIFY";

export interface DocxRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
}

export type DocxBlock =
  | { kind: "heading"; text: string; level: number }
  | { kind: "paragraph"; runs: DocxRun[]; alignment: ParagraphAlignment; font_size: number | null }
  | { kind: "table"; rows: string[][] }
  | { kind: "image"; image: unknown; width: number; height: number }
  | { kind: "page_break" };

export interface DocxProperties {
  title?: string;
  author?: string;
  subject?: string;
  keywords?: string;
}

export interface DocxModel {
  format: typeof DOCX_MARKER;
  blocks: DocxBlock[];
  properties: DocxProperties;
  /** The file a loaded document came from, kept (and saved as it is) until the document is edited. */
  source?: InlineBytes | string | null;
}

export function emptyDocx(): DocxModel {
  return { format: DOCX_MARKER, blocks: [], properties: {} };
}

export function isDocxModel(value: unknown): value is DocxModel {
  return isRecord(value) && value.format === DOCX_MARKER && Array.isArray(value.blocks) && isRecord(value.properties);
}

/** The document value nodes hand on: NodeTool's `DocumentRef` with the description in `data`. */
export function docxValue(model: DocxModel, uri = ""): Record<string, unknown> {
  return { type: "document", uri, asset_id: null, data: model, metadata: null };
}

/** The description inside a document value; fails like NodeTool's "Document is not connected" when absent. */
export function docxModelOf(value: unknown, what: string): DocxModel {
  const data = isRecord(value) ? value.data : undefined;
  if (isDocxModel(data)) return data;
  throw new Error(`${what}: the document is not a Word document built by lib.docx nodes (connect CreateDocument or LoadWordDocument)`);
}

/** A copy with one more block; an edited document no longer saves as the file it was loaded from. */
export function withBlock(model: DocxModel, block: DocxBlock, what: string): DocxModel {
  if (model.blocks.length >= MAX_DOCX_BLOCKS) throw new Error(`${what}: the document already has ${MAX_DOCX_BLOCKS} blocks (limit)`);
  if ("text" in block && block.text.length > MAX_DOCX_TEXT) throw new Error(`${what}: text is longer than ${MAX_DOCX_TEXT} characters`);
  return { format: DOCX_MARKER, blocks: [...model.blocks, block], properties: model.properties, source: null };
}

export function withProperties(model: DocxModel, changes: DocxProperties): DocxModel {
  const properties = { ...model.properties };
  for (const [k, v] of Object.entries(changes) as [keyof DocxProperties, string | undefined][]) if (v) properties[k] = v;
  return { format: DOCX_MARKER, blocks: model.blocks, properties, source: null };
}

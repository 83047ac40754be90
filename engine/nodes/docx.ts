import { loadTable } from "../dataframe/convert";
import { loadDocx, renderDocx } from "../documents/docx-io";
import { docxModelOf, docxValue, DOCX_CONTENT_TYPE, emptyDocx, withBlock, withProperties, type DocxBlock, type ParagraphAlignment } from "../documents/docx-model";
import { filePathOf, joinPath, readWorkspaceFile, requireWorkspace, workspacePath } from "../documents/files";
import { imageInfo } from "../media/image-info";
import { emptyMediaRef } from "../media/nodes";
import { formatName, readMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl } from "../registry/types";
import { enumValue, toBool, toInt, toNumber, toText } from "../values/coerce";

/**
 * `lib.docx.*` (NodeTool: src/nodetool/nodes/lib/docx.py): build a Word document step by step and save it in
 * the user's workspace. The document travels as a description in the document value's `data`
 * (engine/documents/docx-model.ts); every node returns a new value and leaves its input untouched.
 */

const documentProp = (description: string) => prop("document", "document", emptyMediaRef("document"), { description, required: true });
const out_ = [out("output", "document")];
const ALIGNMENTS = { LEFT: "LEFT", CENTER: "CENTER", RIGHT: "RIGHT", JUSTIFY: "JUSTIFY" } as const;

/** Python's `str()` of a table cell. */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "object") return JSON.stringify(v) ?? String(v);
  return String(v);
}

/** A node that appends one block to its input document. */
function addNode(type: string, description: string, props: ReturnType<typeof prop>[], block: (inputs: Inputs, ctx: NodeContext) => Promise<DocxBlock> | DocxBlock): NodeDecl {
  const what = type.slice(type.lastIndexOf(".") + 1);
  return defineNode({
    type,
    description,
    properties: [documentProp(`The document to add to`), ...props],
    outputs: out_,
    process: async (inputs, ctx) => {
      const model = docxModelOf(inputs.document, what);
      return { output: docxValue(withBlock(model, await block(inputs, ctx), what)) };
    },
  });
}

export const docxNodes: readonly NodeDecl[] = [
  defineNode({
    type: "lib.docx.CreateDocument",
    description: "Creates a new Word document\n    document, docx, file, create",
    outputs: out_,
    process: () => ({ output: docxValue(emptyDocx()) }),
  }),
  defineNode({
    type: "lib.docx.LoadWordDocument",
    description:
      "Loads a Word document from the workspace\n    document, docx, file, load, input\n\n    Headings, paragraphs (bold, italic), lists, tables and images are read; saved unedited, the file stays as it was.",
    properties: [prop("path", "str", "", { description: "Path to the document to load (in the workspace)" })],
    outputs: out_,
    process: async (inputs, ctx) => {
      const what = "LoadWordDocument";
      const raw = toText(inputs.path);
      if (!raw.trim()) throw new Error(`${what}: path cannot be empty`);
      const { bytes } = await readWorkspaceFile(ctx, workspacePath(raw, what), what);
      return { output: docxValue(await loadDocx(bytes, what)) };
    },
  }),
  addNode("lib.docx.AddHeading", "Adds a heading to the document\n    document, docx, heading, format", [prop("text", "str", "", { description: "The heading text" }), prop("level", "int", 1, { min: 1, max: 9, description: "Heading level (1-9)" })], (inputs) => {
    const level = toInt(inputs.level, "level");
    if (level < 1 || level > 9) throw new Error(`AddHeading: level must be between 1 and 9, got ${level}`);
    return { kind: "heading", text: toText(inputs.text), level };
  }),
  addNode(
    "lib.docx.AddParagraph",
    "Adds a paragraph of text to the document\n    document, docx, text, format",
    [
      prop("text", "str", "", { description: "The paragraph text" }),
      prop("alignment", "enum", "LEFT", { values: Object.values(ALIGNMENTS), description: "Text alignment" }),
      prop("bold", "bool", false, { description: "Make text bold" }),
      prop("italic", "bool", false, { description: "Make text italic" }),
      prop("font_size", "int", 12, { description: "Font size in points" }),
    ],
    (inputs) => {
      const alignment = enumValue(inputs.alignment ?? "LEFT", ALIGNMENTS) as ParagraphAlignment;
      if (!(alignment in ALIGNMENTS)) throw new Error(`AddParagraph: alignment must be one of ${Object.keys(ALIGNMENTS).join(", ")}, got '${alignment}'`);
      const size = toInt(inputs.font_size, "font_size");
      if (size < 0 || size > 1638) throw new Error(`AddParagraph: font_size must be between 0 and 1638 points, got ${size}`);
      return { kind: "paragraph", runs: [{ text: toText(inputs.text), bold: toBool(inputs.bold), italic: toBool(inputs.italic) }], alignment, font_size: size || null };
    },
  ),
  addNode(
    "lib.docx.AddTable",
    "Adds a table to the document\n    document, docx, table, format\n\n    One table row per dataframe row (the column names are not written), every cell as text.",
    [prop("data", "dataframe", { type: "dataframe", uri: "", asset_id: null, data: null, metadata: null, columns: null }, { description: "The data to add to the table" })],
    async (inputs, ctx) => {
      const table = await loadTable(inputs.data, ctx, "AddTable: data");
      return { kind: "table", rows: table.rows.map((r) => table.columns.map((_, j) => pyStr(r[j]))) };
    },
  ),
  addNode(
    "lib.docx.AddImage",
    "Adds an image to the document\n    document, docx, image, format\n\n    width and height are in inches; 0 keeps the image's own size (or its aspect ratio when the other is given).",
    [
      prop("image", "image", emptyMediaRef("image"), { description: "The image to add" }),
      prop("width", "float", 0, { description: "Image width in inches" }),
      prop("height", "float", 0, { description: "Image height in inches" }),
    ],
    async (inputs, ctx) => {
      const width = toNumber(inputs.width, "width");
      const height = toNumber(inputs.height, "height");
      if (width < 0 || height < 0 || width > 200 || height > 200) throw new Error(`AddImage: width and height must be between 0 and 200 inches`);
      // Checked now so that a bad image fails here rather than at SaveDocument; the bytes are read again there.
      const { bytes } = await readMedia(inputs.image, ctx, "AddImage: image", "image");
      const info = imageInfo(bytes);
      if (!info || !["PNG", "JPEG", "GIF", "BMP"].includes(info.format)) throw new Error(`AddImage: the image must be PNG, JPEG, GIF or BMP (got ${info?.format ?? "an unknown format"})`);
      return { kind: "image", image: inputs.image, width, height };
    },
  ),
  addNode("lib.docx.AddPageBreak", "Adds a page break to the document\n    document, docx, format, layout", [], () => ({ kind: "page_break" })),
  defineNode({
    type: "lib.docx.SetDocumentProperties",
    description: "Sets document metadata properties\n    document, docx, metadata, properties\n\n    Empty values leave a property as it was.",
    properties: [
      documentProp("The document to modify"),
      prop("title", "str", "", { description: "Document title" }),
      prop("author", "str", "", { description: "Document author" }),
      prop("subject", "str", "", { description: "Document subject" }),
      prop("keywords", "str", "", { description: "Document keywords" }),
    ],
    outputs: out_,
    process: (inputs) => {
      const model = docxModelOf(inputs.document, "SetDocumentProperties");
      const changes = { title: toText(inputs.title), author: toText(inputs.author), subject: toText(inputs.subject), keywords: toText(inputs.keywords) };
      return { output: docxValue(withProperties(model, changes)) };
    },
  }),
  defineNode({
    type: "lib.docx.SaveDocument",
    description:
      "Writes the document to a .docx file in the workspace\n    document, docx, file, save, output\n\n    path is a workspace folder (~ and / name its root); the filename may use %Y %m %d %H %M %S (UTC).",
    properties: [
      documentProp("The document to write"),
      prop("path", "file_path", { type: "file_path", path: "" }, { description: "The folder to write the document to." }),
      prop("filename", "str", "", { description: "The filename to write the document to. %Y %m %d %H %M %S are replaced by the date and time." }),
    ],
    outputs: [],
    process: async (inputs, ctx) => {
      const what = "SaveDocument";
      const model = docxModelOf(inputs.document, what);
      const folder = filePathOf(inputs.path);
      if (!folder.trim()) throw new Error(`${what}: Path is not set`);
      const filename = formatName(toText(inputs.filename), ctx.services.now());
      if (!filename.trim()) throw new Error(`${what}: filename is empty`);
      const ws = requireWorkspace(ctx, what);
      const bytes = await renderDocx(model, async (image) => (await readMedia(image, ctx, `${what}: image`, "image")).bytes);
      await ws.write(workspacePath(joinPath(workspacePath(folder, what), filename), what), bytes, DOCX_CONTENT_TYPE, ctx.signal);
      return {};
    },
  }),
];

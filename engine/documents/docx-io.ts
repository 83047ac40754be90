/**
 * .docx files in and out: `renderDocx` writes a document description with the `docx` package; `loadDocx`
 * reads a file with `mammoth` (document structure: headings, paragraphs with bold and italic, lists, tables,
 * images; page layout and styles are not kept) and `docxToMarkdown` turns one into markdown.
 */
import { unzipSync, strFromU8 } from "fflate";
import { InlineBytes, isDataUri, parseDataUri } from "../media/data-uri";
import { imageInfo } from "../media/image-info";
import { DOCX_CONTENT_TYPE, DOCX_MARKER, type DocxBlock, type DocxModel, type DocxProperties, type DocxRun } from "./docx-model";
import { htmlToMarkdown, parseHtml, textOf, type HtmlNode } from "./html";

/** Word files larger than this are refused. */
export const MAX_DOCX_BYTES = 50 * 1024 * 1024;

type ReadImage = (image: unknown) => Promise<Uint8Array>;

const DOCX_IMAGE_TYPES: Record<string, "png" | "jpg" | "gif" | "bmp"> = { PNG: "png", JPEG: "jpg", GIF: "gif", BMP: "bmp" };
/** python-docx places an image without a size at its pixel size at 72 dpi; the docx package counts 96 px per inch. */
const PX_PER_INCH = 96;
const NATIVE_DPI = 72;

async function imageParagraph(lib: typeof import("docx"), block: Extract<DocxBlock, { kind: "image" }>, readImage: ReadImage) {
  const bytes = await readImage(block.image);
  const info = imageInfo(bytes);
  const type = info ? DOCX_IMAGE_TYPES[info.format] : undefined;
  if (!info || !type) throw new Error(`the image is not a PNG, JPEG, GIF or BMP file (${info?.format ?? "unknown format"})`);
  const nativeW = (info.width / NATIVE_DPI) * PX_PER_INCH;
  const nativeH = (info.height / NATIVE_DPI) * PX_PER_INCH;
  let width = block.width > 0 ? block.width * PX_PER_INCH : 0;
  let height = block.height > 0 ? block.height * PX_PER_INCH : 0;
  // One given side keeps the aspect ratio, as python-docx's add_picture does.
  if (width && !height) height = (width * info.height) / info.width;
  else if (height && !width) width = (height * info.width) / info.height;
  else if (!width && !height) [width, height] = [nativeW, nativeH];
  return new lib.Paragraph({ children: [new lib.ImageRun({ type, data: bytes, transformation: { width: Math.round(width), height: Math.round(height) } })] });
}

/** The .docx bytes of a document description (or the file it was loaded from, while unedited). */
export async function renderDocx(model: DocxModel, readImage: ReadImage): Promise<Uint8Array> {
  // Values may have passed through JSON on the way (an InlineBytes turns into its data: URI there).
  const source: unknown = model.source;
  if (source instanceof Uint8Array && source.length > 0) return source;
  if (typeof source === "string" && isDataUri(source)) return parseDataUri(source).bytes;
  const lib = await import("docx");
  const align = { LEFT: lib.AlignmentType.LEFT, CENTER: lib.AlignmentType.CENTER, RIGHT: lib.AlignmentType.RIGHT, JUSTIFY: lib.AlignmentType.JUSTIFIED } as const;
  const headings = [lib.HeadingLevel.HEADING_1, lib.HeadingLevel.HEADING_2, lib.HeadingLevel.HEADING_3, lib.HeadingLevel.HEADING_4, lib.HeadingLevel.HEADING_5, lib.HeadingLevel.HEADING_6];
  const children: (InstanceType<typeof lib.Paragraph> | InstanceType<typeof lib.Table>)[] = [];
  for (const block of model.blocks) {
    switch (block.kind) {
      case "heading":
        // Word's built-in styles stop at Heading 6 in the docx package's template.
        children.push(new lib.Paragraph({ text: block.text, heading: headings[Math.min(6, Math.max(1, block.level)) - 1] }));
        break;
      case "paragraph":
        children.push(
          new lib.Paragraph({
            alignment: align[block.alignment] ?? lib.AlignmentType.LEFT,
            children: block.runs.map((r) => new lib.TextRun({ text: r.text, bold: r.bold || undefined, italics: r.italic || undefined, size: block.font_size ? block.font_size * 2 : undefined })),
          }),
        );
        break;
      case "table": {
        const width = Math.max(1, ...block.rows.map((r) => r.length));
        if (block.rows.length === 0) break;
        children.push(
          new lib.Table({
            rows: block.rows.map(
              (r) => new lib.TableRow({ children: Array.from({ length: width }, (_, j) => new lib.TableCell({ children: [new lib.Paragraph(r[j] ?? "")] })) }),
            ),
          }),
        );
        break;
      }
      case "image":
        children.push(await imageParagraph(lib, block, readImage));
        break;
      case "page_break":
        children.push(new lib.Paragraph({ children: [new lib.PageBreak()] }));
        break;
    }
  }
  const p = model.properties;
  const doc = new lib.Document({
    title: p.title || undefined,
    creator: p.author || undefined,
    subject: p.subject || undefined,
    keywords: p.keywords || undefined,
    sections: [{ children }],
  });
  return new Uint8Array(await lib.Packer.toArrayBuffer(doc));
}

async function docxHtml(bytes: Uint8Array, what: string): Promise<string> {
  if (bytes.length > MAX_DOCX_BYTES) throw new Error(`${what}: the Word file is ${bytes.length} bytes (limit ${MAX_DOCX_BYTES})`);
  const mammoth = (await import("mammoth")).default;
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    // Node's build of mammoth reads `buffer`, the browser build (used in workerd) `arrayBuffer`.
    const result = await mammoth.convertToHtml({ buffer: bytes, arrayBuffer: buffer } as unknown as { arrayBuffer: ArrayBuffer });
    return result.value;
  } catch (err) {
    throw new Error(`${what}: not a readable Word (.docx) file (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Core properties (title, author, subject, keywords) from docProps/core.xml. */
function coreProperties(bytes: Uint8Array): DocxProperties {
  let xml = "";
  try {
    const files = unzipSync(bytes, { filter: (f) => f.name === "docProps/core.xml" && f.originalSize < 1_000_000 });
    const core = files["docProps/core.xml"];
    if (core) xml = strFromU8(core);
  } catch {
    return {};
  }
  const field = (tag: string) => {
    const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
    return m ? m[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&") : undefined;
  };
  const props: DocxProperties = { title: field("dc:title"), author: field("dc:creator"), subject: field("dc:subject"), keywords: field("cp:keywords") };
  for (const k of Object.keys(props) as (keyof DocxProperties)[]) if (!props[k]) delete props[k];
  return props;
}

function runsOf(node: HtmlNode, bold = false, italic = false, out: DocxRun[] = []): DocxRun[] {
  for (const c of node.children ?? []) {
    if (c.type === "text") {
      const text = c.data ?? "";
      const last = out[out.length - 1];
      if (last && !!last.bold === bold && !!last.italic === italic) last.text += text;
      else if (text) out.push({ text, ...(bold ? { bold } : {}), ...(italic ? { italic } : {}) });
    } else if (c.type === "tag" && c.name === "br") {
      out.push({ text: "\n" });
    } else if (c.type === "tag" && c.name !== "img") {
      runsOf(c, bold || c.name === "strong" || c.name === "b", italic || c.name === "em" || c.name === "i", out);
    }
  }
  return out;
}

function imagesIn(node: HtmlNode, out: DocxBlock[]) {
  for (const c of node.children ?? []) {
    if (c.type === "tag" && c.name === "img" && (c.attribs?.src ?? "").startsWith("data:")) out.push({ kind: "image", image: { type: "image", uri: c.attribs!.src }, width: 0, height: 0 });
    else imagesIn(c, out);
  }
}

function blocksOf(node: HtmlNode, out: DocxBlock[]) {
  for (const c of node.children ?? []) {
    if (c.type !== "tag") continue;
    const name = c.name ?? "";
    if (/^h[1-6]$/.test(name)) out.push({ kind: "heading", text: textOf(c).trim(), level: Number(name[1]) });
    else if (name === "p") {
      const runs = runsOf(c);
      if (runs.some((r) => r.text.trim() !== "")) out.push({ kind: "paragraph", runs, alignment: "LEFT", font_size: null });
      imagesIn(c, out);
    } else if (name === "ul" || name === "ol") {
      let n = 0;
      for (const li of c.children ?? []) {
        if (li.type !== "tag" || li.name !== "li") continue;
        n += 1;
        const nested = (li.children ?? []).filter((x) => x.type === "tag" && (x.name === "ul" || x.name === "ol"));
        const own = { ...li, children: (li.children ?? []).filter((x) => !nested.includes(x)) };
        out.push({ kind: "paragraph", runs: [{ text: name === "ol" ? `${n}. ` : "• " }, ...runsOf(own)], alignment: "LEFT", font_size: null });
        for (const sub of nested) blocksOf({ type: "root", children: [sub] }, out);
      }
    } else if (name === "table") {
      const rows: string[][] = [];
      const walk = (n: HtmlNode) => {
        for (const x of n.children ?? []) {
          if (x.type === "tag" && x.name === "tr") rows.push((x.children ?? []).filter((td) => td.type === "tag" && (td.name === "td" || td.name === "th")).map((td) => textOf(td).trim()));
          else if (x.type === "tag" && x.name !== "table") walk(x);
        }
      };
      walk(c);
      out.push({ kind: "table", rows });
    } else blocksOf(c, out);
  }
}

/** A document description of a .docx file; the file itself is kept so that saving it unedited loses nothing. */
export async function loadDocx(bytes: Uint8Array, what: string): Promise<DocxModel> {
  const html = await docxHtml(bytes, what);
  const blocks: DocxBlock[] = [];
  blocksOf(parseHtml(html, what), blocks);
  return { format: DOCX_MARKER, blocks, properties: coreProperties(bytes), source: InlineBytes.wrap(bytes, DOCX_CONTENT_TYPE) };
}

export async function docxToMarkdown(bytes: Uint8Array, what: string): Promise<string> {
  return htmlToMarkdown(parseHtml(await docxHtml(bytes, what), what));
}

/**
 * HTML as a tree (htmlparser2, forgiving like a browser), with the few walks the document nodes need:
 * text of an element, elements by tag name in document order, and conversion to markdown.
 */
import { parseDocument } from "htmlparser2";

/** The parts of htmlparser2's nodes that are used here. */
export interface HtmlNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: HtmlNode[];
}

/** HTML larger than this is refused: the tree takes several times its size in memory. */
export const MAX_HTML_CHARS = 20_000_000;

export function parseHtml(html: string, what: string): HtmlNode {
  if (html.length > MAX_HTML_CHARS) throw new Error(`${what}: the HTML is ${html.length} characters (limit ${MAX_HTML_CHARS})`);
  return parseDocument(html, { decodeEntities: true, lowerCaseTags: true }) as unknown as HtmlNode;
}

const isElement = (n: HtmlNode) => n.type === "tag" || n.type === "script" || n.type === "style";

/** All text below a node (BeautifulSoup's `get_text()`), skipping script and style contents. */
export function textOf(node: HtmlNode): string {
  if (node.type === "text") return node.data ?? "";
  if (node.type === "script" || node.type === "style" || node.type === "comment") return "";
  return (node.children ?? []).map(textOf).join("");
}

/** Elements with one of the names, in document order, nested ones included (BeautifulSoup's `find_all`). */
export function findAll(root: HtmlNode, names: ReadonlySet<string>): HtmlNode[] {
  const found: HtmlNode[] = [];
  const walk = (n: HtmlNode) => {
    if (isElement(n) && names.has(n.name ?? "")) found.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(root);
  return found;
}

const BLOCK = new Set(["p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote", "pre", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure"]);

function inline(node: HtmlNode): string {
  if (node.type === "text") return (node.data ?? "").replace(/\s+/g, " ");
  if (!isElement(node) || node.type !== "tag") return "";
  const inner = () => (node.children ?? []).map(inline).join("");
  switch (node.name) {
    case "strong":
    case "b": {
      const t = inner().trim();
      return t ? `**${t}**` : "";
    }
    case "em":
    case "i": {
      const t = inner().trim();
      return t ? `_${t}_` : "";
    }
    case "code":
      return `\`${textOf(node)}\``;
    case "br":
      return "  \n";
    case "a": {
      const t = inner().trim();
      const href = node.attribs?.href ?? "";
      return href && !href.startsWith("#") ? `[${t}](${href})` : t;
    }
    case "img": {
      const src = node.attribs?.src ?? "";
      // Embedded images (data: URIs) would flood the text; their alt text stands in.
      return src.startsWith("data:") ? (node.attribs?.alt ?? "") : `![${node.attribs?.alt ?? ""}](${src})`;
    }
    default:
      return BLOCK.has(node.name ?? "") ? blocks(node).join("\n\n") : inner();
  }
}

function tableMarkdown(table: HtmlNode): string {
  const rows = findAll(table, new Set(["tr"])).map((tr) =>
    (tr.children ?? []).filter((c) => c.type === "tag" && (c.name === "td" || c.name === "th")).map((c) => (c.children ?? []).map(inline).join("").trim().replace(/\|/g, "\\|").replace(/\n+/g, " ")),
  );
  if (rows.length === 0) return "";
  const width = Math.max(...rows.map((r) => r.length));
  const pad = (r: string[]) => [...r, ...Array(width - r.length).fill("")];
  const line = (r: string[]) => `| ${pad(r).join(" | ")} |`;
  return [line(rows[0]), line(Array(width).fill("---")), ...rows.slice(1).map(line)].join("\n");
}

function listMarkdown(list: HtmlNode, depth: number): string {
  const ordered = list.name === "ol";
  const items = (list.children ?? []).filter((c) => c.type === "tag" && c.name === "li");
  return items
    .map((li, i) => {
      const nested = (li.children ?? []).filter((c) => c.type === "tag" && (c.name === "ul" || c.name === "ol"));
      const own = (li.children ?? []).filter((c) => !nested.includes(c)).map(inline).join("").trim();
      const marker = ordered ? `${i + 1}.` : "-";
      const sub = nested.map((n) => listMarkdown(n, depth + 1)).join("\n");
      return `${"  ".repeat(depth)}${marker} ${own}${sub ? `\n${sub}` : ""}`;
    })
    .join("\n");
}

function blocks(node: HtmlNode): string[] {
  const out: string[] = [];
  let run = "";
  const endRun = () => {
    const t = run.replace(/[ \t]+\n/g, "\n").replace(/ {2,}/g, " ").trim();
    if (t) out.push(t);
    run = "";
  };
  for (const child of node.children ?? []) {
    const name = child.type === "tag" ? child.name ?? "" : "";
    if (/^h[1-6]$/.test(name)) {
      endRun();
      const t = (child.children ?? []).map(inline).join("").trim();
      if (t) out.push(`${"#".repeat(Number(name[1]))} ${t}`);
    } else if (name === "ul" || name === "ol") {
      endRun();
      const t = listMarkdown(child, 0);
      if (t) out.push(t);
    } else if (name === "table") {
      endRun();
      const t = tableMarkdown(child);
      if (t) out.push(t);
    } else if (name === "pre") {
      endRun();
      out.push(`\`\`\`\n${textOf(child).replace(/\n$/, "")}\n\`\`\``);
    } else if (name === "hr") {
      endRun();
      out.push("---");
    } else if (name === "blockquote") {
      endRun();
      out.push(blocks(child).map((b) => b.split("\n").map((l) => `> ${l}`).join("\n")).join("\n>\n"));
    } else if (name === "head" || name === "script" || name === "style" || child.type === "script" || child.type === "style") {
    } else if (BLOCK.has(name) || name === "body" || name === "html") {
      endRun();
      out.push(...blocks(child));
    } else {
      run += inline(child);
    }
  }
  endRun();
  return out;
}

/** Markdown for an HTML document: headings, paragraphs, emphasis, links, lists, tables, code blocks. */
export function htmlToMarkdown(root: HtmlNode): string {
  return blocks(root).join("\n\n");
}

/**
 * Structure read out of Markdown with marked's lexer (CommonMark + GFM): links, headings, lists, fenced code
 * and tables, in document order. Text inside code never counts as a link or a heading.
 */
import { Lexer, type Token, type Tokens } from "marked";

/** Markdown longer than this is refused: the lexer's work grows with the input. */
export const MAX_MARKDOWN_CHARS = 1_000_000;

export function lex(markdown: string): Token[] {
  if (markdown.length > MAX_MARKDOWN_CHARS) throw new Error(`markdown is longer than ${MAX_MARKDOWN_CHARS} characters`);
  return new Lexer({ gfm: true }).lex(markdown);
}

/** Every token, depth first, including inline tokens, list items and table cells. */
export function* walk(tokens: readonly Token[]): Generator<Token> {
  for (const t of tokens) {
    yield t;
    if (t.type === "list") for (const item of (t as Tokens.List).items) yield* walk([item]);
    else if (t.type === "table") {
      const table = t as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) yield* walk(cell.tokens);
    }
    if ("tokens" in t && Array.isArray(t.tokens) && t.type !== "list") yield* walk(t.tokens);
  }
}

export interface Link {
  url: string;
  /** The link text (NodeTool calls it the title). */
  title: string;
}

/** `[text](url)`, reference links, images and `<url>` autolinks; bare URLs are text, as in NodeTool. */
export function links(tokens: readonly Token[]): Link[] {
  const found: Link[] = [];
  for (const t of walk(tokens)) {
    if (t.type === "link" || t.type === "image") {
      const link = t as Tokens.Link | Tokens.Image;
      if ("autolink" in link && link.autolink && !link.raw.startsWith("<")) continue;
      const autolink = link.raw.startsWith("<");
      found.push({ url: link.href, title: autolink ? "" : link.text });
    }
  }
  return found;
}

export function headings(tokens: readonly Token[]): { level: number; text: string }[] {
  const found: { level: number; text: string }[] = [];
  for (const t of walk(tokens)) if (t.type === "heading") found.push({ level: (t as Tokens.Heading).depth, text: (t as Tokens.Heading).text.trim() });
  return found;
}

/** The item's own text: its first line of inline content, without nested lists. */
function itemText(item: Tokens.ListItem): string {
  const own = item.tokens.filter((t) => t.type !== "list" && t.type !== "space");
  return own.map((t) => ("text" in t && typeof t.text === "string" ? t.text : t.raw)).join("\n").trim();
}

/** Each top-level list of the wanted kind, its nested lists of the same kind flattened into it in order. */
export function lists(tokens: readonly Token[], ordered: boolean): string[][] {
  const result: string[][] = [];
  const collect = (list: Tokens.List, into: string[]) => {
    for (const item of list.items) {
      into.push(itemText(item));
      for (const t of item.tokens) if (t.type === "list" && (t as Tokens.List).ordered === ordered) collect(t as Tokens.List, into);
    }
  };
  const visit = (ts: readonly Token[]) => {
    for (const t of ts) {
      if (t.type === "list") {
        const list = t as Tokens.List;
        if (list.ordered === ordered) {
          const items: string[] = [];
          collect(list, items);
          result.push(items);
        } else {
          for (const item of list.items) visit(item.tokens);
        }
      } else if (t.type === "blockquote") visit((t as Tokens.Blockquote).tokens);
    }
  };
  visit(tokens);
  return result;
}

/** Fenced code blocks (indented blocks are not, as in NodeTool); the language is the info string's first word. */
export function codeBlocks(tokens: readonly Token[]): { language: string; code: string }[] {
  const found: { language: string; code: string }[] = [];
  for (const t of walk(tokens)) {
    if (t.type !== "code") continue;
    const code = t as Tokens.Code;
    if (code.codeBlockStyle === "indented") continue;
    found.push({ language: (code.lang ?? "").trim().split(/\s+/)[0] || "text", code: code.text.trim() });
  }
  return found;
}

export function firstTable(tokens: readonly Token[]): { header: string[]; rows: string[][] } | null {
  for (const t of walk(tokens)) {
    if (t.type === "table") {
      const table = t as Tokens.Table;
      return { header: table.header.map((c) => c.text.trim()), rows: table.rows.map((r) => r.map((c) => c.text.trim())) };
    }
  }
  return null;
}

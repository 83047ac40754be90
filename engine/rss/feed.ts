import { XMLParser } from "fast-xml-parser";

/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom feeds, read into the fields Python's feedparser gives NodeTool's lib.rss
 * nodes (nodetool-base src/nodetool/nodes/lib/rss.py): the feed's title, description, link, language,
 * updated and generator, and per entry its title, link, publication time, summary and author.
 */

export interface FeedEntry {
  title: string;
  link: string;
  /** Milliseconds since the epoch, or null when the entry has no (readable) date. */
  published: number | null;
  summary: string;
  author: string;
}

export interface Feed {
  title: string;
  description: string;
  link: string;
  language: string;
  updated: string;
  generator: string;
  entries: FeedEntry[];
}

/** Longest feed document parsed (characters). */
export const MAX_FEED_CHARS = 20_000_000;

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  // Titles such as "2024" stay text.
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === "item" || name === "entry" || name === "link",
  processEntities: true,
  htmlEntities: true,
});

function asNode(value: unknown): XmlNode | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** The text of an element: a plain value, or `#text` when it carries attributes. */
function text(value: unknown): string {
  const v = first(value);
  if (v === undefined || v === null) return "";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  const node = asNode(v);
  return node && node["#text"] !== undefined ? String(node["#text"]) : "";
}

function pick(node: XmlNode, ...names: string[]): string {
  for (const name of names) {
    const value = text(node[name]);
    if (value !== "") return value;
  }
  return "";
}

/** RSS `<link>text</link>` or Atom `<link href rel>`: the alternate link, else the first one. */
function linkOf(node: XmlNode): string {
  const links = Array.isArray(node.link) ? node.link : node.link === undefined ? [] : [node.link];
  let fallback = "";
  for (const l of links) {
    const n = asNode(l);
    if (n && typeof n["@_href"] === "string") {
      const rel = typeof n["@_rel"] === "string" ? n["@_rel"] : "alternate";
      if (rel === "alternate") return n["@_href"];
      fallback ||= n["@_href"];
    } else if (text(l) !== "") return text(l);
  }
  return fallback;
}

function authorOf(node: XmlNode): string {
  const author = first(node.author);
  const name = asNode(author)?.name;
  if (name !== undefined) return text(name);
  return text(author) || pick(node, "dc:creator", "itunes:author");
}

/** RFC 822 (RSS) and ISO 8601 / RFC 3339 (Atom, Dublin Core) dates; null when unreadable. */
export function parseFeedDate(raw: string): number | null {
  const s = raw.trim();
  if (s === "") return null;
  // Date.parse reads RFC 822 with numeric zones and "GMT"; map the other named US zones it may miss.
  const zones: Record<string, string> = { UT: "+0000", Z: "+0000", EST: "-0500", EDT: "-0400", CST: "-0600", CDT: "-0500", MST: "-0700", MDT: "-0600", PST: "-0800", PDT: "-0700" };
  const normalized = s.replace(/\s([A-Z]{1,3})$/, (m, zone: string) => (zones[zone] ? ` ${zones[zone]}` : m));
  const ms = Date.parse(normalized);
  return Number.isFinite(ms) ? ms : null;
}

function entryOf(node: XmlNode): FeedEntry {
  return {
    title: pick(node, "title"),
    link: linkOf(node),
    published: parseFeedDate(pick(node, "pubDate", "published", "dc:date", "issued")),
    summary: pick(node, "description", "summary", "content:encoded", "content"),
    author: authorOf(node),
  };
}

export function parseFeed(xml: string): Feed {
  if (xml.length > MAX_FEED_CHARS) throw new Error(`the feed is ${xml.length} characters long; at most ${MAX_FEED_CHARS} are parsed`);
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (err) {
    throw new Error(`the feed is not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const rss = asNode(doc.rss);
  const rdf = asNode(doc["rdf:RDF"]);
  const atom = asNode(doc.feed);
  if (atom) {
    const entries = Array.isArray(atom.entry) ? atom.entry : [];
    return {
      title: pick(atom, "title"),
      description: pick(atom, "subtitle", "tagline"),
      link: linkOf(atom),
      language: typeof atom["@_xml:lang"] === "string" ? atom["@_xml:lang"] : "",
      updated: pick(atom, "updated", "modified"),
      generator: pick(atom, "generator"),
      entries: entries.map((e) => entryOf(asNode(e) ?? {})),
    };
  }
  const channel = asNode(first(rss?.channel)) ?? asNode(first(rdf?.channel));
  if (!channel) throw new Error("the document is not an RSS or Atom feed (no <rss><channel>, <rdf:RDF> or <feed>)");
  const items = Array.isArray(channel.item) && channel.item.length > 0 ? channel.item : Array.isArray(rdf?.item) ? rdf.item : [];
  return {
    title: pick(channel, "title"),
    description: pick(channel, "description", "dc:description"),
    link: linkOf(channel),
    language: pick(channel, "language", "dc:language"),
    updated: pick(channel, "lastBuildDate", "dc:date", "pubDate"),
    generator: pick(channel, "generator"),
    entries: items.map((i) => entryOf(asNode(i) ?? {})),
  };
}

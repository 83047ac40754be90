import { isTag, Text, type Element } from "domhandler";
import { appendChild, replaceElement } from "domutils";
import { attribute, elementsNamed, firstElement, parseHtml, removeElements, soleString, textOf, urljoin } from "./dom";

/**
 * What the `lib.beautifulsoup` nodes read from a page, with NodeTool's rules (nodetool-base
 * src/nodetool/nodes/lib/beautifulsoup.py and nodetool-core src/nodetool/html/convert_html.py).
 */

const BLOCKS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li"];

/**
 * HTML to plain text: `<br>` and the ends of paragraphs, divs, headings and list items become newlines
 * (when `preserveLinebreaks`), blank-line runs fold to one blank line, space runs to one space.
 */
export function htmlToText(html: string, preserveLinebreaks: boolean): string {
  const doc = parseHtml(html);
  if (preserveLinebreaks) {
    for (const br of elementsNamed(doc, ["br"])) replaceElement(br, new Text("\n"));
    for (const el of elementsNamed(doc, BLOCKS)) appendChild(el, new Text("\n"));
  }
  return textOf(doc)
    .replace(/\n\s*\n/g, "\n\n")
    .replace(/ +/g, " ")
    .trim();
}

const CONTENT_CANDIDATES: ((el: Element) => boolean)[] = [
  (el) => el.name === "article",
  (el) => el.name === "main",
  (el) => el.name === "div" && (attribute(el, "id") ?? "").includes("content"),
  (el) => el.name === "div" && (attribute(el, "class") ?? "").includes("content"),
];

/**
 * The main text of a page: scripts and styles dropped; the first `<article>`, else `<main>`, else a div whose
 * id or class contains "content", else `<body>`; navigation, sidebars, headers and footers inside it dropped;
 * whitespace folded. Without any of these (not even a `<body>`), NodeTool's "No main content found".
 */
export function mainContentText(html: string): string {
  const doc = parseHtml(html, "html_content");
  removeElements(doc, ["script", "style"]);
  let main: Element | null = null;
  for (const test of CONTENT_CANDIDATES) {
    main = firstElement(doc, test);
    if (main) break;
  }
  main ??= firstElement(doc, (el) => el.name === "body");
  if (!main) return "No main content found";
  removeElements(main, ["nav", "sidebar", "footer", "header"]);
  return textOf(main).replace(/\s+/g, " ").trim();
}

export interface PageLink {
  href: string;
  text: string;
  type: "internal" | "external";
}

/** Every `<a href>`: internal when the href starts with the base URL (any href, for an empty base) or with `/`. */
export function pageLinks(html: string, baseUrl: string): PageLink[] {
  const doc = parseHtml(html);
  const links: PageLink[] = [];
  for (const a of elementsNamed(doc, ["a"])) {
    const href = attribute(a, "href");
    if (href === undefined) continue;
    const type = href.startsWith(baseUrl) || href.startsWith("/") ? "internal" : "external";
    links.push({ href, text: textOf(a).trim(), type });
  }
  return links;
}

function sourcesOf(elements: Element[], baseUrl: string, src: (el: Element) => string | undefined): string[] {
  const urls: string[] = [];
  for (const el of elements) {
    const value = src(el);
    if (value) urls.push(urljoin(baseUrl, value));
  }
  return urls;
}

/** `<img src>` URLs, resolved against the base URL. */
export function imageSources(html: string, baseUrl: string): string[] {
  return sourcesOf(elementsNamed(parseHtml(html), ["img"]), baseUrl, (el) => attribute(el, "src"));
}

/** `<video>` (its own src, else its first `<source>`'s) and `<iframe>` URLs, in document order. */
export function videoSources(html: string, baseUrl: string): string[] {
  return sourcesOf(elementsNamed(parseHtml(html), ["video", "iframe"]), baseUrl, (el) => {
    if (el.name === "iframe") return attribute(el, "src");
    const own = attribute(el, "src");
    if (own) return own;
    const source = firstElement(el, (child) => child.name === "source");
    return source ? attribute(source, "src") : undefined;
  });
}

/**
 * `<audio>` and `<source>` URLs in document order. NodeTool takes every `<source>`, including those of a
 * `<video>`, and so do we.
 */
export function audioSources(html: string, baseUrl: string): string[] {
  return sourcesOf(elementsNamed(parseHtml(html), ["audio", "source"]), baseUrl, (el) => attribute(el, "src"));
}

export interface PageMetadata {
  title: string | null;
  description: string | null;
  keywords: string | null;
}

/** The first `<title>`'s text and the `description` / `keywords` meta tags' content (null when absent). */
export function pageMetadata(html: string): PageMetadata {
  const doc = parseHtml(html);
  const title = firstElement(doc, (el) => el.name === "title");
  const meta = (name: string) => {
    const el = firstElement(doc, (e) => e.name === "meta" && attribute(e, "name") === name);
    return el ? (attribute(el, "content") ?? null) : null;
  };
  return { title: title && isTag(title) ? soleString(title) : null, description: meta("description"), keywords: meta("keywords") };
}

import type { AnyNode, Document, Element } from "domhandler";
import { isCDATA, isTag, isText } from "domhandler";
import { findAll, findOne, removeElement } from "domutils";
import { parseDocument } from "htmlparser2";

/**
 * A forgiving HTML parse (htmlparser2, pure JS: runs in workerd and Node) plus the few BeautifulSoup
 * operations the web nodes need. Like BeautifulSoup's "html.parser" it builds the tree as written: no `<html>`
 * or `<body>` is invented when the markup has none.
 */

/** Longest HTML the helpers accept (characters); a page is rarely over a few MB. */
export const MAX_HTML_CHARS = 20_000_000;

export function parseHtml(html: string, what = "html"): Document {
  if (html.length > MAX_HTML_CHARS) throw new Error(`${what} is ${html.length} characters long; at most ${MAX_HTML_CHARS} are parsed`);
  return parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
}

/** Elements with one of the names, in document order (BeautifulSoup `find_all([...])`). */
export function elementsNamed(root: Document | Element, names: readonly string[]): Element[] {
  return findAll((el) => names.includes(el.name), root.children);
}

/** The first element, in document order, that matches (BeautifulSoup `find` / `select_one`). */
export function firstElement(root: Document | Element, test: (el: Element) => boolean): Element | null {
  return findOne(test, root.children, true);
}

/** An attribute's value, or undefined when the element does not have it. */
export function attribute(el: Element, name: string): string | undefined {
  return  Object.hasOwn(el.attribs, name) ? el.attribs[name] : undefined;
}

/** Script, style and template contents are not page text (BeautifulSoup's get_text skips them too). */
const NOT_TEXT = new Set(["script", "style", "template"]);

/** The text of a node and its descendants, concatenated (BeautifulSoup `get_text()`). */
export function textOf(node: AnyNode | Document): string {
  const parts: string[] = [];
  const walk = (n: AnyNode) => {
    if (isText(n)) parts.push(n.data);
    else if (isCDATA(n)) n.children.forEach(walk);
    else if (isTag(n)) {
      if (!NOT_TEXT.has(n.name)) n.children.forEach(walk);
    }
  };
  if ("children" in node) node.children.forEach(walk);
  else walk(node);
  return parts.join("");
}

/** BeautifulSoup's `.string`: the text of an element whose one child is text, else null. */
export function soleString(el: Element): string | null {
  if (el.children.length !== 1) return null;
  const only = el.children[0];
  if (isText(only)) return only.data;
  return isTag(only) ? soleString(only) : null;
}

/** Removes every descendant element with one of the names (BeautifulSoup `decompose`). */
export function removeElements(root: Document | Element, names: readonly string[]): void {
  for (const el of elementsNamed(root, names)) removeElement(el);
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * Python's `urljoin(base, ref)`, which the scraping nodes resolve relative links with: an absolute reference
 * stays as written, an empty base leaves the reference as it is, anything else resolves against the base.
 */
export function urljoin(base: string, ref: string): string {
  if (base === "") return ref;
  if (ref === "") return base;
  if (SCHEME.test(ref)) return ref;
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

/** Python's `f"{scheme}://{netloc}"` of `urlparse(url)`: the scheme (lower case) and the authority as written. */
export function schemeAndNetloc(url: string): string {
  const scheme = SCHEME.exec(url);
  const rest = scheme ? url.slice(scheme[0].length) : url;
  const netloc = rest.startsWith("//") ? /^\/\/([^/?#]*)/.exec(rest)![1] : "";
  return `${scheme ? scheme[1].toLowerCase() : ""}://${netloc}`;
}

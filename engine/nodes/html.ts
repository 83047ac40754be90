import { schemeAndNetloc } from "../html/dom";
import { audioSources, htmlToText, imageSources, mainContentText, pageLinks, pageMetadata, videoSources } from "../html/extract";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl } from "../registry/types";
import { toBool, toText } from "../values/coerce";

/**
 * `lib.beautifulsoup`: reading pages that are already fetched (nodetool-base
 * src/nodetool/nodes/lib/beautifulsoup.py). The extractors stream one item per element found, in document
 * order; media come out as references to their (resolved) URLs.
 */

const htmlProp = (what: string) => prop("html", "str", "", { description: `The HTML content to extract ${what} from.` });
const baseUrlProp = (why: string) => prop("base_url", "str", "", { description: `The base URL of the page, used to ${why}.` });
const text = (inputs: Inputs, name: string) => toText(inputs[name] ?? "");

const mediaRef = (type: string, uri: string) => ({ type, uri, asset_id: null, data: null });

export const htmlNodes: NodeDecl[] = [
  defineNode({
    type: "lib.beautifulsoup.BaseUrl",
    description: "Extract the base URL from a given URL.\n    url parsing, domain extraction, web utilities",
    properties: [prop("url", "str", "", { title: "URL", description: "The URL to extract the base from" })],
    outputs: [out("output", "str")],
    process: (inputs) => {
      const url = text(inputs, "url");
      if (url === "") throw new Error("URL must not be empty");
      return { output: schemeAndNetloc(url) };
    },
  }),
  defineNode({
    type: "lib.beautifulsoup.ExtractLinks",
    description: "Extract all links from HTML content with type classification.\n    extract, links, urls, web scraping, html",
    properties: [htmlProp("links"), baseUrlProp("determine internal/external links")],
    outputs: [out("href", "str"), out("text", "str"), out("type", "str")],
    gen: function* (inputs) {
      for (const link of pageLinks(text(inputs, "html"), text(inputs, "base_url"))) yield { href: link.href, text: link.text, type: link.type };
    },
  }),
  defineNode({
    type: "lib.beautifulsoup.ExtractMetadata",
    description: "Extract metadata from HTML content.\n    extract, metadata, seo",
    properties: [htmlProp("metadata")],
    outputs: [out("title", "str"), out("description", "str"), out("keywords", "str")],
    process: (inputs) => ({ ...pageMetadata(text(inputs, "html")) }),
  }),
  defineNode({
    type: "lib.beautifulsoup.ExtractImages",
    description: "Extract images from HTML content.\n    extract, images, src",
    properties: [htmlProp("images"), baseUrlProp("resolve relative image URLs")],
    outputs: [out("image", "image")],
    gen: function* (inputs) {
      for (const uri of imageSources(text(inputs, "html"), text(inputs, "base_url"))) yield { image: mediaRef("image", uri) };
    },
  }),
  defineNode({
    type: "lib.beautifulsoup.ExtractVideos",
    description: "Extract videos from HTML content.\n    extract, videos, src",
    properties: [htmlProp("videos"), baseUrlProp("resolve relative video URLs")],
    outputs: [out("video", "video")],
    gen: function* (inputs) {
      for (const uri of videoSources(text(inputs, "html"), text(inputs, "base_url"))) yield { video: mediaRef("video", uri) };
    },
  }),
  defineNode({
    type: "lib.beautifulsoup.ExtractAudio",
    description: "Extract audio elements from HTML content.\n    extract, audio, src",
    properties: [htmlProp("audio"), baseUrlProp("resolve relative audio URLs")],
    outputs: [out("audio", "audio")],
    gen: function* (inputs) {
      for (const uri of audioSources(text(inputs, "html"), text(inputs, "base_url"))) yield { audio: mediaRef("audio", uri) };
    },
  }),
  defineNode({
    type: "lib.beautifulsoup.WebsiteContentExtractor",
    description:
      "Extract main content from a website, removing navigation, ads, and other non-essential elements.\n    scrape, web scraping, content extraction, text analysis",
    properties: [prop("html_content", "str", "", { description: "The raw HTML content of the website." })],
    outputs: [out("output", "str")],
    process: (inputs) => ({ output: mainContentText(text(inputs, "html_content")) }),
  }),
  defineNode({
    type: "lib.beautifulsoup.HTMLToText",
    title: "Convert HTML to Text",
    description: "Converts HTML to plain text by removing tags and decoding entities using BeautifulSoup.\n    html, text, convert",
    properties: [
      prop("text", "str", "", { title: "HTML" }),
      prop("preserve_linebreaks", "bool", true, { title: "Preserve Line Breaks", description: "Convert block-level elements to newlines" }),
    ],
    outputs: [out("output", "str")],
    process: (inputs) => ({ output: htmlToText(text(inputs, "text"), toBool(inputs.preserve_linebreaks ?? true)) }),
  }),
];

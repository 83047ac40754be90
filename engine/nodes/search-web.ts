import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import {
  DEFAULT_LOCALE,
  formatResults,
  heading,
  imageRef,
  int,
  LIST_OUTPUTS,
  listAt,
  Listing,
  pyStr,
  ratingLine,
  required,
  serpSearch,
  thousands,
  truthy,
} from "../search/serp";
import { isRecord, toText } from "../values/coerce";

/**
 * Web search engines other than Google: `search.bing`, `search.duckduckgo`, `search.international`,
 * `search.youtube` and `search.yelp`, with NodeTool's parameters and listings (nodetool-base
 * src/nodetool/nodes/search/bing.py, duckduckgo.py, international.py, youtube.py, yelp.py).
 */

const query = (description = "Search query or keyword to search for") => prop("query", "str", "", { description });
const numResults = (fallback = 10, description = "Maximum number of results to return") => prop("num_results", "int", fallback, { description });

export const searchWebNodes: NodeDecl[] = [
  defineNode({
    type: "search.bing.BingSearch",
    description: "Search Bing to retrieve organic web search results.\n    bing, search, serp, web, query",
    properties: [query(), numResults()],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "bing", { q, count: int(inputs, "num_results", 10), ...DEFAULT_LOCALE }), "organic_results");
      return { results, text: formatResults(results, [["link", null], ["displayed_link", "URL"], ["date", "Date"], ["snippet", null]]) };
    },
  }),
  defineNode({
    type: "search.bing.BingNews",
    description: "Search Bing News to retrieve current news articles and headlines.\n    bing, news, serp, articles, journalism",
    properties: [query("Search query or keyword for news articles"), numResults(10, "Maximum number of news results to return")],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const data = await serpSearch(ctx, "bing_news", { q, count: int(inputs, "num_results", 10), ...DEFAULT_LOCALE });
      let results = listAt(data, "organic_results");
      if (results.length === 0) results = listAt(data, "news_results");
      return { results, text: formatResults(results, [["link", null], ["source", "Source"], ["date", "Date"], ["snippet", null]]) };
    },
  }),
  defineNode({
    type: "search.bing.BingImages",
    description: "Search Bing Images to find visual content from across the web.\n    bing, images, serp, visual, search",
    properties: [query("Search query or keyword for images"), numResults(20, "Maximum number of image results to return")],
    outputs: [out("results", "list[dict]"), out("text", "str"), out("images", "list[image]")],
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "bing_images", { q, count: int(inputs, "num_results", 20), ...DEFAULT_LOCALE }), "images_results");
      const text = formatResults(results, [["source", "Source"], ["original", null], ["size", "Size"]]);
      const images = results.filter((img) => truthy(img.original)).map((img) => imageRef(toText(img.original)));
      return { results, text, images };
    },
  }),
  defineNode({
    type: "search.duckduckgo.DuckDuckGoSearch",
    description: "Search DuckDuckGo for privacy-focused web search results.\n    duckduckgo, search, web, privacy, query",
    properties: [query("Search query"), numResults()],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "duckduckgo", { q }), "organic_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.snippet);
        text.field(r.displayed_link);
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.international.BaiduSearch",
    description: "Search Baidu to retrieve organic search results from China's largest search engine.\n    baidu, search, serp, web, chinese, china, query",
    properties: [query(), numResults(10, "Maximum number of results to return (max 50)")],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "baidu", { q, rn: int(inputs, "num_results", 10), ...DEFAULT_LOCALE }), "organic_results");
      return { results, text: formatResults(results, [["link", null], ["snippet", null]]) };
    },
  }),
  defineNode({
    type: "search.international.YahooSearch",
    description: "Search Yahoo to retrieve organic web search results.\n    yahoo, search, serp, web, query",
    properties: [query(), numResults()],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const p = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "yahoo", { p, ...DEFAULT_LOCALE }), "organic_results").slice(0, int(inputs, "num_results", 10));
      return { results, text: formatResults(results, [["link", null], ["displayed_link", "URL"], ["snippet", null]]) };
    },
  }),
  defineNode({
    type: "search.international.NaverSearch",
    description: "Search Naver to retrieve organic search results from South Korea's largest search engine.\n    naver, search, serp, web, korean, korea, query",
    properties: [query(), numResults(10, "Maximum number of results to return (max 100)")],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "naver", { query: q, num: int(inputs, "num_results", 10), ...DEFAULT_LOCALE }), "organic_results");
      return { results, text: formatResults(results, [["link", null], ["snippet", null]]) };
    },
  }),
  defineNode({
    type: "search.youtube.YouTubeSearch",
    description: "Search YouTube for videos, channels, and content.\n    youtube, search, video, content, streaming, media",
    properties: [query("Search query for YouTube videos"), numResults()],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "youtube", { search_query: q, ...DEFAULT_LOCALE }), "video_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(`[${pyStr(r.position ?? r.position_on_page ?? i + 1)}] ${pyStr(r.title ?? "Untitled")}`);
        const channel = isRecord(r.channel) ? (r.channel.name ?? "") : (r.channel ?? "");
        text.field(channel, "Channel");
        if (r.views !== null && r.views !== undefined) text.add(`    Views: ${thousands(r.views)}`);
        text.field(r.published_date, "Published");
        text.field(r.length, "Duration");
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.yelp.YelpSearch",
    description: "Search Yelp for businesses, restaurants, and local services.\n    yelp, search, businesses, restaurants, reviews, local",
    properties: [
      query("Business type or name to search for"),
      prop("location", "str", "", { description: "Location to search in (e.g., 'San Francisco, CA')" }),
      numResults(),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const findDesc = required(inputs, "query", "Query is required");
      const findLoc = required(inputs, "location", "Location is required for Yelp search");
      const results = listAt(await serpSearch(ctx, "yelp", { find_desc: findDesc, find_loc: findLoc }), "organic_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        const rating = ratingLine(r);
        if (rating) text.add(rating);
        text.field(r.price, "Price");
        text.field(r.address, "Address");
        if (Array.isArray(r.categories) && r.categories.length > 0) text.add(`    Categories: ${r.categories.map(pyStr).join(", ")}`);
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
];

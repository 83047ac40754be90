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
  str,
  thousands,
  truthy,
  type SerpParams,
} from "../search/serp";
import { enumValue, isRecord, toText } from "../values/coerce";

/**
 * `search.google`, `search.trends`, `search.scholar` and `search.google_trends_extra`: Google's SerpAPI
 * engines with the parameters NodeTool sends (nodetool-base src/nodetool/nodes/search/google.py, trends.py,
 * scholar.py, google_trends_extra.py; engines and parameters from nodetool-core's serp_api_provider.py).
 */

const numResults = (fallback = 10, description = "Maximum number of results to return") => prop("num_results", "int", fallback, { description });

const TRENDING_FREQUENCY = { REALTIME: "realtime", DAILY: "daily" } as const;

/** Google Shopping's `tbs` filter string, built as NodeTool builds it. */
function shoppingTbs(minPrice: number | null, maxPrice: number | null, condition: string, sortBy: string): string {
  const parts: string[] = [];
  const priceFilter = (part: string) => {
    parts.push(part);
    if (!parts.includes("price:1")) parts.unshift("price:1");
    if (!parts.includes("mr:1")) parts.unshift("mr:1");
  };
  if (minPrice !== null) priceFilter(`ppr_min:${minPrice}`);
  if (maxPrice !== null) priceFilter(`ppr_max:${maxPrice}`);
  const c = condition.toLowerCase();
  if (c === "new") parts.push("p_cond:new");
  else if (c === "used" || c === "refurbished") parts.push("p_cond:used");
  if (sortBy) parts.push(`sort:${sortBy}`);
  return parts.join(",");
}

export const searchGoogleNodes: NodeDecl[] = [
  defineNode({
    type: "search.google.GoogleSearch",
    description: "Search Google to retrieve organic search results from the web.\n    google, search, serp, web, query",
    properties: [prop("keyword", "str", "", { description: "Search query or keyword to search for" }), numResults()],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "keyword", "Keyword is required");
      const data = await serpSearch(ctx, "google_light", { q, num: int(inputs, "num_results", 10), ...DEFAULT_LOCALE });
      const results = listAt(data, "organic_results");
      return { results, text: formatResults(results, [["link", null], ["date", "Date"], ["snippet", null]]) };
    },
  }),
  defineNode({
    type: "search.google.GoogleNews",
    description: "Search Google News to retrieve current news articles and headlines.\n    google, news, serp, articles, journalism",
    properties: [prop("keyword", "str", "", { description: "Search query or keyword for news articles" }), numResults(10, "Maximum number of news results to return")],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "keyword", "Keyword is required");
      const data = await serpSearch(ctx, "google_news", { q, num: int(inputs, "num_results", 10), ...DEFAULT_LOCALE });
      const results = listAt(data, "news_results");
      return { results, text: formatResults(results, [["link", null], ["date", "Date"]]) };
    },
  }),
  defineNode({
    type: "search.google.GoogleImages",
    description: "Search Google Images to find visual content or perform reverse image search.\n    google, images, serp, visual, reverse, search",
    properties: [
      prop("keyword", "str", "", { description: "Search query or keyword for images" }),
      prop("image_url", "str", "", { description: "URL of image for reverse image search" }),
      numResults(20, "Maximum number of image results to return"),
    ],
    outputs: [out("output", "list[image]")],
    process: async (inputs, ctx) => {
      const keyword = str(inputs, "keyword");
      const imageUrl = str(inputs, "image_url");
      if (!keyword && !imageUrl) throw new Error("One of 'keyword' or 'image_url' is required.");
      const params: SerpParams = { num: int(inputs, "num_results", 20), ...DEFAULT_LOCALE };
      // A reverse search replaces the keyword search (NodeTool drops `q` then).
      if (imageUrl) params.image_url = imageUrl;
      else params.q = keyword;
      const data = await serpSearch(ctx, imageUrl ? "google_reverse_image" : "google_images", params);
      return { output: listAt(data, "images_results").filter((img) => truthy(img.original)).map((img) => imageRef(toText(img.original))) };
    },
  }),
  defineNode({
    type: "search.google.GoogleFinance",
    description: "Retrieve financial market data and stock information from Google Finance.\n    google, finance, stocks, market, serp, trading",
    properties: [
      prop("query", "str", "", { description: "Stock symbol or company name to search for" }),
      prop("window", "str", "", { description: "Time window for financial data (e.g., '1d', '5d', '1m', '3m', '6m', '1y', '5y')" }),
    ],
    outputs: [out("output", "dict[str,any]")],
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required for Google Finance search.");
      const window = str(inputs, "window");
      return { output: await serpSearch(ctx, "google_finance", { q, ...DEFAULT_LOCALE, ...(window ? { window } : {}) }) };
    },
  }),
  defineNode({
    type: "search.google.GoogleJobs",
    description: "Search Google Jobs for employment opportunities and job listings.\n    google, jobs, employment, careers, serp, hiring",
    properties: [
      // Older files name the query `keyword`.
      prop("query", "str", "", { description: "Job title, skills, or company name to search for", aliases: ["keyword"] }),
      prop("location", "str", "", { description: "Geographic location for job search" }),
      numResults(10, "Maximum number of job results to return"),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required for Google Jobs search.");
      const location = str(inputs, "location");
      const data = await serpSearch(ctx, "google_jobs", { q, hl: DEFAULT_LOCALE.hl, gl: DEFAULT_LOCALE.gl, ...(location ? { location } : {}) });
      const results = listAt(data, "jobs_results");
      const text = formatResults(results, [["company_name", "Company"], ["location", "Location"], ["via", "Via"], ["extensions", "Details"]]);
      return { results, text };
    },
  }),
  defineNode({
    type: "search.google.GoogleLens",
    description: "Analyze images using Google Lens to find visual matches and related content.\n    google, lens, visual, image, search, serp, identify",
    properties: [prop("image_url", "str", "", { description: "URL of the image to analyze with Google Lens" }), numResults(10, "Maximum number of visual search results to return")],
    outputs: [out("results", "list[dict]"), out("images", "list[image]")],
    process: async (inputs, ctx) => {
      const url = required(inputs, "image_url", "Image URL is required for Google Lens search.");
      const matches = listAt(await serpSearch(ctx, "google_lens", { url, hl: DEFAULT_LOCALE.hl }), "visual_matches");
      const images = matches.filter((m) => truthy(m.image) || truthy(m.thumbnail)).map((m) => imageRef(toText(m.image ?? m.thumbnail ?? "")));
      return { results: matches, images };
    },
  }),
  defineNode({
    type: "search.google.GoogleMaps",
    description: "Search Google Maps for places, businesses, and get location details.\n    google, maps, places, locations, serp, geography",
    properties: [
      prop("query", "str", "", { description: "Place name, address, or location query", aliases: ["keyword"] }),
      numResults(10, "Maximum number of map results to return"),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required for map search.");
      const results = listAt(await serpSearch(ctx, "google_maps", { ...DEFAULT_LOCALE, type: "search", q }), "local_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.address);
        const rating = ratingLine(r);
        if (rating) text.add(rating);
        text.field(r.price, "Price");
        text.field(r.open_state);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.google.GoogleShopping",
    description: "Search Google Shopping for products with filters and pricing information.\n    google, shopping, products, ecommerce, serp, prices",
    properties: [
      prop("query", "str", "", { description: "Product name or description to search for" }),
      prop("country", "str", "us", { description: "Country code for shopping search (e.g., 'us', 'uk', 'ca')" }),
      prop("min_price", "int", 0, { description: "Minimum price filter for products" }),
      prop("max_price", "int", 0, { description: "Maximum price filter for products" }),
      prop("condition", "str", "", { description: "Product condition filter (e.g., 'new', 'used', 'refurbished')" }),
      prop("sort_by", "str", "", { description: "Sort order for results (e.g., 'price_low_to_high', 'price_high_to_low', 'review_score')" }),
      numResults(10, "Maximum number of shopping results to return"),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required for Google Shopping search.");
      const min = int(inputs, "min_price", 0);
      const max = int(inputs, "max_price", 0);
      const tbs = shoppingTbs(min > 0 ? min : null, max > 0 ? max : null, str(inputs, "condition"), str(inputs, "sort_by"));
      const params: SerpParams = { q, hl: DEFAULT_LOCALE.hl, gl: str(inputs, "country") || "us", ...(tbs ? { tbs } : {}) };
      const results = listAt(await serpSearch(ctx, "google_shopping", params), "shopping_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        if (truthy(r.price)) text.add(`    Price: ${pyStr(r.price)}${truthy(r.old_price) ? ` (was ${pyStr(r.old_price)})` : ""}`);
        text.field(r.source, "Source");
        text.field(r.link);
        if (r.rating !== null && r.rating !== undefined) text.add(`    Rating: ${pyStr(r.rating)}`);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.trends.GoogleTrends",
    description: "Retrieve Google Trends data showing search interest over time.\n    google, trends, popularity, interest, analytics, zeitgeist",
    properties: [
      prop("query", "str", "", { description: "Search term to get trends for" }),
      prop("date", "str", "", { description: "Time range (e.g., 'today 12-m' for past year, 'today 3-m', '2024-01-01 2024-12-31')" }),
      prop("geo", "str", "", { description: "Geographic region code (e.g., 'US', 'GB', 'DE')" }),
    ],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const date = str(inputs, "date");
      const geo = str(inputs, "geo");
      return { output: await serpSearch(ctx, "google_trends", { q, ...(date ? { date } : {}), ...(geo ? { geo } : {}) }) };
    },
  }),
  defineNode({
    type: "search.scholar.GoogleScholar",
    description: "Search Google Scholar for academic papers, articles, and citations.\n    google, scholar, academic, papers, research, citations, science",
    properties: [prop("query", "str", "", { description: "Academic search query" }), numResults()],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "google_scholar", { q, num: int(inputs, "num_results", 10), hl: DEFAULT_LOCALE.hl }), "organic_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        if (r.publication_info) text.add(`    ${isRecord(r.publication_info) ? pyStr(r.publication_info.summary ?? "") : pyStr(r.publication_info)}`);
        text.field(r.snippet);
        const citedBy = isRecord(r.inline_links) && isRecord(r.inline_links.cited_by) ? r.inline_links.cited_by.total : undefined;
        text.field(citedBy, "Cited by");
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.google_trends_extra.GoogleTrendingNow",
    description:
      "Retrieve currently trending searches from Google Trends, including\n    real-time and daily trending topics with traffic volume and categories.\n    google, trends, trending, viral, popular, realtime, daily, buzz",
    properties: [
      prop("geo", "str", "US", { description: "Country code for trending results (e.g., 'US', 'GB', 'DE')" }),
      prop("category", "str", "all", { description: "Trending category to filter by (e.g., 'all', or a category ID)" }),
      prop("frequency", "enum", "realtime", { values: Object.values(TRENDING_FREQUENCY), description: "Frequency of trending data: 'realtime' or 'daily'" }),
      prop("hours", "int", 24, { description: "Time range in hours (4, 24, 48, or 168)" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      // NodeTool accepts `frequency` but does not send it; the engine's `hours` decides.
      enumValue(inputs.frequency ?? "realtime", TRENDING_FREQUENCY);
      const category = str(inputs, "category");
      const params: SerpParams = { geo: str(inputs, "geo"), hours: int(inputs, "hours", 24), ...DEFAULT_LOCALE };
      if (category && category !== "all") params.category_id = category;
      const data = await serpSearch(ctx, "google_trends_trending_now", params);
      let results = listAt(data, "trending_searches");
      if (results.length === 0) results = listAt(data, "realtime_searches");
      if (results.length === 0) results = listAt(data, "daily_searches");
      const text = new Listing();
      results.forEach((item, i) => {
        text.add(`[${i + 1}] ${pyStr(item.query ?? item.title ?? "Unknown")}`);
        if (item.search_volume !== null && item.search_volume !== undefined) text.add(`    Traffic: ${thousands(item.search_volume)}+ searches`);
        if (item.increase_percentage !== null && item.increase_percentage !== undefined) text.add(`    Increase: ${pyStr(item.increase_percentage)}%`);
        if (item.active !== null && item.active !== undefined) text.add(`    Active: ${item.active ? "Yes" : "No"}`);
        const names = (Array.isArray(item.categories) ? item.categories : []).map((c) => (isRecord(c) ? toText(c.name ?? "") : "")).filter(Boolean);
        if (names.length > 0) text.add(`    Categories: ${names.join(", ")}`);
        const breakdown = Array.isArray(item.trend_breakdown) ? item.trend_breakdown : [];
        if (breakdown.length > 0) text.add(`    Related: ${breakdown.slice(0, 5).map(pyStr).join(", ")}`);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
];

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SerpApiSearchService } from "../../host/search/search-service";
import { CORE_NODES } from "../../engine/nodes/index";
import type { EngineServices } from "../../engine/registry/types";
import { outputOf, outputsOf, runWith, searchService, startLoopback, type Loopback, type RecordedRequest } from "./nodes-http-fixtures";

/** A SerpAPI-compatible provider on loopback: it records each query and answers with canned results. */
const item = (i: number) => ({
  position: i,
  title: `Result ${i}`,
  link: `https://r${i}.example/`,
  snippet: `snippet ${i}`,
  original: `https://img.example/${i}.jpg`,
  thumbnail: `https://img.example/t${i}.jpg`,
  image: "https://img.example/removed.jpg",
  favicon: "data:image/png;base64,AAAA",
  rating: 4.5,
  reviews: 12,
  views: 1234567,
  value: `suggestion ${i}`,
  name: `Name ${i}`,
  query: `trend ${i}`,
});
const LIST = [item(1), item(2)];
const LIST_KEYS = [
  "organic_results", "news_results", "images_results", "jobs_results", "local_results", "shopping_results", "visual_matches", "events_results",
  "video_results", "suggestions", "properties", "trending_searches", "products", "reviews", "best_flights", "articles",
];

function answer(req: RecordedRequest): { status: number; body: unknown } {
  const q = req.query.get("q");
  if (q === "bad key") return { status: 401, body: { error: "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key" } };
  if (q === "nothing") return { status: 200, body: { search_metadata: { status: "Success" }, error: "Google hasn't returned any results for this query." } };
  if (q === "html") return { status: 502, body: "<html>bad gateway</html>" };
  const body: Record<string, unknown> = { search_metadata: { status: "Success" }, search_parameters: Object.fromEntries(req.query) };
  for (const key of LIST_KEYS) body[key] = LIST;
  if (req.query.get("engine") === "google_play") body.organic_results = [{ title: "Top", items: [item(1), item(2)] }, { items: [item(3)] }];
  Object.assign(body, {
    transcript: [{ snippet: " hello " }, { snippet: "" }, { snippet: "world" }],
    product_result: { title: "Product", image: "https://img.example/p.jpg" },
    product_results: { title: "eBay product" },
    title: "Video title",
    views: 10,
    channel: { name: "Chan" },
    related_videos: [{}, {}],
    author: { name: "Scholar" },
    place_info: { title: "Pizza Place", rating: 4.2, reviews: 100 },
  });
  return { status: 200, body };
}

let server: Loopback;
let services: Partial<EngineServices>;
beforeAll(async () => {
  server = await startLoopback({
    "/search.json": (req, res) => {
      const { status, body } = answer(req);
      res.writeHead(status, { "Content-Type": typeof body === "string" ? "text/html" : "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
    },
  });
  services = { search: searchService(server) };
});
afterAll(() => server?.close());

const LOCALE = { hl: "en", gl: "us" };

/** [node type, properties, engine it must call, exact parameters it must send (besides engine and api_key)]. */
const CASES: [string, Record<string, unknown>, string, Record<string, string>][] = [
  ["search.google.GoogleSearch", { keyword: "ada", num_results: 5 }, "google_light", { q: "ada", num: "5", ...LOCALE }],
  ["search.google.GoogleNews", { keyword: "ada" }, "google_news", { q: "ada", num: "10", ...LOCALE }],
  ["search.google.GoogleImages", { keyword: "cats", num_results: 3 }, "google_images", { q: "cats", num: "3", ...LOCALE }],
  ["search.google.GoogleImages", { image_url: "https://x.example/y.png" }, "google_reverse_image", { image_url: "https://x.example/y.png", num: "20", ...LOCALE }],
  ["search.google.GoogleFinance", { query: "GOOG", window: "1M" }, "google_finance", { q: "GOOG", window: "1M", ...LOCALE }],
  ["search.google.GoogleJobs", { keyword: "chef", location: "Paris" }, "google_jobs", { q: "chef", location: "Paris", ...LOCALE }],
  ["search.google.GoogleLens", { image_url: "https://x.example/y.png" }, "google_lens", { url: "https://x.example/y.png", hl: "en" }],
  ["search.google.GoogleMaps", { keyword: "pizza" }, "google_maps", { q: "pizza", type: "search", ...LOCALE }],
  [
    "search.google.GoogleShopping",
    { query: "shoes", min_price: 10, max_price: 50, condition: "refurbished", sort_by: "p" },
    "google_shopping",
    { q: "shoes", hl: "en", gl: "us", tbs: "mr:1,price:1,ppr_min:10,ppr_max:50,p_cond:used,sort:p" },
  ],
  ["search.trends.GoogleTrends", { query: "soup", geo: "DE" }, "google_trends", { q: "soup", geo: "DE" }],
  ["search.scholar.GoogleScholar", { query: "graphs", num_results: 3 }, "google_scholar", { q: "graphs", num: "3", hl: "en" }],
  ["search.google_trends_extra.GoogleTrendingNow", { geo: "GB", category: "17", hours: 4 }, "google_trends_trending_now", { geo: "GB", hours: "4", category_id: "17", ...LOCALE }],
  ["search.google_extra.GoogleEvents", { query: "concerts", location: "Austin" }, "google_events", { q: "concerts", location: "Austin", ...LOCALE }],
  [
    "search.google_extra.GoogleFlights",
    { departure_id: "JFK", arrival_id: "LHR", outbound_date: "2025-01-01", return_date: "2025-01-08", stops: 1, sort_by: 2 },
    "google_flights",
    { departure_id: "JFK", arrival_id: "LHR", outbound_date: "2025-01-01", return_date: "2025-01-08", type: "1", adults: "1", travel_class: "1", currency: "USD", stops: "1", sort_by: "2", ...LOCALE },
  ],
  [
    "search.google_extra.GoogleHotels",
    { query: "hotels in Paris", check_in_date: "2025-01-01", check_out_date: "2025-01-03", children: 1, hotel_class: 4 },
    "google_hotels",
    { q: "hotels in Paris", check_in_date: "2025-01-01", check_out_date: "2025-01-03", adults: "2", currency: "USD", children: "1", hotel_class: "4", ...LOCALE },
  ],
  [
    "search.google_extra.GooglePatents",
    { query: "battery", sort: "new", inventor: "Ada", before_date: "publication:20230101" },
    "google_patents",
    { q: "battery", num: "10", sort: "new", inventor: "Ada", before: "publication:20230101", ...LOCALE },
  ],
  ["search.google_extra.GoogleVideos", { query: "knots" }, "google_videos", { q: "knots", ...LOCALE }],
  ["search.google_extra.GoogleAutocomplete", { query: "how to", language: "de" }, "google_autocomplete", { q: "how to", hl: "de", gl: "us" }],
  ["search.amazon.AmazonSearch", { query: "kettle", amazon_domain: "amazon.de" }, "amazon", { q: "kettle", amazon_domain: "amazon.de", amazon_url: "https://www.amazon.de" }],
  ["search.amazon.AmazonProduct", { product_id: "B01" }, "amazon_product", { product_id: "B01", amazon_domain: "amazon.com" }],
  ["search.walmart.WalmartSearch", { query: "tv", num_results: 1, sort_by: "price_low", min_price: 100 }, "walmart", { query: "tv", sort: "price_low", min_price: "100", ...LOCALE }],
  ["search.walmart.WalmartProduct", { product_id: "123" }, "walmart_product", { product_id: "123", ...LOCALE }],
  ["search.ebay.EbaySearch", { query: "camera", condition: "new", max_price: 99.5 }, "ebay", { _nkw: "camera", ebay_domain: "ebay.com", LH_ItemCondition: "1000", _udhi: "99.5", ...LOCALE }],
  ["search.ebay.EbayProduct", { product_id: "9" }, "ebay_product", { product_id: "9", ebay_domain: "ebay.com", ...LOCALE }],
  ["search.retail.HomeDepotSearch", { query: "drill", num_results: 60 }, "home_depot", { q: "drill", ps: "48", ...LOCALE }],
  ["search.retail.HomeDepotProduct", { product_id: "5" }, "home_depot_product", { product_id: "5", ...LOCALE }],
  ["search.retail.AppleAppStore", { query: "notes" }, "apple_app_store", { term: "notes", country: "us", num: "10", ...LOCALE }],
  ["search.google_play.GooglePlaySearch", { query: "chess", store: "games" }, "google_play", { q: "chess", store: "games", ...LOCALE }],
  ["search.bing.BingSearch", { query: "x" }, "bing", { q: "x", count: "10", ...LOCALE }],
  ["search.bing.BingNews", { query: "x" }, "bing_news", { q: "x", count: "10", ...LOCALE }],
  ["search.bing.BingImages", { query: "x" }, "bing_images", { q: "x", count: "20", ...LOCALE }],
  ["search.duckduckgo.DuckDuckGoSearch", { query: "x" }, "duckduckgo", { q: "x" }],
  ["search.international.BaiduSearch", { query: "x" }, "baidu", { q: "x", rn: "10", ...LOCALE }],
  ["search.international.YahooSearch", { query: "x" }, "yahoo", { p: "x", ...LOCALE }],
  ["search.international.NaverSearch", { query: "x" }, "naver", { query: "x", num: "10", ...LOCALE }],
  ["search.youtube.YouTubeSearch", { query: "x" }, "youtube", { search_query: "x", ...LOCALE }],
  ["search.yelp.YelpSearch", { query: "tacos", location: "SF" }, "yelp", { find_desc: "tacos", find_loc: "SF" }],
  ["search.more_engines.GoogleMapsReviews", { data_id: "0x1", sort_by: "newestFirst", num_results: 5 }, "google_maps_reviews", { data_id: "0x1", sort_by: "newestFirst", num: "5", ...LOCALE }],
  ["search.more_engines.BingShopping", { query: "x" }, "bing_shopping", { q: "x", count: "10", ...LOCALE }],
  ["search.more_engines.BingVideos", { query: "x" }, "bing_videos", { q: "x", count: "10", ...LOCALE }],
  ["search.more_engines.YouTubeTranscript", { video_id: "abc", lang: "de" }, "youtube_video_transcript", { v: "abc", language_code: "de", ...LOCALE }],
  ["search.extended.YouTubeVideo", { video_id: "abc" }, "youtube_video", { v: "abc", ...LOCALE }],
  ["search.extended.DuckDuckGoNews", { query: "x" }, "duckduckgo_news", { q: "x", ...LOCALE }],
  ["search.extended.YelpReviews", { place_id: "p1" }, "yelp_reviews", { place_id: "p1", ...LOCALE }],
  ["search.extended.GoogleScholarAuthor", { author_id: "a1" }, "google_scholar_author", { author_id: "a1", ...LOCALE }],
];

describe("search.* nodes against a SerpAPI-compatible provider", () => {
  it("cover every search node this build declares", () => {
    const declared = CORE_NODES.filter((n) => n.type.startsWith("search.")).map((n) => n.type);
    expect(new Set(CASES.map((c) => c[0]))).toEqual(new Set(declared));
    expect(declared.length).toBe(44);
  });

  it.each(CASES)("%s calls its engine with NodeTool's parameters", async (type, data, engine, params) => {
    server.requests.length = 0;
    const decl = CORE_NODES.find((n) => n.type === type)!;
    const r = await runWith(type, data, decl.outputs.map((o) => o.name), services);
    expect(r.error).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    const { engine: sent, api_key: key, ...rest } = Object.fromEntries(server.requests[0].query);
    expect(sent).toBe(engine);
    expect(key).toBe("test-key");
    expect(rest).toEqual(params);
  });
});

describe("search results shaped as NodeTool shapes them", () => {
  it("lists organic results as results and NodeTool's text, without image fields", async () => {
    const out = await outputsOf("search.google.GoogleSearch", { keyword: "ada" }, ["results", "text"], services);
    expect(out.text).toBe("[1] Result 1\n    https://r1.example/\n    snippet 1\n\n[2] Result 2\n    https://r2.example/\n    snippet 2\n");
    const first = (out.results as Record<string, unknown>[])[0];
    expect(first).not.toHaveProperty("image");
    expect(first).not.toHaveProperty("favicon");
    expect(first.thumbnail).toBe("https://img.example/t1.jpg");
  });

  it("returns images as references, whole answers as dicts, products unwrapped", async () => {
    expect(await outputOf("search.google.GoogleImages", { keyword: "cats" }, services)).toEqual([
      { type: "image", uri: "https://img.example/1.jpg", asset_id: null },
      { type: "image", uri: "https://img.example/2.jpg", asset_id: null },
    ]);
    const finance = (await outputOf("search.google.GoogleFinance", { query: "GOOG" }, services)) as Record<string, unknown>;
    expect(finance.search_parameters).toMatchObject({ engine: "google_finance", q: "GOOG" });
    expect(await outputOf("search.amazon.AmazonProduct", { product_id: "B01" }, services)).toEqual({ title: "Product" });
    expect(await outputOf("search.ebay.EbayProduct", { product_id: "9" }, services)).toEqual({ title: "eBay product" });
    expect(await outputOf("search.extended.YouTubeVideo", { video_id: "v" }, services)).toEqual({ title: "Video title", views: 10, channel: { name: "Chan" }, related_video_count: 2 });
    expect(await outputOf("search.extended.GoogleScholarAuthor", { author_id: "a" }, services)).toMatchObject({ author: { name: "Scholar" }, articles: expect.any(Array) });
  });

  it("slices, flattens and joins where NodeTool does", async () => {
    expect(((await outputOf("search.walmart.WalmartSearch", { query: "tv", num_results: 1 }, services, "results")) as unknown[]).length).toBe(1);
    const play = (await outputOf("search.google_play.GooglePlaySearch", { query: "chess" }, services, "results")) as { title: string }[];
    expect(play.map((p) => p.title)).toEqual(["Result 1", "Result 2", "Result 3"]);
    expect(await outputOf("search.more_engines.YouTubeTranscript", { video_id: "v" }, services, "text")).toBe("hello world");
    const yt = (await outputOf("search.youtube.YouTubeSearch", { query: "x" }, services, "text")) as string;
    expect(yt).toContain("    Views: 1,234,567");
    const reviews = (await outputOf("search.more_engines.GoogleMapsReviews", { data_id: "d" }, services, "text")) as string;
    expect(reviews.startsWith("Place: Pizza Place | Rating: 4.2 | Total reviews: 100\n\n[1] Anonymous - 4.5/5")).toBe(true);
  });

  it("fails with NodeTool's message when a required property is empty, before any request", async () => {
    server.requests.length = 0;
    await expect(outputOf("search.google.GoogleSearch", { keyword: "" }, services, "results")).rejects.toThrow("Keyword is required");
    await expect(outputOf("search.yelp.YelpSearch", { query: "tacos" }, services, "results")).rejects.toThrow("Location is required for Yelp search");
    await expect(outputOf("search.google_extra.GoogleFlights", { departure_id: "A", arrival_id: "B", outbound_date: "2025-01-01" }, services, "results")).rejects.toThrow(
      "Return date is required for round trip flights",
    );
    expect(server.requests).toEqual([]);
  });
});

describe("search errors", () => {
  it("turns SerpAPI's {error} answers into node errors, on any status, without the key", async () => {
    const bad = await runWith("search.bing.BingSearch", { query: "bad key" }, ["results"], services);
    expect(bad.status).toBe("failed");
    expect(bad.error).toMatch(/BingSearch: the search provider answered: Invalid API key/);
    expect(bad.error).not.toContain("test-key");
    await expect(outputOf("search.google.GoogleSearch", { keyword: "nothing" }, services, "results")).rejects.toThrow(/hasn't returned any results/);
    await expect(outputOf("search.google.GoogleSearch", { keyword: "html" }, services, "results")).rejects.toThrow(/answered 502 with something other than JSON/);
  });

  it("names the missing configuration", async () => {
    await expect(outputOf("search.google.GoogleSearch", { keyword: "x" }, {}, "results")).rejects.toThrow(/web search is not available in this run/);
    await expect(outputOf("search.google.GoogleSearch", { keyword: "x" }, { search: new SerpApiSearchService(null) }, "results")).rejects.toThrow(/set SEARCH_API_KEY/);
  });
});

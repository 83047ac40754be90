import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl } from "../registry/types";
import {
  DEFAULT_LOCALE,
  formatResults,
  heading,
  int,
  LIST_OUTPUTS,
  listAt,
  Listing,
  pyStr,
  ratingLine,
  required,
  serpSearch,
  str,
  truthy,
  type SerpParams,
  type SerpResult,
} from "../search/serp";
import { isRecord, toNumber } from "../values/coerce";

/**
 * Shopping engines: `search.amazon`, `search.walmart`, `search.ebay`, `search.retail` and
 * `search.google_play`, with NodeTool's parameters, result slicing and listings (nodetool-base
 * src/nodetool/nodes/search/amazon.py, walmart.py, ebay.py, retail.py, google_play.py).
 */

const numResults = () => prop("num_results", "int", 10, { description: "Maximum number of results to return" });

/** An optional price: null (NodeTool's None) sends nothing. */
function optionalPrice(inputs: Inputs, name: string): number | null {
  const v = inputs[name];
  return v === null || v === undefined || v === "" ? null : toNumber(v, name);
}

/** A product lookup answers with `product_result` (or `product_results`), else NodeTool returns the whole answer. */
const productOf = (data: SerpResult, key = "product_result") => (key in data ? data[key] : data);

export const searchShoppingNodes: NodeDecl[] = [
  defineNode({
    type: "search.amazon.AmazonSearch",
    description: "Search Amazon for products, prices, and reviews.\n    amazon, search, products, ecommerce, shopping, prices",
    properties: [
      prop("query", "str", "", { description: "Product name or description to search for" }),
      prop("amazon_domain", "str", "amazon.com", { description: "Amazon domain (e.g., 'amazon.com', 'amazon.co.uk', 'amazon.de')" }),
      numResults(),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const domain = str(inputs, "amazon_domain");
      const results = listAt(await serpSearch(ctx, "amazon", { amazon_url: `https://www.${domain}`, amazon_domain: domain, q }), "organic_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.asin, "ASIN");
        text.field(r.price, "Price");
        const rating = ratingLine(r);
        if (rating) text.add(rating);
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.amazon.AmazonProduct",
    description: "Get detailed information about a specific Amazon product by ASIN.\n    amazon, product, details, asin, ecommerce, reviews",
    properties: [
      prop("product_id", "str", "", { description: "Amazon ASIN (product ID) to look up" }),
      prop("amazon_domain", "str", "amazon.com", { description: "Amazon domain (e.g., 'amazon.com', 'amazon.co.uk', 'amazon.de')" }),
    ],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const productId = required(inputs, "product_id", "Product ID (ASIN) is required");
      return { output: productOf(await serpSearch(ctx, "amazon_product", { product_id: productId, amazon_domain: str(inputs, "amazon_domain") })) };
    },
  }),
  defineNode({
    type: "search.walmart.WalmartSearch",
    description: "Search Walmart for products, prices, and reviews.\n    walmart, search, products, ecommerce, shopping, prices",
    properties: [
      prop("query", "str", "", { description: "Product name or description to search for" }),
      numResults(),
      prop("sort_by", "str", "best_match", { description: "Sort order for results: 'best_match', 'best_seller', 'price_low', 'price_high', 'rating_high', 'new'" }),
      prop("min_price", "float", null, { description: "Minimum price filter" }),
      prop("max_price", "float", null, { description: "Maximum price filter" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const query = required(inputs, "query", "Query is required");
      const params: SerpParams = { query, ...DEFAULT_LOCALE };
      const sort = str(inputs, "sort_by");
      if (sort && sort !== "best_match") params.sort = sort;
      const min = optionalPrice(inputs, "min_price");
      if (min !== null) params.min_price = min;
      const max = optionalPrice(inputs, "max_price");
      if (max !== null) params.max_price = max;
      const results = listAt(await serpSearch(ctx, "walmart", params), "organic_results").slice(0, int(inputs, "num_results", 10));
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.us_item_id, "ID");
        const offer = r.primary_offer;
        if (isRecord(offer) && truthy(offer.offer_price)) text.add(`    Price: $${pyStr(offer.offer_price)}`);
        const rating = ratingLine(r);
        if (rating) text.add(rating);
        text.field(r.seller_name, "Seller");
        text.field(r.product_page_url);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.walmart.WalmartProduct",
    description: "Get detailed information about a specific Walmart product by product ID.\n    walmart, product, details, ecommerce, reviews, pricing",
    properties: [prop("product_id", "str", "", { description: "Walmart product ID (found in walmart.com/ip/{product_id} URLs)" })],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const productId = required(inputs, "product_id", "Product ID is required");
      return { output: productOf(await serpSearch(ctx, "walmart_product", { product_id: productId, ...DEFAULT_LOCALE })) };
    },
  }),
  defineNode({
    type: "search.ebay.EbaySearch",
    description: "Search eBay for products, prices, and deals.\n    ebay, search, products, ecommerce, shopping, prices, auction",
    properties: [
      prop("query", "str", "", { description: "Product name or description to search for" }),
      prop("ebay_domain", "str", "ebay.com", { description: "eBay domain (e.g., 'ebay.com', 'ebay.co.uk', 'ebay.de')" }),
      numResults(),
      prop("condition", "str", "", { description: "Item condition filter: 'new', 'used', or empty for all" }),
      prop("min_price", "float", null, { description: "Minimum price filter" }),
      prop("max_price", "float", null, { description: "Maximum price filter" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const query = required(inputs, "query", "Query is required");
      const params: SerpParams = { _nkw: query, ebay_domain: str(inputs, "ebay_domain"), ...DEFAULT_LOCALE };
      const condition = str(inputs, "condition");
      // eBay's condition ids; anything else is sent as given.
      if (condition) params.LH_ItemCondition = ({ new: "1000", used: "3000" } as Record<string, string>)[condition.toLowerCase()] ?? condition;
      const min = optionalPrice(inputs, "min_price");
      if (min !== null) params._udlo = min;
      const max = optionalPrice(inputs, "max_price");
      if (max !== null) params._udhi = max;
      const results = listAt(await serpSearch(ctx, "ebay", params), "organic_results").slice(0, int(inputs, "num_results", 10));
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.product_id, "ID");
        if (isRecord(r.price)) text.field(r.price.raw, "Price");
        else text.field(r.price, "Price");
        text.field(r.condition, "Condition");
        const rating = ratingLine(r);
        if (rating) text.add(rating);
        text.field(r.shipping, "Shipping");
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.ebay.EbayProduct",
    description: "Get detailed information about a specific eBay product by product ID.\n    ebay, product, details, ecommerce, reviews, pricing, auction",
    properties: [
      prop("product_id", "str", "", { description: "eBay product ID to look up" }),
      prop("ebay_domain", "str", "ebay.com", { description: "eBay domain (e.g., 'ebay.com', 'ebay.co.uk', 'ebay.de')" }),
    ],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const productId = required(inputs, "product_id", "Product ID is required");
      const data = await serpSearch(ctx, "ebay_product", { product_id: productId, ebay_domain: str(inputs, "ebay_domain"), ...DEFAULT_LOCALE });
      return { output: productOf(data, "product_results") };
    },
  }),
  defineNode({
    type: "search.retail.HomeDepotSearch",
    description: "Search Home Depot for products, tools, and home improvement items.\n    home depot, search, products, hardware, tools, home improvement",
    properties: [prop("query", "str", "", { description: "Product name or description to search for" }), numResults()],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const n = int(inputs, "num_results", 10);
      const results = listAt(await serpSearch(ctx, "home_depot", { q, ps: Math.min(n, 48), ...DEFAULT_LOCALE }), "products").slice(0, n);
      const text = formatResults(results, [["brand", "Brand"], ["price", "Price"], ["rating", "Rating"], ["model_number", "Model"], ["link", null]]);
      return { results, text };
    },
  }),
  defineNode({
    type: "search.retail.HomeDepotProduct",
    description: "Get detailed information about a specific Home Depot product by product ID.\n    home depot, product, details, home improvement, hardware",
    properties: [prop("product_id", "str", "", { description: "Home Depot product ID to look up" })],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const productId = required(inputs, "product_id", "Product ID is required");
      return { output: productOf(await serpSearch(ctx, "home_depot_product", { product_id: productId, ...DEFAULT_LOCALE })) };
    },
  }),
  defineNode({
    type: "search.retail.AppleAppStore",
    description: "Search the Apple App Store for apps, games, and utilities.\n    apple, app store, search, apps, ios, iphone, ipad, mobile",
    properties: [
      prop("query", "str", "", { description: "App name or keyword to search for" }),
      numResults(),
      prop("country", "str", "us", { description: "Two-letter country code (e.g., 'us', 'gb', 'de')" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const term = required(inputs, "query", "Query is required");
      const n = int(inputs, "num_results", 10);
      const params: SerpParams = { term, country: str(inputs, "country"), num: Math.min(n, 200), ...DEFAULT_LOCALE };
      const results = listAt(await serpSearch(ctx, "apple_app_store", params), "organic_results").slice(0, n);
      const text = formatResults(results, [["developer", "Developer"], ["price", "Price"], ["rating", "Rating"], ["description", "Description"], ["link", null]]);
      return { results, text };
    },
  }),
  defineNode({
    type: "search.google_play.GooglePlaySearch",
    description: "Search the Google Play Store for apps and games.\n    google play, search, apps, games, android, mobile, store",
    properties: [
      prop("query", "str", "", { description: "Search query for apps or games" }),
      prop("store", "str", "apps", { description: "Store section to search: 'apps' or 'games'" }),
      numResults(),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const data = await serpSearch(ctx, "google_play", { q, store: str(inputs, "store"), ...DEFAULT_LOCALE });
      // The answer groups apps in sections, each with its `items`.
      const results = listAt(data, "organic_results").flatMap((section) => listAt(section, "items")).slice(0, int(inputs, "num_results", 10));
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.product_id, "ID");
        if (r.rating !== null && r.rating !== undefined) text.add(`    Rating: ${pyStr(r.rating)}`);
        text.field(r.author, "Developer");
        text.field(r.category, "Category");
        text.field(r.downloads, "Downloads");
        if (truthy(r.price)) text.add(`    Price: ${pyStr(r.price)}`);
        else if (r.extracted_price !== null && r.extracted_price !== undefined) text.add(`    Price: ${pyStr(r.extracted_price)}`);
        if (truthy(r.description)) {
          const desc = pyStr(r.description);
          text.add(`    ${desc.length > 150 ? `${desc.slice(0, 147)}...` : desc}`);
        }
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
];

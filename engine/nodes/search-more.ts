import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { DEFAULT_LOCALE, formatResults, heading, int, LIST_OUTPUTS, listAt, Listing, pyStr, required, serpSearch, truthy, type SerpResult } from "../search/serp";
import { enumValue, isRecord, toText } from "../values/coerce";

/**
 * `search.more_engines` and `search.extended`: reviews, transcripts and detail lookups, with NodeTool's
 * parameters and shaping (nodetool-base src/nodetool/nodes/search/more_engines.py, extended.py).
 */

const REVIEW_SORT = { MOST_RELEVANT: "qualityScore", NEWEST: "newestFirst", HIGHEST_RATING: "ratingHigh", LOWEST_RATING: "ratingLow" } as const;

/** The fields of an answer NodeTool keeps, in its order, skipping the absent ones. */
function subset(data: SerpResult, keys: readonly string[]): SerpResult {
  const out: SerpResult = {};
  for (const key of keys) if (key in data) out[key] = data[key];
  return out;
}

const userName = (r: SerpResult) => (isRecord(r.user) ? pyStr(r.user.name ?? "Anonymous") : "Anonymous");

export const searchMoreNodes: NodeDecl[] = [
  defineNode({
    type: "search.more_engines.GoogleMapsReviews",
    description:
      "Retrieve reviews for a Google Maps place by its data_id.\n    Use Google Maps search to find a place's data_id first.\n    google, maps, reviews, places, ratings, local, business, restaurant",
    properties: [
      prop("data_id", "str", "", { description: "Google Maps place data_id (obtain from a Google Maps search result)" }),
      prop("sort_by", "enum", "qualityScore", { values: Object.values(REVIEW_SORT), description: "Sort order for reviews" }),
      prop("num_results", "int", 10, { min: 1, max: 20, description: "Number of reviews to return (1-20)" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const dataId = required(inputs, "data_id", "data_id is required. Use a Google Maps search to find the place data_id.");
      const num = int(inputs, "num_results", 10);
      if (num < 1 || num > 20) throw new Error(`num_results must be between 1 and 20, got ${num}`);
      const data = await serpSearch(ctx, "google_maps_reviews", { data_id: dataId, sort_by: enumValue(inputs.sort_by ?? "qualityScore", REVIEW_SORT), num, ...DEFAULT_LOCALE });
      const reviews = listAt(data, "reviews");
      const text = new Listing();
      reviews.forEach((review, i) => {
        text.add(`[${i + 1}] ${userName(review)} - ${pyStr(review.rating ?? "N/A")}/5`);
        text.field(truthy(review.date) ? review.date : (review.iso_date ?? ""), "Date");
        text.field(review.snippet);
        text.field(review.source, "Source");
        text.add("");
      });
      let header = "";
      const place = isRecord(data.place_info) ? data.place_info : {};
      if (truthy(place.title)) {
        header = `Place: ${pyStr(place.title)}`;
        if (truthy(place.rating)) header += ` | Rating: ${pyStr(place.rating)}`;
        if (truthy(place.reviews)) header += ` | Total reviews: ${pyStr(place.reviews)}`;
        header += "\n\n";
      }
      return { results: reviews, text: header + text.toString() };
    },
  }),
  defineNode({
    type: "search.more_engines.BingShopping",
    description: "Search Bing Shopping for product listings with prices and seller info.\n    bing, shopping, products, prices, ecommerce, deals, buy",
    properties: [prop("query", "str", "", { description: "Product search query" }), prop("num_results", "int", 10, { description: "Maximum number of shopping results to return" })],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "bing_shopping", { q, count: int(inputs, "num_results", 10), ...DEFAULT_LOCALE }), "shopping_results");
      const text = formatResults(results, [["price", "Price"], ["seller", "Seller"], ["source", "Source"], ["rating", "Rating"], ["reviews", "Reviews"], ["link", null]]);
      return { results, text };
    },
  }),
  defineNode({
    type: "search.more_engines.BingVideos",
    description: "Search Bing Videos for video content across the web.\n    bing, videos, search, media, streaming, content",
    properties: [prop("query", "str", "", { description: "Video search query" }), prop("num_results", "int", 10, { description: "Maximum number of video results to return" })],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "bing_videos", { q, count: int(inputs, "num_results", 10), ...DEFAULT_LOCALE }), "video_results");
      const text = formatResults(results, [["source", "Source"], ["channel", "Channel"], ["length", "Duration"], ["views", "Views"], ["date", "Date"], ["link", null]]);
      return { results, text };
    },
  }),
  defineNode({
    type: "search.more_engines.YouTubeTranscript",
    description:
      "Retrieve the full transcript of a YouTube video by its video ID.\n    Concatenates all transcript segments into a single text output.\n    youtube, transcript, subtitles, captions, text, video, speech",
    properties: [
      prop("video_id", "str", "", { description: "YouTube video ID (the part after v= in the URL)" }),
      prop("lang", "str", "en", { description: "Language code for the transcript (e.g., 'en', 'es', 'de')" }),
    ],
    outputs: [out("text", "str"), out("segments", "list[dict]")],
    process: async (inputs, ctx) => {
      const v = required(inputs, "video_id", "video_id is required");
      const segments = listAt(await serpSearch(ctx, "youtube_video_transcript", { v, language_code: toText(inputs.lang ?? "en"), ...DEFAULT_LOCALE }), "transcript");
      const text = segments
        .filter((s) => truthy(s.snippet))
        .map((s) => pyStr(s.snippet).trim())
        .join(" ");
      return { text, segments };
    },
  }),
  defineNode({
    type: "search.extended.YouTubeVideo",
    description: "Get detailed information about a specific YouTube video by video ID.\n    youtube, video, details, metadata, views, likes, channel",
    properties: [prop("video_id", "str", "", { description: "YouTube video ID (the 'v' parameter from a YouTube URL, e.g. 'dQw4w9WgXcQ')" })],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const v = required(inputs, "video_id", "Video ID is required");
      const data = await serpSearch(ctx, "youtube_video", { v, ...DEFAULT_LOCALE });
      const info = subset(data, [
        "title",
        "thumbnail",
        "views",
        "extracted_views",
        "likes",
        "extracted_likes",
        "published_date",
        "live",
        "description",
        "comment_count",
        "extracted_comment_count",
      ]);
      if (truthy(data.channel)) info.channel = data.channel;
      if (truthy(data.chapters)) info.chapters = data.chapters;
      if (truthy(data.related_videos) && Array.isArray(data.related_videos)) info.related_video_count = data.related_videos.length;
      return { output: info };
    },
  }),
  defineNode({
    type: "search.extended.DuckDuckGoNews",
    description: "Search DuckDuckGo News for recent news articles.\n    duckduckgo, news, search, articles, current events, media",
    properties: [prop("query", "str", "", { description: "News search query" }), prop("num_results", "int", 10, { description: "Maximum number of results to return" })],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const results = listAt(await serpSearch(ctx, "duckduckgo_news", { q, ...DEFAULT_LOCALE }), "news_results").slice(0, int(inputs, "num_results", 10));
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.source, "Source");
        text.field(r.date, "Date");
        text.field(r.snippet);
        text.field(r.link);
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.extended.YelpReviews",
    description: "Get reviews for a specific Yelp business by place ID.\n    yelp, reviews, business, ratings, feedback, local",
    properties: [
      prop("place_id", "str", "", { description: "Yelp place ID (e.g. 'ED7A7vDdg8yLNKJTSVHHmg')" }),
      prop("num_results", "int", 10, { description: "Maximum number of reviews to return" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const placeId = required(inputs, "place_id", "Place ID is required");
      const results = listAt(await serpSearch(ctx, "yelp_reviews", { place_id: placeId, ...DEFAULT_LOCALE }), "reviews").slice(0, int(inputs, "num_results", 10));
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(`[${pyStr(r.position ?? i + 1)}] Review by ${userName(r)}`);
        if (r.rating !== null && r.rating !== undefined) text.add(`    Rating: ${pyStr(r.rating)}/5`);
        text.field(r.date, "Date");
        let comment = isRecord(r.comment) ? pyStr(r.comment.text ?? "") : truthy(r.comment) ? pyStr(r.comment) : "";
        if (comment) {
          if (comment.length > 200) comment = `${comment.slice(0, 197)}...`;
          text.add(`    ${comment}`);
        }
        if (truthy(r.tags) && Array.isArray(r.tags)) text.add(`    Tags: ${r.tags.map(pyStr).join(", ")}`);
        if (truthy(r.owner_replies)) text.add("    Owner replied: Yes");
        text.add("");
      });
      return { results, text: text.toString() };
    },
  }),
  defineNode({
    type: "search.extended.GoogleScholarAuthor",
    description:
      "Get detailed information about a Google Scholar author by author ID, including articles and citation metrics.\n    google, scholar, author, academic, researcher, citations, h-index, publications",
    properties: [prop("author_id", "str", "", { description: "Google Scholar author ID (found in the profile URL)" })],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const authorId = required(inputs, "author_id", "Author ID is required");
      const data = await serpSearch(ctx, "google_scholar_author", { author_id: authorId, ...DEFAULT_LOCALE });
      const profile: SerpResult = {};
      for (const key of ["author", "articles", "cited_by", "public_access", "co_authors"]) if (truthy(data[key])) profile[key] = data[key];
      return { output: profile };
    },
  }),
];

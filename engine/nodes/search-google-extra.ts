import { defineNode, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import {
  DEFAULT_LOCALE,
  formatResults,
  heading,
  int,
  LIST_OUTPUTS,
  listAt,
  Listing,
  pyStr,
  required,
  serpSearch,
  str,
  truthy,
  type SerpParams,
  type SerpResult,
} from "../search/serp";
import { isRecord } from "../values/coerce";

/**
 * `search.google_extra`: Google Events, Flights, Hotels, Patents, Videos and Autocomplete with NodeTool's
 * parameters and listings (nodetool-base src/nodetool/nodes/search/google_extra.py). Like NodeTool's raw
 * searches, every call carries `hl=en` and `gl=us` unless the node sets them.
 */

const record = (v: unknown): SerpResult => (isRecord(v) ? v : {});
const or = (v: unknown, fallback: string) => (v === undefined ? fallback : pyStr(v));

function formatFlights(flights: SerpResult[]): string {
  const lines: string[] = [];
  flights.forEach((option, i) => {
    lines.push(`--- Option ${i + 1} ---`);
    if (truthy(option.price)) lines.push(`  Price: ${pyStr(option.price)}`);
    const total = option.total_duration;
    if (typeof total === "number" && total) lines.push(`  Total Duration: ${Math.floor(total / 60)}h ${total % 60}m`);
    if (truthy(option.type)) lines.push(`  Type: ${pyStr(option.type)}`);
    const carbon = record(option.carbon_emissions);
    if (truthy(carbon.this_flight)) lines.push(`  CO2 Emissions: ${pyStr(carbon.this_flight)}g`);
    listAt(option, "flights").forEach((seg, j) => {
      const dep = record(seg.departure_airport);
      const arr = record(seg.arrival_airport);
      lines.push(
        `  Leg ${j + 1}: ${or(dep.name, "?")} (${or(dep.id, "?")}) ${or(dep.time, "?")} -> ${or(arr.name, "?")} (${or(arr.id, "?")}) ${or(arr.time, "?")}`,
      );
      if (truthy(seg.airline)) lines.push(`    Airline: ${pyStr(seg.airline)} ${or(seg.flight_number, "")}`);
      if (truthy(seg.duration)) lines.push(`    Duration: ${pyStr(seg.duration)} min`);
      if (truthy(seg.travel_class)) lines.push(`    Class: ${pyStr(seg.travel_class)}`);
    });
    for (const lay of listAt(option, "layovers")) lines.push(`  Layover: ${or(lay.name, "?")} (${or(lay.id, "?")}) - ${or(lay.duration, "?")} min`);
    lines.push("");
  });
  return lines.join("\n");
}

export const searchGoogleExtraNodes: NodeDecl[] = [
  defineNode({
    type: "search.google_extra.GoogleEvents",
    description: "Search Google Events for local events, concerts, festivals, and activities.\n    google, events, concerts, festivals, activities, local",
    properties: [
      prop("query", "str", "", { description: "Event search query (e.g., 'concerts in Austin')" }),
      prop("location", "str", "", { description: "Location for event search" }),
      prop("num_results", "int", 10, { description: "Maximum number of results" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const location = str(inputs, "location");
      const results = listAt(await serpSearch(ctx, "google_events", { q, ...(location ? { location } : {}), ...DEFAULT_LOCALE }), "events_results");
      const text = formatResults(results, [["date", "Date"], ["address", "Address"], ["link", null], ["description", null], ["venue", "Venue"]]);
      return { results, text };
    },
  }),
  defineNode({
    type: "search.google_extra.GoogleFlights",
    description: "Search Google Flights for airline tickets, prices, and flight options.\n    google, flights, airline, tickets, travel, booking",
    properties: [
      prop("departure_id", "str", "", { description: "Departure airport code (e.g., 'JFK', 'LAX') or location kgmid" }),
      prop("arrival_id", "str", "", { description: "Arrival airport code (e.g., 'LHR', 'CDG') or location kgmid" }),
      prop("outbound_date", "str", "", { description: "Departure date in YYYY-MM-DD format" }),
      prop("return_date", "str", "", { description: "Return date in YYYY-MM-DD format (leave empty for one-way)" }),
      prop("trip_type", "int", 1, { description: "Trip type: 1 = Round trip, 2 = One way, 3 = Multi-city" }),
      prop("adults", "int", 1, { description: "Number of adult passengers" }),
      prop("travel_class", "int", 1, { description: "Cabin class: 1 = Economy, 2 = Premium economy, 3 = Business, 4 = First" }),
      prop("currency", "str", "USD", { description: "Currency code for prices (e.g., 'USD', 'EUR', 'GBP')" }),
      prop("stops", "int", 0, { description: "Maximum number of stops: 0 = any, 1 = non-stop, 2 = up to 1 stop, 3 = up to 2 stops" }),
      prop("sort_by", "int", 1, { description: "Sort order: 1 = Top, 2 = Price, 3 = Departure, 4 = Arrival, 5 = Duration, 6 = Emissions" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const departure = str(inputs, "departure_id");
      const arrival = str(inputs, "arrival_id");
      if (!departure || !arrival) throw new Error("Both departure_id and arrival_id are required");
      const outbound = required(inputs, "outbound_date", "Outbound date is required");
      const tripType = int(inputs, "trip_type", 1);
      const returnDate = str(inputs, "return_date");
      if (tripType === 1 && !returnDate) throw new Error("Return date is required for round trip flights");
      const params: SerpParams = {
        departure_id: departure,
        arrival_id: arrival,
        outbound_date: outbound,
        type: String(tripType),
        adults: String(int(inputs, "adults", 1)),
        travel_class: String(int(inputs, "travel_class", 1)),
        currency: str(inputs, "currency"),
        ...DEFAULT_LOCALE,
      };
      if (returnDate) params.return_date = returnDate;
      const stops = int(inputs, "stops", 0);
      if (stops) params.stops = String(stops);
      const sortBy = int(inputs, "sort_by", 1);
      if (sortBy !== 1) params.sort_by = String(sortBy);
      const data = await serpSearch(ctx, "google_flights", params);
      const best = listAt(data, "best_flights");
      const other = listAt(data, "other_flights");
      const parts: string[] = [];
      if (best.length) parts.push(`=== Best Flights ===\n${formatFlights(best)}`);
      if (other.length) parts.push(`=== Other Flights ===\n${formatFlights(other)}`);
      const insights = record(data.price_insights);
      if (truthy(insights.lowest_price)) parts.push(`Lowest Price: ${pyStr(insights.lowest_price)}`);
      if (truthy(insights.typical_price_range)) parts.push(`Typical Range: ${pyStr(insights.typical_price_range)}`);
      return { results: [...best, ...other], text: parts.length ? parts.join("\n") : "No flights found." };
    },
  }),
  defineNode({
    type: "search.google_extra.GoogleHotels",
    description: "Search Google Hotels for accommodations, pricing, and availability.\n    google, hotels, accommodation, travel, booking, lodging",
    properties: [
      prop("query", "str", "", { description: "Hotel search query (e.g., 'hotels in Paris')" }),
      prop("check_in_date", "str", "", { description: "Check-in date in YYYY-MM-DD format" }),
      prop("check_out_date", "str", "", { description: "Check-out date in YYYY-MM-DD format" }),
      prop("adults", "int", 2, { description: "Number of adults" }),
      prop("children", "int", 0, { description: "Number of children" }),
      prop("currency", "str", "USD", { description: "Currency code for prices (e.g., 'USD', 'EUR', 'GBP')" }),
      prop("sort_by", "int", 0, { description: "Sort order: 0 = default, 3 = lowest price, 8 = highest rating, 13 = most reviewed" }),
      prop("min_price", "int", 0, { description: "Minimum price per night filter" }),
      prop("max_price", "int", 0, { description: "Maximum price per night filter" }),
      prop("hotel_class", "int", 0, { description: "Minimum star rating: 2-5 (0 = any)" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const checkIn = str(inputs, "check_in_date");
      const checkOut = str(inputs, "check_out_date");
      if (!checkIn || !checkOut) throw new Error("Both check_in_date and check_out_date are required");
      const params: SerpParams = { q, check_in_date: checkIn, check_out_date: checkOut, adults: String(int(inputs, "adults", 2)), currency: str(inputs, "currency"), ...DEFAULT_LOCALE };
      const children = int(inputs, "children", 0);
      if (children > 0) params.children = String(children);
      const sortBy = int(inputs, "sort_by", 0);
      if (sortBy) params.sort_by = String(sortBy);
      const min = int(inputs, "min_price", 0);
      if (min > 0) params.min_price = String(min);
      const max = int(inputs, "max_price", 0);
      if (max > 0) params.max_price = String(max);
      const hotelClass = int(inputs, "hotel_class", 0);
      if (hotelClass >= 2) params.hotel_class = String(hotelClass);
      const results = listAt(await serpSearch(ctx, "google_hotels", params), "properties");
      const text = new Listing();
      results.forEach((p, i) => {
        text.add(`[${i + 1}] ${pyStr(p.name ?? "Untitled")}`);
        text.field(p.type, "Type");
        const cls = truthy(p.hotel_class) ? p.hotel_class : p.extracted_hotel_class;
        if (truthy(cls)) text.add(`    Class: ${pyStr(cls)}-star`);
        if (p.overall_rating !== null && p.overall_rating !== undefined) {
          const reviews = p.reviews === null || p.reviews === undefined ? "" : ` (${pyStr(p.reviews)} reviews)`;
          text.add(`    Rating: ${pyStr(p.overall_rating)}${reviews}`);
        }
        text.field(record(p.rate_per_night).lowest, "Price", "/night");
        text.field(record(p.total_rate).lowest, "Total");
        if (truthy(p.description)) text.add(`    ${pyStr(p.description).slice(0, 200)}`);
        if (truthy(p.check_in_time) || truthy(p.check_out_time)) {
          const show = (v: unknown) => (truthy(v) ? pyStr(v) : "N/A");
          text.add(`    Check-in: ${show(p.check_in_time)} / Check-out: ${show(p.check_out_time)}`);
        }
        text.add("");
      });
      return { results, text: text.lines.length ? text.toString() : "No hotels found." };
    },
  }),
  defineNode({
    type: "search.google_extra.GooglePatents",
    description: "Search Google Patents for patent documents, filings, and prior art.\n    google, patents, intellectual property, inventions, prior art, filings",
    properties: [
      prop("query", "str", "", { description: "Patent search query (keywords, patent numbers, or concepts)" }),
      prop("num_results", "int", 10, { description: "Number of results per page (10-100)" }),
      prop("sort", "str", "", { description: "Sort order: 'new' for newest first, 'old' for oldest first, empty for relevance" }),
      prop("inventor", "str", "", { description: "Filter by inventor name(s), comma-separated" }),
      prop("assignee", "str", "", { description: "Filter by assignee/company name(s), comma-separated" }),
      prop("country", "str", "", { description: "Filter by country code(s), comma-separated (e.g., 'US,EP,WO')" }),
      prop("status", "str", "", { description: "Filter by status: 'GRANT' or 'APPLICATION'" }),
      prop("language", "str", "", { description: "Filter by language (e.g., 'ENGLISH', 'GERMAN', 'CHINESE')" }),
      prop("before_date", "str", "", { description: "Maximum date filter in format type:YYYYMMDD (e.g., 'publication:20230101')" }),
      prop("after_date", "str", "", { description: "Minimum date filter in format type:YYYYMMDD (e.g., 'filing:20200101')" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const params: SerpParams = { q, num: String(int(inputs, "num_results", 10)), ...DEFAULT_LOCALE };
      const filters: [string, string][] = [
        ["sort", "sort"],
        ["inventor", "inventor"],
        ["assignee", "assignee"],
        ["country", "country"],
        ["status", "status"],
        ["language", "language"],
        ["before_date", "before"],
        ["after_date", "after"],
      ];
      for (const [name, param] of filters) {
        const value = str(inputs, name);
        if (value) params[param] = value;
      }
      const results = listAt(await serpSearch(ctx, "google_patents", params), "organic_results");
      const text = new Listing();
      results.forEach((r, i) => {
        text.add(heading(r, i));
        text.field(r.patent_id, "Patent ID");
        text.field(r.assignee, "Assignee");
        text.field(r.inventor, "Inventor");
        text.field(r.filing_date, "Filing Date");
        text.field(r.grant_date, "Grant Date");
        text.field(r.priority_date, "Priority Date");
        if (truthy(r.snippet)) text.add(`    ${pyStr(r.snippet).slice(0, 200)}`);
        text.field(r.patent_link);
        text.add("");
      });
      return { results, text: text.lines.length ? text.toString() : "No patents found." };
    },
  }),
  defineNode({
    type: "search.google_extra.GoogleVideos",
    description: "Search Google Videos for video content across the web.\n    google, videos, search, media, clips, streaming",
    properties: [
      prop("query", "str", "", { description: "Video search query" }),
      prop("num_results", "int", 10, { description: "Maximum number of video results (controls pagination via start offset)" }),
      prop("location", "str", "", { description: "Geographic location for search" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const location = str(inputs, "location");
      const results = listAt(await serpSearch(ctx, "google_videos", { q, ...(location ? { location } : {}), ...DEFAULT_LOCALE }), "video_results");
      const text = formatResults(results, [["link", null], ["displayed_link", "Source"], ["duration", "Duration"], ["date", "Date"], ["snippet", null]]);
      return { results, text };
    },
  }),
  defineNode({
    type: "search.google_extra.GoogleAutocomplete",
    description: "Get Google Autocomplete suggestions for a search query.\n    google, autocomplete, suggestions, search, typeahead, completion",
    properties: [
      prop("query", "str", "", { description: "Partial search query to get completions for" }),
      prop("language", "str", "", { description: "Two-letter language code (e.g., 'en', 'de', 'fr')" }),
      prop("country", "str", "", { description: "Two-letter country code (e.g., 'us', 'de', 'fr')" }),
    ],
    outputs: LIST_OUTPUTS,
    process: async (inputs, ctx) => {
      const q = required(inputs, "query", "Query is required");
      const params: SerpParams = { q, hl: str(inputs, "language") || DEFAULT_LOCALE.hl, gl: str(inputs, "country") || DEFAULT_LOCALE.gl };
      const suggestions = listAt(await serpSearch(ctx, "google_autocomplete", params), "suggestions");
      const lines = suggestions.map((s, i) => {
        const relevance = s.relevance === null || s.relevance === undefined ? "" : ` (relevance: ${pyStr(s.relevance)})`;
        return `[${i + 1}] ${pyStr(s.value ?? "")}${relevance}`;
      });
      return { results: suggestions, text: lines.length ? lines.join("\n") : "No suggestions found." };
    },
  }),
];

import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { parseFeed, type Feed } from "../rss/feed";
import { toText } from "../values/coerce";
import { requireOk, responseText, send } from "../web/fetch";

/**
 * `lib.rss`: feeds fetched through the host's fetch guard and read like feedparser reads them for NodeTool
 * (nodetool-base src/nodetool/nodes/lib/rss.py). Unlike feedparser, an error status or a document that is not
 * a feed fails the node with the reason, rather than giving an empty feed.
 */

async function fetchFeed(ctx: NodeContext, url: string): Promise<Feed> {
  const res = requireOk(ctx, await send(ctx, { url, headers: { Accept: "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8" } }));
  try {
    return parseFeed(responseText(res));
  } catch (err) {
    throw new Error(`${ctx.nodeType.slice(ctx.nodeType.lastIndexOf(".") + 1)}: ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** NodeTool's Datetime value (UTC) for milliseconds since the epoch. */
function datetimeValue(ms: number) {
  const d = new Date(ms);
  return {
    type: "datetime",
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: 0,
    tzinfo: "UTC",
    utc_offset: 0,
  };
}

const urlProp = (description: string) => prop("url", "str", "", { description });

export const rssNodes: NodeDecl[] = [
  defineNode({
    type: "lib.rss.FetchRSSFeed",
    title: "Fetch RSS Feed",
    description: "Fetches and parses an RSS feed from a URL.\n    rss, feed, network",
    properties: [urlProp("URL of the RSS feed to fetch")],
    outputs: [out("title", "str"), out("link", "str"), out("published", "datetime"), out("summary", "str"), out("author", "str")],
    gen: async function* (inputs, ctx) {
      const feed = await fetchFeed(ctx, toText(inputs.url ?? ""));
      for (const entry of feed.entries) {
        // NodeTool stamps an entry without a readable date with the current time.
        const published = datetimeValue(entry.published ?? ctx.services.now());
        yield { title: entry.title, link: entry.link, published, summary: entry.summary, author: entry.author };
      }
    },
  }),
  defineNode({
    type: "lib.rss.ExtractFeedMetadata",
    title: "Extract Feed Metadata",
    description: "Extracts metadata from an RSS feed.\n    rss, metadata, feed",
    properties: [urlProp("URL of the RSS feed")],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const feed = await fetchFeed(ctx, toText(inputs.url ?? ""));
      const { entries, ...info } = feed;
      return { output: { ...info, entry_count: entries.length } };
    },
  }),
];

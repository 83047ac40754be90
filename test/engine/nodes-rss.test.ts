import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFeed, parseFeedDate } from "../../engine/rss/feed";
import type { EngineServices } from "../../engine/registry/types";
import { outputOf, runWith, startLoopback, httpService, type Loopback } from "./nodes-http-fixtures";

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Kitchen News</title>
  <link>https://kitchen.example/</link>
  <atom:link href="https://kitchen.example/feed.xml" rel="self" type="application/rss+xml"/>
  <description>Everything &amp; more</description>
  <language>en-gb</language>
  <lastBuildDate>Mon, 01 Jan 2024 10:00:00 GMT</lastBuildDate>
  <generator>hand-written</generator>
  <item>
    <title>2024</title>
    <link>https://kitchen.example/2024</link>
    <description><![CDATA[<p>A <b>year</b> of soup</p>]]></description>
    <pubDate>Tue, 02 Jan 2024 08:30:00 +0100</pubDate>
    <dc:creator>Ada</dc:creator>
  </item>
  <item>
    <title>Undated</title>
    <link>https://kitchen.example/undated</link>
    <description>No date here</description>
    <author>chef@kitchen.example (Chef)</author>
  </item>
</channel>
</rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>Atom Kitchen</title>
  <subtitle>Recipes</subtitle>
  <link rel="self" href="https://atom.example/feed"/>
  <link href="https://atom.example/"/>
  <updated>2024-02-01T12:00:00Z</updated>
  <generator uri="https://gen.example">Gen</generator>
  <entry>
    <title type="html">Bread &amp; butter</title>
    <link rel="alternate" href="https://atom.example/bread"/>
    <published>2024-02-01T09:15:30Z</published>
    <summary>Knead it</summary>
    <author><name>Bea</name></author>
  </entry>
</feed>`;

let server: Loopback;
let services: Partial<EngineServices>;
beforeAll(async () => {
  server = await startLoopback({
    "/rss.xml": (_req, res) => res.writeHead(200, { "Content-Type": "application/rss+xml; charset=utf-8" }).end(RSS),
    "/atom.xml": (_req, res) => res.writeHead(200, { "Content-Type": "application/atom+xml" }).end(ATOM),
    "/page.html": (_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>not a feed</body></html>"),
  });
  services = { http: httpService([server.host]) };
});
afterAll(() => server?.close());

const HANDLES = ["title", "link", "published", "summary", "author"];

describe("lib.rss.FetchRSSFeed", () => {
  it("streams one item per RSS entry, with feedparser's fields and UTC datetimes", async () => {
    const r = await runWith("lib.rss.FetchRSSFeed", { url: `${server.url}/rss.xml` }, HANDLES, services);
    expect(r.status).toBe("completed");
    expect(r.outputs.title).toEqual(["2024", "Undated"]);
    expect(r.outputs.link).toEqual(["https://kitchen.example/2024", "https://kitchen.example/undated"]);
    expect(r.outputs.summary).toEqual(["<p>A <b>year</b> of soup</p>", "No date here"]);
    expect(r.outputs.author).toEqual(["Ada", "chef@kitchen.example (Chef)"]);
    expect(r.outputs.published[0]).toEqual({ type: "datetime", year: 2024, month: 1, day: 2, hour: 7, minute: 30, second: 0, microsecond: 0, tzinfo: "UTC", utc_offset: 0 });
    // No date: NodeTool stamps the current time (the run's clock here).
    expect(r.outputs.published[1]).toMatchObject({ year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5 });
  });

  it("reads Atom entries: alternate link, author name, published time", async () => {
    const r = await runWith("lib.rss.FetchRSSFeed", { url: `${server.url}/atom.xml` }, HANDLES, services);
    expect(r.outputs.title).toEqual(["Bread & butter"]);
    expect(r.outputs.link).toEqual(["https://atom.example/bread"]);
    expect(r.outputs.author).toEqual(["Bea"]);
    expect(r.outputs.summary).toEqual(["Knead it"]);
    expect(r.outputs.published[0]).toMatchObject({ hour: 9, minute: 15, second: 30 });
  });

  it("fails clearly on a page that is not a feed and on an error status", async () => {
    const page = await runWith("lib.rss.FetchRSSFeed", { url: `${server.url}/page.html` }, ["title"], services);
    expect(page.status).toBe("failed");
    expect(page.error).toMatch(/not an RSS or Atom feed/);
    const missing = await runWith("lib.rss.FetchRSSFeed", { url: `${server.url}/gone.xml` }, ["title"], services);
    expect(missing.error).toMatch(/answered 404/);
  });
});

describe("lib.rss.ExtractFeedMetadata", () => {
  it("returns the feed's metadata and entry count", async () => {
    expect(await outputOf("lib.rss.ExtractFeedMetadata", { url: `${server.url}/rss.xml` }, services)).toEqual({
      title: "Kitchen News",
      description: "Everything & more",
      link: "https://kitchen.example/",
      language: "en-gb",
      updated: "Mon, 01 Jan 2024 10:00:00 GMT",
      generator: "hand-written",
      entry_count: 2,
    });
    expect(await outputOf("lib.rss.ExtractFeedMetadata", { url: `${server.url}/atom.xml` }, services)).toEqual({
      title: "Atom Kitchen",
      description: "Recipes",
      link: "https://atom.example/",
      language: "de",
      updated: "2024-02-01T12:00:00Z",
      generator: "Gen",
      entry_count: 1,
    });
  });
});

describe("feed parsing", () => {
  it("reads RSS 1.0 (RDF) items that sit beside the channel", () => {
    const rdf = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel><title>RDF</title><link>https://rdf.example/</link><description>d</description></channel>
      <item><title>One</title><link>https://rdf.example/1</link><dc:date>2023-05-06T07:08:09Z</dc:date></item></rdf:RDF>`;
    const feed = parseFeed(rdf);
    expect(feed.title).toBe("RDF");
    expect(feed.entries.map((e) => [e.title, e.link, e.published])).toEqual([["One", "https://rdf.example/1", Date.UTC(2023, 4, 6, 7, 8, 9)]]);
  });

  it("reads RFC 822 dates with named zones and rejects nonsense", () => {
    expect(parseFeedDate("Wed, 02 Oct 2002 08:00:00 EST")).toBe(Date.UTC(2002, 9, 2, 13));
    expect(parseFeedDate("Wed, 02 Oct 2002 15:00:00 +0200")).toBe(Date.UTC(2002, 9, 2, 13));
    expect(parseFeedDate("yesterday-ish")).toBeNull();
  });

  it("reads a sloppy feed as far as it goes, like feedparser, and refuses what is no feed at all", () => {
    expect(parseFeed("<rss><channel><title>x</channel></rss>").title).toBe("x");
    expect(() => parseFeed("just some text")).toThrow(/not an RSS or Atom feed/);
    expect(() => parseFeed("x".repeat(20_000_001))).toThrow(/at most 20000000 are parsed/);
  });
});

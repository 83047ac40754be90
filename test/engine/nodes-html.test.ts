import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { graph, registry, runNode } from "./helpers";
import { httpService, runWith, startLoopback, type Loopback } from "./nodes-http-fixtures";

const PAGE = `<!DOCTYPE html>
<html><head>
  <title>Fish &amp; Chips</title>
  <meta name="description" content="All about frying">
  <meta name="keywords" content="fish, chips">
  <style>body { color: red }</style>
</head><body>
  <header>Site header</header>
  <nav><a href="/home">Home</a></nav>
  <div id="main-content">
    <h1>Frying  guide</h1>
    <p>Heat the oil.<br>Then fry.</p>
    <script>var hidden = 1;</script>
    <ul><li>Cod</li><li>Haddock</li></ul>
    <a href="https://example.com/batter"> Batter   tips </a>
    <a href="recipes/peas.html">Peas</a>
    <a name="anchor-without-href">skip</a>
    <img src="/img/cod.png"><img alt="no source"><img src="https://cdn.example.org/chips.jpg">
    <video src="/v/intro.mp4"></video>
    <video><source src="clip.webm" type="video/webm"></video>
    <iframe src="https://www.youtube.com/embed/xyz"></iframe>
    <audio src="/a/sizzle.mp3"></audio>
    <audio><source src="/a/pop.ogg"></audio>
    <footer>Footer text</footer>
  </div>
</body></html>`;

async function streamed(type: string, data: Record<string, unknown>, handles: string[]) {
  const r = await runWith(type, data, handles, {});
  if (r.status !== "completed") throw new Error(r.error);
  return r.outputs;
}

describe("lib.beautifulsoup readers", () => {
  it("BaseUrl keeps scheme and authority as written", async () => {
    expect(await runNode("lib.beautifulsoup.BaseUrl", { url: "HTTPS://User@Example.com:8443/a/b?q=1#f" })).toBe("https://User@Example.com:8443");
    expect(await runNode("lib.beautifulsoup.BaseUrl", { url: "example.com/path" })).toBe("://");
    await expect(runNode("lib.beautifulsoup.BaseUrl", { url: "" })).rejects.toThrow(/URL must not be empty/);
  });

  it("ExtractLinks streams every a[href] with its trimmed text and NodeTool's internal/external rule", async () => {
    const out = await streamed("lib.beautifulsoup.ExtractLinks", { html: PAGE, base_url: "https://example.com" }, ["href", "text", "type"]);
    expect(out.href).toEqual(["/home", "https://example.com/batter", "recipes/peas.html"]);
    expect(out.text).toEqual(["Home", "Batter   tips", "Peas"]);
    // A relative link that does not start with "/" counts as external, as in NodeTool.
    expect(out.type).toEqual(["internal", "internal", "external"]);
    const noBase = await streamed("lib.beautifulsoup.ExtractLinks", { html: PAGE }, ["type"]);
    expect(noBase.type).toEqual(["internal", "internal", "internal"]);
  });

  it("ExtractMetadata reads title, description and keywords; absent ones are null", async () => {
    const r = await runWith("lib.beautifulsoup.ExtractMetadata", { html: PAGE }, ["title", "description", "keywords"], {});
    expect([r.outputs.title[0], r.outputs.description[0], r.outputs.keywords[0]]).toEqual(["Fish & Chips", "All about frying", "fish, chips"]);
    const bare = await runWith("lib.beautifulsoup.ExtractMetadata", { html: "<p>no head</p>" }, ["title", "description"], {});
    expect([bare.outputs.title[0], bare.outputs.description[0]]).toEqual([null, null]);
  });

  it("ExtractImages, ExtractVideos and ExtractAudio stream references resolved against base_url", async () => {
    const base = "https://example.com/fish/";
    const images = (await streamed("lib.beautifulsoup.ExtractImages", { html: PAGE, base_url: base }, ["image"])).image as { type: string; uri: string }[];
    expect(images.map((i) => [i.type, i.uri])).toEqual([
      ["image", "https://example.com/img/cod.png"],
      ["image", "https://cdn.example.org/chips.jpg"],
    ]);
    const videos = (await streamed("lib.beautifulsoup.ExtractVideos", { html: PAGE, base_url: base }, ["video"])).video as { type: string; uri: string }[];
    expect(videos.map((v) => v.uri)).toEqual(["https://example.com/v/intro.mp4", "https://example.com/fish/clip.webm", "https://www.youtube.com/embed/xyz"]);
    // NodeTool collects every <source>, the video's included.
    const audio = (await streamed("lib.beautifulsoup.ExtractAudio", { html: PAGE, base_url: base }, ["audio"])).audio as { type: string; uri: string }[];
    expect(audio.map((a) => [a.type, a.uri])).toEqual([
      ["audio", "https://example.com/fish/clip.webm"],
      ["audio", "https://example.com/a/sizzle.mp3"],
      ["audio", "https://example.com/a/pop.ogg"],
    ]);
    const relative = (await streamed("lib.beautifulsoup.ExtractImages", { html: PAGE }, ["image"])).image as { uri: string }[];
    expect(relative[0].uri).toBe("/img/cod.png");
  });

  it("HTMLToText keeps block breaks, folds blank lines and spaces, drops scripts and styles", async () => {
    const text = await runNode("lib.beautifulsoup.HTMLToText", { text: "<div><h1>Title</h1><p>One<br>Two &amp;  three</p><script>x()</script><ul><li>a</li><li>b</li></ul></div>" });
    expect(text).toBe("Title\nOne\nTwo & three\na\nb");
    const flat = await runNode("lib.beautifulsoup.HTMLToText", { text: "<p>One<br>Two</p><p>Three</p>", preserve_linebreaks: false });
    expect(flat).toBe("OneTwoThree");
  });

  it("WebsiteContentExtractor takes the main content without navigation, header and footer", async () => {
    const text = await runNode("lib.beautifulsoup.WebsiteContentExtractor", { html_content: PAGE });
    expect(text).toBe("Frying guide Heat the oil.Then fry. CodHaddock Batter tips Peas skip");
    const article = await runNode("lib.beautifulsoup.WebsiteContentExtractor", { html_content: "<body><nav>n</nav><article><header>h</header><p>Story</p></article></body>" });
    expect(article).toBe("Story");
    expect(await runNode("lib.beautifulsoup.WebsiteContentExtractor", { html_content: "<p>fragment</p>" })).toBe("No main content found");
  });
});

describe("a fetched page through the readers", () => {
  let server: Loopback;
  beforeAll(async () => {
    server = await startLoopback({ "/page.html": (_req, res) => res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE) });
  });
  afterAll(() => server?.close());

  it("GetRequest feeds ExtractLinks and ExtractMetadata in one workflow", async () => {
    const g = graph(
      [
        { id: "get", type: "lib.http.GetRequest", data: { url: `${server.url}/page.html` } },
        { id: "links", type: "lib.beautifulsoup.ExtractLinks", data: { base_url: server.url } },
        { id: "meta", type: "lib.beautifulsoup.ExtractMetadata" },
        { id: "hrefs", type: "nodetool.output.Output", data: { name: "hrefs" } },
        { id: "title", type: "nodetool.output.Output", data: { name: "title" } },
      ],
      [
        ["get", "output", "links", "html"],
        ["get", "output", "meta", "html"],
        ["links", "href", "hrefs", "value"],
        ["meta", "title", "title", "value"],
      ],
    );
    const r = await runWorkflow(g, {}, { registry, services: { http: httpService([server.host]) } });
    expect(r.status).toBe("completed");
    expect(r.outputs.hrefs).toEqual(["/home", "https://example.com/batter", "recipes/peas.html"]);
    expect(r.result.title).toBe("Fish & Chips");
  });
});

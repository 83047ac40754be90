import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import type { EngineServices } from "../../engine/registry/types";
import { httpService, outputOf, outputsOf, runWith, startLoopback, type Loopback } from "./nodes-http-fixtures";

let server: Loopback;
let other: Loopback; // a second loopback server that is NOT allowed
let services: Partial<EngineServices>;

const json = (res: import("node:http").ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));

beforeAll(async () => {
  other = await startLoopback({ "/secret": (_req, res) => res.end("internal secret") });
  server = await startLoopback({
    "/hello": (_req, res) => res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" }).end("héllo wörld"),
    "/latin1": (_req, res) => res.writeHead(200, { "Content-Type": "text/plain; charset=iso-8859-1" }).end(Buffer.from([0x63, 0x61, 0x66, 0xe9])),
    "/echo": (req, res) =>
      json(res, 200, { method: req.method, body: req.body.toString("utf8"), contentType: req.headers["content-type"] ?? null, accept: req.headers.accept ?? null }),
    "/head": (_req, res) => res.writeHead(200, { "X-Test": "yes", "Content-Type": "text/html" }).end(),
    "/binary": (_req, res) => res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(Buffer.from([0, 1, 2, 250, 255])),
    "/doc.pdf": (_req, res) => res.writeHead(200, { "Content-Type": "application/pdf" }).end(Buffer.from("%PDF-1.4\n%fake\n")),
    "/teapot": (_req, res) => res.writeHead(418).end("short and stout"),
    "/broken": (_req, res) => res.writeHead(503).end("down"),
    "/not-json": (_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html>nope</html>"),
    "/to-hello": (_req, res) => res.writeHead(302, { Location: "/hello" }).end(),
    "/to-secret": (_req, res) => res.writeHead(302, { Location: `${other.url}/secret` }).end(),
    "/post-then-see-other": (_req, res) => res.writeHead(303, { Location: "/echo" }).end(),
    "/big": (_req, res) => {
      // Chunked, no Content-Length: the cap must be enforced while streaming.
      res.writeHead(200, { "Content-Type": "text/plain" });
      for (let i = 0; i < 20; i++) res.write("x".repeat(500));
      res.end();
    },
    "/slow": async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      res.end("late");
    },
  });
  services = { http: httpService([server.host], { maxBytes: 4096 }) };
});
afterAll(async () => {
  await server?.close();
  await other?.close();
});

describe("lib.http text requests", () => {
  it("GetRequest returns the body decoded with the declared charset", async () => {
    expect(await outputOf("lib.http.GetRequest", { url: `${server.url}/hello` }, services)).toBe("héllo wörld");
    expect(await outputOf("lib.http.GetRequest", { url: `${server.url}/latin1` }, services)).toBe("café");
  });

  it("GetRequest follows redirects and sends a browser User-Agent", async () => {
    server.requests.length = 0;
    expect(await outputOf("lib.http.GetRequest", { url: `${server.url}/to-hello` }, services)).toBe("héllo wörld");
    expect(server.requests.map((r) => r.path)).toEqual(["/to-hello", "/hello"]);
    expect(server.requests[1].headers["user-agent"]).toMatch(/Mozilla\/5\.0/);
  });

  it("fails on error statuses, naming the status", async () => {
    await expect(outputOf("lib.http.GetRequest", { url: `${server.url}/teapot` }, services)).rejects.toThrow(/GetRequest: GET .*\/teapot answered 418/);
    await expect(outputOf("lib.http.DeleteRequest", { url: `${server.url}/broken` }, services)).rejects.toThrow(/answered 503 \(server error\)/);
  });

  it("PostRequest and PutRequest send their data as the body; DeleteRequest uses DELETE", async () => {
    const post = JSON.parse((await outputOf("lib.http.PostRequest", { url: `${server.url}/echo`, data: "a=1&b=2" }, services)) as string);
    expect(post).toMatchObject({ method: "POST", body: "a=1&b=2" });
    const put = JSON.parse((await outputOf("lib.http.PutRequest", { url: `${server.url}/echo`, data: "new text" }, services)) as string);
    expect(put).toMatchObject({ method: "PUT", body: "new text" });
    const del = JSON.parse((await outputOf("lib.http.DeleteRequest", { url: `${server.url}/echo` }, services)) as string);
    expect(del).toMatchObject({ method: "DELETE", body: "" });
  });

  it("a 303 after a POST continues as a GET without the body", async () => {
    const out = JSON.parse((await outputOf("lib.http.PostRequest", { url: `${server.url}/post-then-see-other`, data: "payload" }, services)) as string);
    expect(out).toMatchObject({ method: "GET", body: "" });
  });

  it("HeadRequest returns the response headers with lower-case names", async () => {
    const headers = (await outputOf("lib.http.HeadRequest", { url: `${server.url}/head` }, services)) as Record<string, string>;
    expect(headers["x-test"]).toBe("yes");
    expect(headers["content-type"]).toBe("text/html");
  });
});

describe("lib.http binary, document and JSON requests", () => {
  it("GetRequestBinary returns the bytes; PostRequestBinary posts text and returns bytes", async () => {
    expect(Array.from((await outputOf("lib.http.GetRequestBinary", { url: `${server.url}/binary` }, services)) as Uint8Array)).toEqual([0, 1, 2, 250, 255]);
    const echoed = (await outputOf("lib.http.PostRequestBinary", { url: `${server.url}/echo`, data: "raw body" }, services)) as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(echoed))).toMatchObject({ method: "POST", body: "raw body" });
  });

  it("GetRequestDocument stores the download when the run has storage, and inlines it otherwise", async () => {
    const blobs = new MemoryBlobStore();
    const stored = (await outputOf("lib.http.GetRequestDocument", { url: `${server.url}/doc.pdf` }, { ...services, blobs })) as { type: string; uri: string };
    expect(stored.type).toBe("document");
    const content = await blobs.read(stored.uri);
    expect(new TextDecoder().decode(content.bytes)).toBe("%PDF-1.4\n%fake\n");
    expect(content.contentType).toBe("application/pdf");
    const inline = (await outputOf("lib.http.GetRequestDocument", { url: `${server.url}/doc.pdf` }, services)) as { type: string; data: Uint8Array };
    expect(inline.type).toBe("document");
    expect(new TextDecoder().decode(inline.data)).toBe("%PDF-1.4\n%fake\n");
  });

  it("JSON POST, PUT and PATCH send JSON with its content type and parse the answer", async () => {
    for (const [type, method] of [
      ["lib.http.JSONPostRequest", "POST"],
      ["lib.http.JSONPutRequest", "PUT"],
      ["lib.http.JSONPatchRequest", "PATCH"],
    ]) {
      const out = (await outputOf(type, { url: `${server.url}/echo`, data: { name: "Ada", n: [1, 2] } }, services)) as Record<string, unknown>;
      expect(out.method).toBe(method);
      expect(JSON.parse(out.body as string)).toEqual({ name: "Ada", n: [1, 2] });
      expect(out.contentType).toBe("application/json");
    }
  });

  it("JSONGetRequest asks for JSON and fails clearly when the answer is not JSON", async () => {
    const out = (await outputOf("lib.http.JSONGetRequest", { url: `${server.url}/echo` }, services)) as Record<string, unknown>;
    expect(out).toMatchObject({ method: "GET", accept: "application/json" });
    await expect(outputOf("lib.http.JSONGetRequest", { url: `${server.url}/not-json` }, services)).rejects.toThrow(/did not answer with JSON \(text\/html\)/);
  });
});

describe("the fetch guard seen from the nodes", () => {
  it("refuses a loopback address that is not allowed, before any request", async () => {
    other.requests.length = 0;
    await expect(outputOf("lib.http.GetRequest", { url: `${other.url}/secret` }, services)).rejects.toThrow(
      /refused to fetch http:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1 is a private, loopback, link-local or reserved address/,
    );
    expect(other.requests).toEqual([]);
  });

  it("checks every redirect hop: an allowed host cannot redirect to a private one", async () => {
    other.requests.length = 0;
    await expect(outputOf("lib.http.GetRequest", { url: `${server.url}/to-secret` }, services)).rejects.toThrow(/refused to fetch/);
    expect(other.requests).toEqual([]);
  });

  it("fails a response over FETCH_MAX_BYTES while streaming it", async () => {
    await expect(outputOf("lib.http.GetRequest", { url: `${server.url}/big` }, services)).rejects.toThrow(/larger than 4096 bytes \(FETCH_MAX_BYTES\)/);
  });

  it("fails a request over the time limit", async () => {
    const quick = { http: httpService([server.host], { timeoutMs: 200 }) };
    await expect(outputOf("lib.http.GetRequest", { url: `${server.url}/slow` }, quick)).rejects.toThrow(/took longer than 0.2 s \(FETCH_TIMEOUT_SECONDS\)/);
  });

  it("names the missing service and the missing URL", async () => {
    await expect(outputOf("lib.http.GetRequest", { url: `${server.url}/hello` }, {})).rejects.toThrow(/GetRequest: outbound HTTP is not available/);
    await expect(outputOf("lib.http.GetRequest", { url: "" }, services)).rejects.toThrow(/GetRequest: a URL is required/);
    await expect(outputOf("lib.http.GetRequest", { url: "ftp://example.com/x" }, services)).rejects.toThrow(/only http and https/);
  });
});

describe("FetchPage", () => {
  it("returns the page HTML with success, an error page included", async () => {
    expect(await outputsOf("lib.http.FetchPage", { url: `${server.url}/hello` }, ["html", "success", "error_message"], services)).toEqual({
      html: "héllo wörld",
      success: true,
      error_message: null,
    });
    const teapot = await outputsOf("lib.http.FetchPage", { url: `${server.url}/teapot` }, ["html", "success"], services);
    expect(teapot).toEqual({ html: "short and stout", success: true });
  });

  it("reports failures on its outputs instead of failing", async () => {
    const r = await runWith("lib.http.FetchPage", { url: `${other.url}/secret` }, ["html", "success", "error_message"], services);
    expect(r.status).toBe("completed");
    expect(r.outputs.success).toEqual([false]);
    expect(r.outputs.html).toEqual([""]);
    expect(String(r.outputs.error_message[0])).toMatch(/refused to fetch/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remoteUrlProblem } from "../../host/web/remote";
import { parseSearchSettings } from "../../host/search/search-service";
import { DEFAULT_FETCH_MAX_BYTES, parseAllowedHosts, parseFetchSettings } from "../../host/web/config";
import { HttpFetchError } from "../../engine/web/http-service";
import { httpService, startLoopback, type Loopback } from "./nodes-http-fixtures";

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback({ "/ok": (req, res) => res.end(`${req.method} ok`) });
});
afterAll(() => server?.close());

describe("FETCH_ALLOW_HOSTS", () => {
  it("parses host:port entries, normalised as URLs spell them, and reports the rest", () => {
    const problems: string[] = [];
    const allowed = parseAllowedHosts(" 127.0.0.1:8080, Intranet.Example:443,[::1]:9000, nohost, 10.0.0.1:99999, ", problems);
    expect([...allowed]).toEqual(["127.0.0.1:8080", "intranet.example:443", "[::1]:9000"]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/'nohost' is not host:port/);
  });

  it("lets an allowed host:port skip only the address check, for that port only", () => {
    const allowed = parseAllowedHosts("127.0.0.1:8080,wiki.internal:443");
    expect(remoteUrlProblem(new URL("http://127.0.0.1:8080/x"), allowed)).toBeNull();
    expect(remoteUrlProblem(new URL("http://127.0.0.1:8081/x"), allowed)).toMatch(/loopback/);
    expect(remoteUrlProblem(new URL("https://wiki.internal/x"), allowed)).toBeNull();
    expect(remoteUrlProblem(new URL("http://wiki.internal/x"), allowed)).toMatch(/internal host name/);
    expect(remoteUrlProblem(new URL("file:///etc/passwd"), allowed)).toMatch(/only http and https/);
    expect(remoteUrlProblem(new URL("http://u:p@127.0.0.1:8080/"), allowed)).toMatch(/credentials/);
  });

  it("is empty by default, with the default limits", () => {
    const settings = parseFetchSettings({});
    expect(settings.allowed.size).toBe(0);
    expect(settings.maxBytes).toBe(DEFAULT_FETCH_MAX_BYTES);
    expect(settings.timeoutMs).toBe(30_000);
    expect(parseFetchSettings({ FETCH_MAX_BYTES: "-1" }).problems[0]).toMatch(/FETCH_MAX_BYTES must be a positive number/);
  });
});

describe("GuardedHttpService", () => {
  it("refuses private, loopback, link-local and internal targets with reason 'refused'", async () => {
    const http = httpService([]);
    for (const url of ["http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://localhost:8080/", "http://[::1]/", "http://printer.local/", "http://intranet/", server.url]) {
      const err = await http.request({ url }).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(HttpFetchError);
      expect((err as HttpFetchError).reason, url).toBe("refused");
    }
    expect(server.requests).toEqual([]);
  });

  it("reaches an allowed loopback server, with any method, returning status, headers and bytes", async () => {
    const http = httpService([server.host]);
    const res = await http.request({ url: `${server.url}/ok`, method: "patch", body: "x" });
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode(res.bytes)).toBe("PATCH ok");
    expect(res.url).toBe(`${server.url}/ok`);
    expect(typeof res.headers["content-length"]).toBe("string");
    const missing = await http.request({ url: `${server.url}/missing` });
    expect(missing.status).toBe(404);
    await expect(http.request({ url: `${server.url}/ok`, method: "TRACE" })).rejects.toThrow(/unsupported HTTP method/);
    await expect(http.request({ url: "not a url" })).rejects.toThrow(/is not a valid URL/);
  });

  it("keeps the caller's abort an abort, not a network error", async () => {
    const http = httpService([server.host]);
    const controller = new AbortController();
    controller.abort();
    const err = await http.request({ url: `${server.url}/ok` }, controller.signal).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(HttpFetchError);
  });
});

describe("search settings", () => {
  it("is unconfigured without key and base URL, and defaults the base URL to SerpAPI", () => {
    expect(parseSearchSettings({})).toBeNull();
    expect(parseSearchSettings({ SEARCH_API_KEY: "k" })).toEqual({ baseUrl: "https://serpapi.com", apiKey: "k" });
    expect(parseSearchSettings({ SEARCH_API_BASE_URL: "http://proxy.example/serp/" })).toEqual({ baseUrl: "http://proxy.example/serp", apiKey: "" });
  });
});

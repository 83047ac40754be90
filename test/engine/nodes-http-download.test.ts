import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { downloadName } from "../../engine/nodes/http-download";
import type { EngineServices } from "../../engine/registry/types";
import { castCell } from "../../engine/web/download-table";
import { MemoryWorkspace } from "../../engine/workspace/memory-workspace";
import { httpService, outputOf, outputsOf, runWith, startLoopback, type Loopback } from "./nodes-http-fixtures";

// A 1x1 PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

let server: Loopback;
let other: Loopback;
let services: Partial<EngineServices>;

beforeAll(async () => {
  other = await startLoopback({ "/img.png": (_req, res) => res.writeHead(200, { "Content-Type": "image/png" }).end(PNG) });
  server = await startLoopback({
    "/images/a.png": (_req, res) => res.writeHead(200, { "Content-Type": "image/png" }).end(PNG),
    "/images/b.png": (_req, res) => res.writeHead(200, { "Content-Type": "image/png" }).end(PNG),
    "/files/report.txt": (_req, res) => res.writeHead(200, { "Content-Type": "text/plain" }).end("report body"),
    "/files/download": (_req, res) => res.writeHead(200, { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="data.csv"' }).end("a,b\n1,2\n"),
    "/moved": (_req, res) => res.writeHead(301, { Location: "/files/report.txt" }).end(),
    "/data.csv": (_req, res) => res.writeHead(200, { "Content-Type": "text/csv" }).end('name,age,score,note\nAda,36,"1,5",x\nBob,,2.25,"say ""hi"""\n'),
    "/data.tsv": (_req, res) => res.writeHead(200).end("name\tage\nAda\t36\n"),
    "/data.json": (_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify([{ age: "41", name: "Cy" }, { name: "Di" }])),
    "/rows.json": (_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify([["name", "age"], ["Ed", 7.9]])),
  });
  services = { http: httpService([server.host]) };
});
afterAll(async () => {
  await server?.close();
  await other?.close();
});

describe("ImageDownloader", () => {
  it("downloads relative sources against base_url and lists the failures", async () => {
    const blobs = new MemoryBlobStore();
    const out = await outputsOf(
      "lib.http.ImageDownloader",
      { images: ["/images/a.png", "images/b.png", "/images/missing.png", `${other.url}/img.png`], base_url: `${server.url}/`, max_concurrent_downloads: 2 },
      ["images", "failed_urls"],
      { ...services, blobs },
    );
    const images = out.images as { type: string; uri: string }[];
    expect(images).toHaveLength(2);
    expect(images.every((i) => i.type === "image")).toBe(true);
    const first = await blobs.read(images[0].uri);
    expect(Buffer.from(first.bytes).equals(PNG)).toBe(true);
    expect(first.contentType).toBe("image/png");
    // A 404 and a refused (not allowed) address both land in failed_urls, resolved.
    expect(out.failed_urls).toEqual([`${server.url}/images/missing.png`, `${other.url}/img.png`]);
  });
});

describe("DownloadFiles", () => {
  it("saves into the workspace folder under the server's or the URL's file name", async () => {
    const workspace = new MemoryWorkspace();
    const r = await runWith(
      "lib.http.DownloadFiles",
      { urls: [`${server.url}/files/report.txt?x=1`, `${server.url}/files/download`, `${server.url}/files/nope`, `${server.url}/moved`], output_folder: "~/downloads/" },
      ["success", "failed"],
      { ...services, workspace },
    );
    expect(r.status).toBe("completed");
    // Like NodeTool, a redirected download is named after the URL that was asked for.
    expect(r.outputs.success[0]).toEqual(["downloads/report.txt", "downloads/data.csv", "downloads/moved"]);
    expect(r.outputs.failed[0]).toEqual([`${server.url}/files/nope`]);
    expect(new TextDecoder().decode(await workspace.read("downloads/data.csv"))).toBe("a,b\n1,2\n");
    expect(new TextDecoder().decode(await workspace.read("downloads/report.txt"))).toBe("report body");
    const progress = r.messages.filter((m) => m.type === "node_progress");
    expect(progress.length).toBe(4);
  });

  it("needs a workspace and a folder", async () => {
    await expect(outputOf("lib.http.DownloadFiles", { urls: [] }, services, "success")).rejects.toThrow(/no workspace/);
    await expect(outputOf("lib.http.DownloadFiles", { urls: [], output_folder: "" }, { ...services, workspace: new MemoryWorkspace() }, "success")).rejects.toThrow(
      /output_folder cannot be empty/,
    );
  });

  it("takes the file name from Content-Disposition, never a path", () => {
    expect(downloadName("http://h/a/b.txt?q=1", undefined)).toBe("b.txt");
    expect(downloadName("http://h/a/", undefined)).toBe("unnamed_file");
    expect(downloadName("http://h/x", "attachment; filename='../../etc/passwd'")).toBe("passwd");
    expect(downloadName("http://h/x", 'inline; filename="r.pdf"; size=3')).toBe("r.pdf");
  });
});

describe("DownloadDataframe", () => {
  const columns = {
    type: "record_type",
    columns: [
      { name: "score", data_type: "float", description: "" },
      { name: "age", data_type: "int", description: "" },
      { name: "name", data_type: "string", description: "" },
      { name: "absent", data_type: "object", description: "" },
    ],
  };

  it("maps CSV columns by name to the declared ones, in their order, cast to their types", async () => {
    const df = (await outputOf("lib.http.DownloadDataframe", { url: `${server.url}/data.csv`, columns }, services)) as { type: string; columns: unknown[]; data: unknown[][] };
    expect(df.type).toBe("dataframe");
    expect(df.columns).toEqual(columns.columns);
    // "1,5" is not a float: null, as NodeTool's cast gives None; an empty age is missing.
    expect(df.data).toEqual([
      [null, 36, "Ada", null],
      [2.25, null, "Bob", null],
    ]);
  });

  it("reads TSV by tabs and JSON records or rows", async () => {
    const two = { type: "record_type", columns: [columns.columns[2], columns.columns[1]] };
    const tsv = (await outputOf("lib.http.DownloadDataframe", { url: `${server.url}/data.tsv`, file_format: "tsv", columns: two }, services)) as { data: unknown[][] };
    expect(tsv.data).toEqual([["Ada", 36]]);
    const records = (await outputOf("lib.http.DownloadDataframe", { url: `${server.url}/data.json`, file_format: "json", columns: two }, services)) as { data: unknown[][] };
    expect(records.data).toEqual([
      ["Cy", 41],
      ["Di", null],
    ]);
    const rows = (await outputOf("lib.http.DownloadDataframe", { url: `${server.url}/rows.json`, file_format: "FileFormat.JSON", columns: two }, services)) as { data: unknown[][] };
    expect(rows.data).toEqual([["Ed", 7]]);
  });

  it("is empty without declared columns, and fails clearly on a bad file", async () => {
    expect(await outputOf("lib.http.DownloadDataframe", { url: `${server.url}/data.csv` }, services)).toMatchObject({ type: "dataframe", columns: [], data: [] });
    await expect(outputOf("lib.http.DownloadDataframe", { url: `${server.url}/data.csv`, file_format: "json", columns }, services)).rejects.toThrow(
      /DownloadDataframe: the JSON is not valid/,
    );
    await expect(outputOf("lib.http.DownloadDataframe", { url: `${server.url}/data.csv`, delimiter: ";;", columns }, services)).rejects.toThrow(/one character/);
  });

  it("casts like NodeTool's _cast_value", () => {
    expect(castCell("1.9", "int")).toBe(1);
    expect(castCell("abc", "float")).toBeNull();
    expect(castCell("", "string")).toBe("");
    expect(castCell("", "datetime")).toBeNull();
    expect(castCell(0, "datetime")).toBe("1970-01-01T00:00:00.000Z");
    expect(castCell(true, "string")).toBe("True");
  });
});

describe("FilterValidURLs", () => {
  it("keeps the URLs whose HEAD answers 2xx or 3xx after redirects, in order", async () => {
    server.requests.length = 0;
    const urls = [`${server.url}/files/report.txt`, `${server.url}/missing`, `${server.url}/moved`, `${other.url}/img.png`, "not a url"];
    expect(await outputOf("lib.http.FilterValidURLs", { urls, max_concurrent_requests: 3 }, services)).toEqual([`${server.url}/files/report.txt`, `${server.url}/moved`]);
    expect(server.requests.every((r) => r.method === "HEAD")).toBe(true);
  });
});

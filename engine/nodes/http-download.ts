import { toRef } from "../dataframe/table";
import { effectiveContentType } from "../media/content-types";
import { InlineBytes } from "../media/data-uri";
import { saveMedia } from "../media/refs";
import { urljoin } from "../html/dom";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl } from "../registry/types";
import { describe, enumValue, toInt, toText } from "../values/coerce";
import { declaredColumns, mapToColumns, readDelimited, readJsonTable } from "../web/download-table";
import { mapLimited, nodeName, requireOk, send } from "../web/fetch";

/**
 * `lib.http` downloads: files into the user's workspace, images into media storage, tables as dataframes,
 * and URL checks (nodetool-base src/nodetool/nodes/lib/http.py). Batch nodes report a URL that fails in
 * their failure output instead of failing the node, as NodeTool does.
 */

/** Most URLs a batch node takes in one run. */
export const MAX_BATCH_URLS = 1000;
const MAX_CONCURRENCY = 20;

const FILE_FORMAT = { CSV: "csv", JSON: "json", TSV: "tsv" } as const;

function urlList(inputs: Inputs, name: string, who: string): string[] {
  const value = inputs[name] ?? [];
  if (!Array.isArray(value)) throw new Error(`${who}: ${name} must be a list of URLs, got ${describe(value)}`);
  if (value.length > MAX_BATCH_URLS) throw new Error(`${who}: ${value.length} URLs given; at most ${MAX_BATCH_URLS} per run`);
  return value.map((u) => toText(u));
}

const concurrency = (inputs: Inputs, name: string, fallback: number) => Math.min(MAX_CONCURRENCY, Math.max(1, toInt(inputs[name] ?? fallback, name)));

/** A response as media: a temporary stored file when the run has storage, inline bytes otherwise. */
async function mediaFromBytes(ctx: NodeContext, type: string, bytes: Uint8Array, contentType: string) {
  if (ctx.services.blobs) return saveMedia(ctx, bytes, { type, contentType, kind: "temp" }, nodeName(ctx));
  return { type, uri: "", asset_id: null, data: InlineBytes.wrap(bytes, contentType) };
}

/** NodeTool's file name: Content-Disposition's `filename=`, else the URL's last path segment, else "unnamed_file". */
export function downloadName(url: string, disposition: string | undefined): string {
  let name = "";
  if (disposition?.includes("filename=")) {
    name = disposition.slice(disposition.lastIndexOf("filename=") + "filename=".length).split(";")[0].trim().replace(/^["']+|["']+$/g, "");
  } else {
    name = url.split(/[?#]/)[0].split("/").pop() ?? "";
  }
  // Only the last segment: a server must not pick the folder.
  name = name.split(/[\\/]/).pop() ?? "";
  return name === "" || name === "." || name === ".." ? "unnamed_file" : name;
}

export const httpDownloadNodes: NodeDecl[] = [
  defineNode({
    type: "lib.http.ImageDownloader",
    description: "Download images from list of URLs and return a list of ImageRefs.\n    image download, web scraping, data processing",
    properties: [
      prop("images", "list[str]", [], { description: "List of image URLs to download." }),
      prop("base_url", "str", "", { description: "Base URL to prepend to relative image URLs." }),
      prop("max_concurrent_downloads", "int", 10, { description: "Maximum number of concurrent image downloads." }),
    ],
    outputs: [out("images", "list[image]"), out("failed_urls", "list[str]")],
    process: async (inputs, ctx) => {
      const base = toText(inputs.base_url ?? "");
      const urls = urlList(inputs, "images", "ImageDownloader").map((src) => urljoin(base, src));
      const outcomes = await mapLimited(urls, concurrency(inputs, "max_concurrent_downloads", 10), ctx.signal, async (url) => {
        try {
          const res = await send(ctx, { url });
          if (res.status !== 200) return null;
          return await mediaFromBytes(ctx, "image", res.bytes, effectiveContentType(res.contentType, res.bytes, url.split("?")[0]));
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          ctx.log(`ImageDownloader: ${url}: ${err instanceof Error ? err.message : String(err)}`, "warning");
          return null;
        }
      });
      return { images: outcomes.filter((o) => o !== null), failed_urls: urls.filter((_, i) => outcomes[i] === null) };
    },
  }),
  defineNode({
    type: "lib.http.DownloadDataframe",
    title: "Download Dataframe",
    description: "Download data from a URL and return as a dataframe.\n    http, get, request, url, dataframe, csv, json, data",
    properties: [
      prop("url", "str", "", { description: "The URL to make the request to." }),
      prop("file_format", "enum", "csv", { values: Object.values(FILE_FORMAT), description: "The format of the data file (csv, json, tsv)." }),
      prop("columns", "record_type", { type: "record_type", columns: [] }, { description: "The columns of the dataframe." }),
      prop("encoding", "str", "utf-8", { description: "The encoding of the text file." }),
      prop("delimiter", "str", ",", { description: "The delimiter for CSV/TSV files." }),
    ],
    outputs: [out("output", "dataframe")],
    process: async (inputs, ctx) => {
      const format = enumValue(inputs.file_format ?? "csv", FILE_FORMAT);
      if (!Object.values(FILE_FORMAT).includes(format as never)) throw new Error(`DownloadDataframe: unsupported file format '${format}'`);
      const columns = declaredColumns(inputs.columns);
      const res = requireOk(ctx, await send(ctx, { url: toText(inputs.url ?? "") }));
      const encoding = toText(inputs.encoding ?? "utf-8") || "utf-8";
      let text: string;
      try {
        text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(res.bytes);
      } catch (err) {
        throw new Error(`DownloadDataframe: cannot decode the download as ${encoding}: ${err instanceof Error ? err.message : String(err)}`);
      }
      // NodeTool answers an empty dataframe when no columns are declared.
      if (columns.length === 0) return { output: toRef({ columns: [], rows: [] }) };
      try {
        // TSV is tab-separated whatever `delimiter` says.
        const { header, rows } = format === "json" ? readJsonTable(text) : readDelimited(text, format === "tsv" ? "\t" : toText(inputs.delimiter ?? ","));
        return { output: toRef({ columns, rows: mapToColumns(header.map(String), rows, columns) }) };
      } catch (err) {
        throw new Error(`DownloadDataframe: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  }),
  defineNode({
    type: "lib.http.FilterValidURLs",
    title: "Filter Valid URLs",
    description: "Filter a list of URLs by checking their validity using HEAD requests.\n    url validation, http, head request",
    properties: [
      prop("url", "str", "", { description: "The URL to make the request to." }),
      prop("urls", "list[str]", [], { description: "List of URLs to validate." }),
      prop("max_concurrent_requests", "int", 10, { description: "Maximum number of concurrent HEAD requests." }),
    ],
    outputs: [out("output", "list[str]")],
    process: async (inputs, ctx) => {
      if (!ctx.services.http) throw new Error("FilterValidURLs: outbound HTTP is not available in this run");
      const urls = urlList(inputs, "urls", "FilterValidURLs");
      const valid = await mapLimited(urls, concurrency(inputs, "max_concurrent_requests", 10), ctx.signal, async (url) => {
        try {
          const res = await send(ctx, { url, method: "HEAD" });
          return res.status >= 200 && res.status < 400;
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          return false;
        }
      });
      return { output: urls.filter((_, i) => valid[i]) };
    },
  }),
  defineNode({
    type: "lib.http.DownloadFiles",
    description: "Download files from a list of URLs into a folder of the workspace.\n    download, files, urls, batch",
    properties: [
      prop("urls", "list[str]", [], { description: "List of URLs to download." }),
      prop("output_folder", "str", "downloads", { description: "Workspace folder where files will be saved." }),
      prop("max_concurrent_downloads", "int", 5, { description: "Maximum number of concurrent downloads." }),
    ],
    outputs: [out("success", "list[str]"), out("failed", "list[str]")],
    process: async (inputs, ctx) => {
      const workspace = ctx.services.workspace;
      if (!workspace) throw new Error("DownloadFiles: this run has no workspace to save files to");
      const given = toText(inputs.output_folder ?? "");
      if (given.trim() === "") throw new Error("DownloadFiles: output_folder cannot be empty");
      // Workspace paths are relative; `~/` and leading slashes of desktop-style folders mean its root.
      const folder = given.trim().replace(/^~(\/|$)/, "").replace(/^\/+|\/+$/g, "");
      const urls = urlList(inputs, "urls", "DownloadFiles");
      let done = 0;
      const saved = await mapLimited(urls, concurrency(inputs, "max_concurrent_downloads", 5), ctx.signal, async (url) => {
        let path: string | null = null;
        try {
          const res = await send(ctx, { url });
          if (res.status === 200) {
            const name = downloadName(url, res.headers["content-disposition"]);
            const target = folder === "" ? name : `${folder}/${name}`;
            await workspace.write(target, res.bytes, res.contentType || undefined, ctx.signal);
            path = target;
          }
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          ctx.log(`DownloadFiles: ${url}: ${err instanceof Error ? err.message : String(err)}`, "warning");
        }
        ctx.progress(++done, urls.length);
        return path;
      });
      return { success: saved.filter((p): p is string => p !== null), failed: urls.filter((_, i) => saved[i] === null) };
    },
  }),
];

import { InlineBytes } from "../media/data-uri";
import { effectiveContentType } from "../media/content-types";
import { saveMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl } from "../registry/types";
import { describe, isRecord, toInt, toText } from "../values/coerce";
import { requireOk, responseJson, responseText, send } from "../web/fetch";
import type { HttpResponse } from "../web/http-service";

/**
 * `lib.http`: HTTP requests through the host's fetch guard, with NodeTool's semantics (nodetool-base
 * src/nodetool/nodes/lib/http.py): error statuses fail the node, text is decoded with the declared charset,
 * the JSON variants send and parse JSON.
 */

const urlProp = prop("url", "str", "", { description: "The URL to make the request to." });
const url = (inputs: Inputs) => toText(inputs.url ?? "");

async function call(ctx: NodeContext, method: string, inputs: Inputs, body?: string | Uint8Array, headers?: Record<string, string>): Promise<HttpResponse> {
  const res = await send(ctx, { url: url(inputs), method, body, headers });
  return requireOk(ctx, res, method);
}

/** A `str | bytes` body: bytes as they are, anything else as text. */
function binaryBody(value: unknown): string | Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  throw new Error(`data must be text or bytes, got ${describe(value)}`);
}

function jsonBody(value: unknown): string {
  if (value !== null && value !== undefined && !isRecord(value)) throw new Error(`data must be a dict, got ${describe(value)}`);
  return JSON.stringify(value ?? {});
}

const textRequest = (type: string, method: string, title: string, description: string, withData: boolean) =>
  defineNode({
    type,
    title,
    description,
    properties: withData ? [urlProp, prop("data", "str", "", { description: `The data to send in the ${method} request.` })] : [urlProp],
    outputs: [out("output", "str")],
    process: async (inputs, ctx) => {
      const res = await call(ctx, method, inputs, withData ? toText(inputs.data ?? "") : undefined);
      return { output: responseText(res) };
    },
  });

const jsonRequest = (type: string, method: string, title: string, description: string) =>
  defineNode({
    type,
    title,
    description,
    properties: [urlProp, prop("data", "dict", {}, { description: `The JSON data to send in the ${method} request.` })],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const res = await call(ctx, method, inputs, jsonBody(inputs.data), { "Content-Type": "application/json" });
      return { output: responseJson(ctx, res) };
    },
  });

export const httpNodes: NodeDecl[] = [
  textRequest("lib.http.GetRequest", "GET", "GET Request", "Perform an HTTP GET request to retrieve data from a specified URL.\n    http, get, request, url", false),
  textRequest("lib.http.PostRequest", "POST", "POST Request", "Send data to a server using an HTTP POST request.\n    http, post, request, url, data", true),
  textRequest("lib.http.PutRequest", "PUT", "PUT Request", "Update existing resources on a server using an HTTP PUT request.\n    http, put, request, url, data", true),
  textRequest("lib.http.DeleteRequest", "DELETE", "DELETE Request", "Remove a resource from a server using an HTTP DELETE request.\n    http, delete, request, url", false),
  defineNode({
    type: "lib.http.HeadRequest",
    title: "HEAD Request",
    description: "Retrieve headers from a resource using an HTTP HEAD request.\n    http, head, request, url",
    properties: [urlProp],
    outputs: [out("output", "dict[str,str]")],
    process: async (inputs, ctx) => ({ output: { ...(await call(ctx, "HEAD", inputs)).headers } }),
  }),
  defineNode({
    type: "lib.http.GetRequestBinary",
    title: "GET Binary",
    description: "Perform an HTTP GET request and return raw binary data.\n    http, get, request, url, binary, download",
    properties: [urlProp],
    outputs: [out("output", "bytes")],
    process: async (inputs, ctx) => ({ output: (await call(ctx, "GET", inputs)).bytes }),
  }),
  defineNode({
    type: "lib.http.GetRequestDocument",
    title: "GET Document",
    description: "Perform an HTTP GET request and return a document\n    http, get, request, url, document",
    properties: [urlProp],
    outputs: [out("output", "document")],
    process: async (inputs, ctx) => {
      const res = await call(ctx, "GET", inputs);
      const contentType = effectiveContentType(res.contentType, res.bytes, new URL(res.url).pathname);
      // Stored as a temporary file when the run has storage, so large documents do not travel inside messages.
      if (ctx.services.blobs) return { output: await saveMedia(ctx, res.bytes, { type: "document", contentType, kind: "temp" }, "GetRequestDocument") };
      return { output: { type: "document", uri: "", asset_id: null, data: InlineBytes.wrap(res.bytes, contentType) } };
    },
  }),
  defineNode({
    type: "lib.http.PostRequestBinary",
    title: "POST Binary",
    description: "Send data using an HTTP POST request and return raw binary data.\n    http, post, request, url, data, binary",
    properties: [urlProp, prop("data", "str|bytes", "", { description: "The data to send in the POST request. Can be string or binary." })],
    outputs: [out("output", "bytes")],
    process: async (inputs, ctx) => ({ output: (await call(ctx, "POST", inputs, binaryBody(inputs.data))).bytes }),
  }),
  jsonRequest("lib.http.JSONPostRequest", "POST", "POST JSON", "Send JSON data to a server using an HTTP POST request.\n    http, post, request, url, json, api"),
  jsonRequest("lib.http.JSONPutRequest", "PUT", "PUT JSON", "Update resources with JSON data using an HTTP PUT request.\n    http, put, request, url, json, api"),
  jsonRequest("lib.http.JSONPatchRequest", "PATCH", "PATCH JSON", "Partially update resources with JSON data using an HTTP PATCH request.\n    http, patch, request, url, json, api"),
  defineNode({
    type: "lib.http.JSONGetRequest",
    title: "GET JSON",
    description: "Perform an HTTP GET request and parse the response as JSON.\n    http, get, request, url, json, api",
    properties: [urlProp],
    outputs: [out("output", "dict")],
    process: async (inputs, ctx) => {
      const res = await send(ctx, { url: url(inputs), headers: { Accept: "application/json" } });
      return { output: responseJson(ctx, requireOk(ctx, res)) };
    },
  }),
  defineNode({
    type: "lib.http.FetchPage",
    description:
      "Fetch a web page and return its HTML. A plain GET: the page's scripts do not run, so content a browser would render with JavaScript is not included.\n    fetch, webpage, http",
    properties: [urlProp, prop("wait_time", "int", 10, { description: "Maximum time to wait for page load (in seconds)." })],
    outputs: [out("html", "str"), out("success", "bool"), out("error_message", "str")],
    process: async (inputs, ctx) => {
      // Like NodeTool's browser fetch, failures are reported on the outputs instead of failing the node, and
      // an error page is still a page.
      const waitSeconds = Math.max(1, toInt(inputs.wait_time ?? 10, "wait_time"));
      try {
        const res = await send(ctx, { url: url(inputs), timeoutMs: waitSeconds * 1000 });
        return { html: responseText(res), success: true, error_message: null };
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        return { html: "", success: false, error_message: err instanceof Error ? err.message : String(err) };
      }
    },
  }),
];

import { base64ToBytes } from "../../media/data-uri";
import { DEFAULT_CONTENT_TYPE, effectiveContentType, extensionForContentType } from "../../media/content-types";
import { filePart, readBounded, readJson, send, type MediaCall } from "./http";
import { wantsResponseFormat } from "./params";
import { MediaProviderError, type ImageEditRequest, type ImageGenerationRequest, type MediaBytes } from "./types";

/** A generated image, base64 in JSON, is about 4/3 of this; 48 MiB covers 4K PNGs. */
export const MAX_IMAGE_BYTES = 48 * 1024 * 1024;

function common(request: ImageGenerationRequest, model: string): Record<string, string> {
  const fields: Record<string, string> = { model, prompt: request.prompt, n: "1" };
  if (request.size) fields.size = request.size;
  if (request.quality) fields.quality = request.quality;
  if (request.background) fields.background = request.background;
  if (wantsResponseFormat(model)) fields.response_format = "b64_json";
  return fields;
}

/**
 * The first image of an images API answer: `b64_json`, or (servers that ignore `response_format`) a `url`,
 * fetched without the API key unless it is on the provider's own origin.
 */
async function firstImage(res: Response, call: MediaCall): Promise<MediaBytes> {
  const body = (await readJson(res, call, Math.ceil(MAX_IMAGE_BYTES * 1.4), "image")) as { data?: unknown; output_format?: unknown };
  const item = Array.isArray(body.data) ? (body.data[0] as { b64_json?: unknown; url?: unknown } | undefined) : undefined;
  const declared = typeof body.output_format === "string" ? `image/${body.output_format === "jpg" ? "jpeg" : body.output_format}` : undefined;
  if (item && typeof item.b64_json === "string" && item.b64_json !== "") {
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(item.b64_json);
    } catch {
      throw new MediaProviderError(`provider '${call.provider.name}' sent an image that is not valid base64`);
    }
    const sniffed = effectiveContentType(undefined, bytes);
    return { bytes, contentType: sniffed === DEFAULT_CONTENT_TYPE && declared ? declared : sniffed };
  }
  if (item && typeof item.url === "string" && /^https?:\/\//i.test(item.url)) {
    const sameOrigin = new URL(item.url).origin === new URL(call.provider.baseUrl).origin;
    const headers: Record<string, string> = sameOrigin && call.provider.apiKey ? { authorization: `Bearer ${call.provider.apiKey}` } : {};
    const download = await call.fetch(item.url, { method: "GET", headers, signal: call.signal });
    if (!download.ok) throw new MediaProviderError(`provider '${call.provider.name}' sent an image URL that answered HTTP ${download.status}`);
    const bytes = await readBounded(download, MAX_IMAGE_BYTES, `the image from provider '${call.provider.name}'`);
    return { bytes, contentType: effectiveContentType(download.headers.get("content-type"), bytes) };
  }
  throw new MediaProviderError(`provider '${call.provider.name}' answered the image request (model '${call.model}') without an image`);
}

/** `POST /images/generations`. */
export async function generateImage(call: MediaCall, request: ImageGenerationRequest): Promise<MediaBytes> {
  const fields: Record<string, unknown> = common(request, call.model);
  fields.n = 1;
  const res = await send(call, "POST", "/images/generations", fields);
  return firstImage(res, call);
}

/** `POST /images/edits`: the image (and mask) as multipart file parts. */
export async function editImage(call: MediaCall, request: ImageEditRequest): Promise<MediaBytes> {
  const form = new FormData();
  for (const [k, v] of Object.entries(common(request, call.model))) form.append(k, v);
  form.append("image", filePart(request.image.bytes, request.image.contentType, "image", extensionForContentType(request.image.contentType)));
  if (request.mask) form.append("mask", filePart(request.mask.bytes, request.mask.contentType, "mask", extensionForContentType(request.mask.contentType)));
  const res = await send(call, "POST", "/images/edits", form);
  return firstImage(res, call);
}

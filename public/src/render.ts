import { h } from "./dom";

/**
 * Output values by kind: text, numbers and booleans as text, media references (`{type, uri, data}`) as
 * images, audio and video players or a download link, anything else as JSON.
 */

/** The public URL of one of the caller's assets (for `asset://<id>.<ext>` references). */
export type AssetUrl = (assetId: string) => Promise<string | null>;

const MEDIA = ["image", "audio", "video", "document"];
/** Longer JSON is cut for display (a streaming output can collect many thousands of values). */
const MAX_SHOWN = 100_000;

type MediaRef = { type: string; uri?: unknown; data?: unknown; content_type?: unknown; asset_id?: unknown };

export function isMediaRef(value: unknown): value is MediaRef {
  if (!value || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) return false;
  const ref = value as Record<string, unknown>;
  return typeof ref.type === "string" && MEDIA.includes(ref.type) && ("uri" in ref || "data" in ref);
}

const MIME_BY_EXT: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  m4a: "audio/mp4",
  mp4: "video/mp4",
  webm: "video/webm",
  pdf: "application/pdf",
};

function mimeOf(ref: MediaRef): string {
  if (typeof ref.content_type === "string") return ref.content_type;
  const uri = typeof ref.uri === "string" ? ref.uri.split(/[?#]/)[0] : "";
  const ext = uri.includes(".") ? uri.slice(uri.lastIndexOf(".") + 1).toLowerCase() : "";
  return MIME_BY_EXT[ext] ?? "";
}

/** Renders one output's value(s); blob URLs it creates are pushed to `urls` so the caller can revoke them. */
export class OutputRenderer {
  constructor(private readonly assetUrl: AssetUrl) {}

  render(value: unknown, urls: string[]): HTMLElement {
    if (isMediaRef(value)) return this.media(value, urls);
    if (Array.isArray(value) && value.length > 0 && value.every(isMediaRef)) {
      return h("div", { class: "media-list" }, ...value.map((v) => this.media(v as MediaRef, urls)));
    }
    if (typeof value === "string") return h("pre", { class: "value-text" }, value);
    if (typeof value === "number" || typeof value === "boolean" || value === null) return h("code", { class: "value-scalar" }, String(value));
    if (value instanceof Uint8Array) return this.bytes(value, "", urls);
    const json = toJson(value);
    return h("pre", { class: "value-json" }, json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}\n… (${json.length - MAX_SHOWN} more characters)` : json);
  }

  private media(ref: MediaRef, urls: string[]): HTMLElement {
    const el =
      ref.type === "image"
        ? h("img", { class: "value-image", alt: "image output" })
        : ref.type === "audio"
          ? h("audio", { class: "value-audio", controls: true, preload: "metadata" })
          : ref.type === "video"
            ? h("video", { class: "value-video", controls: true, preload: "metadata" })
            : h("a", { class: "value-file", download: "", target: "_blank", rel: "noopener" }, "download");
    const wrapper = h("div", { class: "media" }, el);
    void this.source(ref, urls).then(
      (src) => {
        if (!src) {
          wrapper.append(h("small", { class: "hint" }, "(empty)"));
          return;
        }
        if (el instanceof HTMLAnchorElement) el.href = src;
        else (el as HTMLImageElement | HTMLMediaElement).src = src;
        wrapper.dataset.src = src;
      },
      (err: Error) => wrapper.append(h("small", { class: "error" }, `cannot show it: ${err.message}`)),
    );
    return wrapper;
  }

  /** Where to load a reference from: its inline bytes, a data:/http(s)/storage URL, or an asset's URL. */
  private async source(ref: MediaRef, urls: string[]): Promise<string | null> {
    if (ref.data instanceof Uint8Array && ref.data.length > 0) {
      const url = URL.createObjectURL(new Blob([ref.data as Uint8Array<ArrayBuffer>], { type: mimeOf(ref) }));
      urls.push(url);
      return url;
    }
    if (typeof ref.data === "string" && ref.data.startsWith("data:")) return ref.data;
    const uri = typeof ref.uri === "string" ? ref.uri : "";
    if (uri === "") return null;
    const asset = /^asset:\/\/([A-Za-z0-9_-]+)/.exec(uri);
    if (asset) return this.assetUrl(asset[1]);
    if (/^(data:|blob:|https?:\/\/|\/)/i.test(uri)) return uri;
    throw new Error(`unsupported uri ${uri.slice(0, 60)}`);
  }

  private bytes(data: Uint8Array, type: string, urls: string[]): HTMLElement {
    const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type }));
    urls.push(url);
    return h("a", { class: "value-file", href: url, download: "output.bin" }, `${data.length} bytes`);
  }
}

/** JSON for display: bytes as `<N bytes>`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v), 2) ?? String(value);
}

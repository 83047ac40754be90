import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32, deflateSync } from "node:zlib";

/**
 * A loopback server speaking OpenAI's images, audio, embeddings, moderations, videos (and a bit of chat)
 * protocols, for the generation node tests (engine and e2e). Multipart bodies are parsed with the Web
 * `Request.formData()`, so the tests see what a real server would: fields, file names, types and bytes.
 */

export const MEDIA_KEY = "sk-media-upstream-key";

export interface FilePart {
  name: string;
  type: string;
  bytes: Buffer;
}

export interface MediaRequest {
  method: string;
  path: string;
  /** `local` for requests under /local, else `openai`. */
  provider: string;
  auth?: string;
  contentType?: string;
  json?: Record<string, unknown>;
  /** Multipart text fields, repeated names in order. */
  fields?: [string, string][];
  files?: Record<string, FilePart>;
}

export interface MediaUpstream {
  url: string;
  requests: MediaRequest[];
  /** Bytes the server sent for each generated image / speech / video, by request index. */
  sent: Map<number, Buffer>;
  close(): Promise<void>;
}

/** A solid-colour RGB PNG of the given size. */
export function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** Deterministic 16-bit PCM: a 440 Hz square-ish ramp, `samples` long. */
export function pcm(samples: number): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) out.writeInt16LE(((i * 440 * 2) / 24000) % 2 < 1 ? 8000 : -8000, i * 2);
  return out;
}

function colourOf(text: string): [number, number, number] {
  const h = crc32(Buffer.from(text)) >>> 0;
  return [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

function error(status: number, message: string) {
  return { status, body: JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code: null } }) };
}

export async function startMediaUpstream(): Promise<MediaUpstream> {
  const requests: MediaRequest[] = [];
  const sent = new Map<number, Buffer>();
  const videoPolls = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://localhost");
    // A second provider is mounted under /local, so tests can tell which one a request went to.
    const local = url.pathname.startsWith("/local/");
    const path = local ? url.pathname.slice("/local".length) : url.pathname;
    const contentType = req.headers["content-type"];
    const record: MediaRequest = { method: req.method ?? "GET", path, provider: local ? "local" : "openai", auth: req.headers.authorization, contentType };
    if (contentType?.startsWith("application/json")) record.json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    if (contentType?.startsWith("multipart/form-data")) {
      const form = await new Request("http://localhost/", { method: "POST", headers: { "content-type": contentType }, body }).formData();
      record.fields = [];
      record.files = {};
      for (const [name, value] of form.entries()) {
        if (typeof value === "string") record.fields.push([name, value]);
        else {
          const file = value as unknown as File;
          record.files[name] = { name: file.name, type: file.type, bytes: Buffer.from(await file.arrayBuffer()) };
        }
      }
    }
    const index = requests.push(record) - 1;
    const field = (name: string) => record.fields?.find(([n]) => n === name)?.[1] ?? (record.json?.[name] as string | undefined);
    const json = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(typeof value === "string" ? value : JSON.stringify(value));
    if (record.auth !== `Bearer ${MEDIA_KEY}`) return json(401, error(401, "bad key").body);
    const model = field("model") ?? "";
    if (model === "missing-model") return json(404, error(404, `model '${model}' not found`).body);

    if (path === "/v1/images/generations" || path === "/v1/images/edits") {
      const prompt = field("prompt") ?? "";
      if (prompt.includes("refuse")) return json(400, error(400, "Your request was rejected by the safety system").body);
      const [w, h] = (field("size") ?? "256x256").split("x").map(Number);
      const image = png(w, h, colourOf(prompt));
      sent.set(index, image);
      return json(200, { created: 1, data: [{ b64_json: image.toString("base64") }] });
    }
    if (path === "/v1/audio/transcriptions" || path === "/v1/audio/translations") {
      const file = record.files?.file;
      if (!file) return json(400, error(400, "file is required").body);
      const wav = file.bytes.subarray(0, 4).toString("ascii") === "RIFF";
      const seconds = wav ? (file.bytes.length - 44) / (file.bytes.readUInt32LE(28) || 1) : 0;
      const text = `${path.endsWith("translations") ? "translated" : "heard"} ${seconds.toFixed(2)} s of ${file.type} (${file.name}) with ${model}`;
      if (field("response_format") === "verbose_json") {
        return json(200, {
          text,
          language: "english",
          duration: seconds,
          words: [
            { word: "hello", start: 0, end: 0.5 },
            { word: "world", start: 0.5, end: 1.1 },
          ],
          segments: [{ id: 0, start: 0, end: 1.1, text: " hello world" }],
        });
      }
      return json(200, { text });
    }
    if (path === "/v1/audio/speech") {
      const input = String(record.json?.input ?? "");
      const format = String(record.json?.response_format ?? "mp3");
      // Half a second of audio per word, written in uneven pieces as a streaming server would.
      const audio = format === "pcm" ? pcm(12000 * input.split(/\s+/).filter(Boolean).length) : Buffer.concat([Buffer.from("ID3\x04\0\0\0\0\0\0", "latin1"), Buffer.from(input)]);
      sent.set(index, audio);
      res.writeHead(200, { "content-type": format === "pcm" ? "audio/pcm" : "audio/mpeg" });
      for (let at = 0; at < audio.length; at += 7001) res.write(audio.subarray(at, at + 7001));
      return res.end();
    }
    if (path === "/v1/embeddings") {
      const input = record.json?.input as string[];
      // A text's embedding: [length, count of 'a', 1].
      return json(200, { object: "list", data: input.map((t, i) => ({ object: "embedding", index: i, embedding: [t.length, t.split("a").length - 1, 1] })) });
    }
    if (path === "/v1/moderations") {
      const input = String(record.json?.input ?? "");
      const violent = input.includes("kill");
      return json(200, { id: "modr-1", model, results: [{ flagged: violent, categories: { violence: violent, hate: false }, category_scores: { violence: violent ? 0.9 : 0.01, hate: 0.001 } }] });
    }
    if (path === "/v1/videos" && req.method === "POST") {
      const prompt = field("prompt") ?? "";
      const id = `video_${index}`;
      videoPolls.set(id, prompt.includes("explode") ? -1 : 0);
      return json(200, { id, object: "video", status: "queued", progress: 0, model, size: field("size") });
    }
    const poll = /^\/v1\/videos\/([\w-]+)(\/content)?$/.exec(path);
    if (poll && req.method === "GET") {
      const id = poll[1];
      const n = videoPolls.get(id);
      if (n === undefined) return json(404, error(404, "no such video").body);
      if (poll[2]) {
        const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42"), Buffer.alloc(12), Buffer.from(id)]);
        sent.set(index, mp4);
        return res.writeHead(200, { "content-type": "video/mp4" }).end(mp4);
      }
      if (n < 0) return json(200, { id, status: "failed", progress: 10, error: { code: "moderation", message: "the prompt was blocked" } });
      videoPolls.set(id, n + 1);
      return json(200, n === 0 ? { id, status: "in_progress", progress: 50 } : { id, status: "completed", progress: 100 });
    }
    if (path === "/v1/chat/completions") {
      const messages = record.json?.messages as { content: string }[];
      return json(200, {
        id: "c1",
        object: "chat.completion",
        created: 1,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: `searched: ${messages[messages.length - 1].content}` }, finish_reason: "stop" }],
      });
    }
    json(404, error(404, `no route ${path}`).body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, sent, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

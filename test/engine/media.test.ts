import { decode, encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { runWorkflow, type RunResult } from "../../engine/executor/run-workflow";
import { MediaError, type BlobStore } from "../../engine/media/blob-store";
import { contentTypeForName, effectiveContentType, extensionForContentType, sniffContentType } from "../../engine/media/content-types";
import { bytesToBase64, parseDataUri, toDataUri } from "../../engine/media/data-uri";
import { imageInfo } from "../../engine/media/image-info";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { formatName, INLINE_MEDIA_BYTES } from "../../engine/media/refs";
import type { Graph } from "../../schema/workflow";
import { graph, registry } from "./helpers";

// ---- fixtures: real image headers ----------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
/** A PNG with a real signature and IHDR, padded with an ancillary chunk to about `size` bytes. */
function png(width: number, height: number, colourType = 6, size = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  const pad = new Uint8Array(Math.max(0, size - 57));
  for (let i = 0; i < pad.length; i++) pad[i] = (i * 31 + 7) % 256;
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("tEXt", pad), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function jpeg(width: number, height: number, components = 3): Uint8Array {
  // SOI, an APP0 segment, SOF0 with the size.
  return new Uint8Array([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, components, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9,
  ]);
}
const gif = (w: number, h: number) => new Uint8Array([...new TextEncoder().encode("GIF89a"), w & 0xff, w >> 8, h & 0xff, h >> 8, 0, 0, 0]);
function webpVp8x(w: number, h: number, alpha: boolean): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode("RIFF"), 0);
  b.set(new TextEncoder().encode("WEBPVP8X"), 8);
  b[20] = alpha ? 0x10 : 0;
  const [w1, h1] = [w - 1, h - 1];
  b.set([w1 & 0xff, (w1 >> 8) & 0xff, w1 >> 16, h1 & 0xff, (h1 >> 8) & 0xff, h1 >> 16], 24);
  return b;
}
function bmp(w: number, h: number, bpp: number): Uint8Array {
  const b = new Uint8Array(54);
  const v = new DataView(b.buffer);
  b.set([0x42, 0x4d]);
  v.setInt32(18, w, true);
  v.setInt32(22, -h, true);
  v.setUint16(28, bpp, true);
  return b;
}

// ---- helpers ------------------------------------------------------------------------------------------

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

async function run(g: Graph, params: Record<string, unknown>, blobs?: BlobStore): Promise<RunResult> {
  return runWorkflow(g, params, { registry, services: { now: () => NOW, ...(blobs ? { blobs } : {}) } });
}

/** ImageInput -> SaveImage -> ImageOutput, plus GetMetadata's width and height. */
const passThrough = () =>
  graph(
    [
      { id: "in", type: "nodetool.input.ImageInput", data: { name: "image" } },
      { id: "save", type: "nodetool.image.SaveImage", data: { name: "copy-%Y%m%d-%H%M%S.png" } },
      { id: "meta", type: "nodetool.image.GetMetadata", data: {} },
      { id: "out", type: "nodetool.output.ImageOutput", data: { name: "image" } },
      { id: "w", type: "nodetool.output.IntegerOutput", data: { name: "width" } },
      { id: "h", type: "nodetool.output.IntegerOutput", data: { name: "height" } },
    ],
    [
      ["in", "output", "save", "image"],
      ["save", "output", "out", "value"],
      ["in", "output", "meta", "image"],
      ["meta", "width", "w", "value"],
      ["meta", "height", "h", "value"],
    ],
  );

type Ref = { type: string; uri: string; asset_id: string | null; data?: Uint8Array };

// ---- tests --------------------------------------------------------------------------------------------

describe("data: URIs", () => {
  it("decodes base64 and percent-encoded payloads with their media type", () => {
    const bytes = png(3, 4);
    expect(parseDataUri(toDataUri(bytes, "image/png"))).toEqual({ bytes, contentType: "image/png" });
    expect(parseDataUri(`data:image/png;base64,${bytesToBase64(bytes).replace(/=+$/, "")}`).bytes).toEqual(bytes);
    expect(parseDataUri("data:,Hello%2C%20World%21")).toEqual({ bytes: new TextEncoder().encode("Hello, World!"), contentType: "text/plain" });
    expect(parseDataUri("data:text/plain;charset=utf-8,h%C3%A9").bytes).toEqual(new TextEncoder().encode("hé"));
    expect(parseDataUri("DATA:Application/JSON;base64,e30=")).toEqual({ bytes: new TextEncoder().encode("{}"), contentType: "application/json" });
  });

  it("refuses malformed ones", () => {
    expect(() => parseDataUri("data:image/png;base64")).toThrow(/no ','/);
    expect(() => parseDataUri("data:image/png;base64,@@@@")).toThrow(/base64/);
    expect(() => parseDataUri("data:not a type;base64,AAAA")).toThrow(/media type/);
    expect(() => parseDataUri("https://x")).toThrow(/not a data: URI/);
  });
});

describe("content types and image headers", () => {
  it("maps extensions both ways and sniffs well-known formats", () => {
    expect(contentTypeForName("a/b/c.PNG")).toBe("image/png");
    expect(contentTypeForName("noext")).toBe("application/octet-stream");
    expect(extensionForContentType("image/jpeg")).toBe("jpg");
    expect(extensionForContentType("audio/x-wav; codecs=1")).toBe("wav");
    expect(extensionForContentType("application/x-unknown")).toBe("bin");
    expect(sniffContentType(png(1, 1))).toBe("image/png");
    expect(sniffContentType(jpeg(1, 1))).toBe("image/jpeg");
    expect(sniffContentType(new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(effectiveContentType("application/octet-stream", gif(1, 1))).toBe("image/gif");
    expect(effectiveContentType(undefined, new Uint8Array(4), "x.wav")).toBe("audio/wav");
    expect(effectiveContentType("text/csv", png(1, 1))).toBe("text/csv");
  });

  it("reads format, mode, size and channels as Pillow names them", () => {
    expect(imageInfo(png(640, 480))).toEqual({ format: "PNG", mode: "RGBA", width: 640, height: 480, channels: 4 });
    expect(imageInfo(png(7, 9, 2))).toEqual({ format: "PNG", mode: "RGB", width: 7, height: 9, channels: 3 });
    expect(imageInfo(png(7, 9, 0))).toMatchObject({ mode: "L", channels: 1 });
    expect(imageInfo(png(7, 9, 3))).toMatchObject({ mode: "P", channels: 1 });
    expect(imageInfo(jpeg(1920, 1080))).toEqual({ format: "JPEG", mode: "RGB", width: 1920, height: 1080, channels: 3 });
    expect(imageInfo(jpeg(10, 20, 1))).toMatchObject({ mode: "L", width: 10, height: 20 });
    expect(imageInfo(gif(300, 200))).toEqual({ format: "GIF", mode: "P", width: 300, height: 200, channels: 1 });
    expect(imageInfo(webpVp8x(4000, 3000, true))).toEqual({ format: "WEBP", mode: "RGBA", width: 4000, height: 3000, channels: 4 });
    expect(imageInfo(bmp(33, 44, 24))).toEqual({ format: "BMP", mode: "RGB", width: 33, height: 44, channels: 3 });
    expect(imageInfo(new TextEncoder().encode("not an image at all"))).toBeNull();
    expect(imageInfo(png(1, 1).subarray(0, 20))).toBeNull();
  });

  it("formats NodeTool name templates in UTC", () => {
    expect(formatName("%Y-%m-%d_%H-%M-%S.png", NOW)).toBe("2026-01-02_03-04-05.png");
    expect(formatName("100%% %Q.json", NOW)).toBe("100% %Q.json");
  });
});

describe("media through a workflow", () => {
  it("passes an uploaded image asset through SaveImage unchanged, as a new asset", async () => {
    const store = new MemoryBlobStore();
    const bytes = png(32, 16, 6, 5000);
    const uri = store.add(bytes, "image/png");
    const r = await run(passThrough(), { image: uri }, store);
    expect(r.status, r.error).toBe("completed");
    const out = r.result.image as Ref;
    expect(out.type).toBe("image");
    expect(out.asset_id).toMatch(/^[0-9a-f]{32}$/);
    expect(out.uri).toBe(`asset://${out.asset_id}.png`);
    expect(out.uri).not.toBe(uri);
    // Small enough to travel inline too: raw bytes in MessagePack, a data: URI of the right type in JSON.
    expect(Uint8Array.from(out.data!)).toEqual(bytes);
    expect(decode(encode(out))).toEqual({ ...out, data: bytes });
    expect(JSON.parse(JSON.stringify(out)).data).toBe(toDataUri(bytes, "image/png"));
    const saved = store.objects.get(out.uri)!;
    expect(saved.bytes).toEqual(bytes);
    expect(saved).toMatchObject({ kind: "asset", name: "copy-20260102-030405.png", contentType: "image/png", nodeId: "save" });
    expect(r.result.width).toBe(32);
    expect(r.result.height).toBe(16);
  });

  it("takes data: URIs and {type, uri} references, and keeps large outputs out of the messages", async () => {
    const store = new MemoryBlobStore();
    const small = jpeg(5, 6);
    const r1 = await run(passThrough(), { image: { type: "image", uri: toDataUri(small, "image/jpeg") } }, store);
    expect(r1.status, r1.error).toBe("completed");
    expect(Uint8Array.from((r1.result.image as Ref).data!)).toEqual(small);
    expect(store.objects.get((r1.result.image as Ref).uri)!.contentType).toBe("image/jpeg");
    expect((r1.result.image as Ref).uri).toMatch(/\.jpg$/);

    const big = png(100, 50, 2, INLINE_MEDIA_BYTES + 10_000);
    const messages: unknown[] = [];
    const r2 = await runWorkflow(passThrough(), { image: toDataUri(big, "image/png") }, { registry, services: { blobs: store }, emit: (m) => messages.push(m) });
    expect(r2.status, r2.error).toBe("completed");
    const out = r2.result.image as Ref;
    expect(out.data).toBeUndefined();
    expect(store.objects.get(out.uri)!.bytes).toEqual(big);
    expect(r2.result.width).toBe(100);
    // The inline input was moved to temporary storage: no message carries the megabytes of the data: URI.
    const temp = [...store.objects.values()].filter((o) => o.kind === "temp");
    expect(temp).toHaveLength(1);
    expect(temp[0].bytes).toEqual(big);
    expect(Math.max(...messages.map((m) => JSON.stringify(m).length))).toBeLessThan(2000);
  });

  it("reads inline bytes given as `data`", async () => {
    const store = new MemoryBlobStore();
    const bytes = gif(9, 8);
    const r = await run(passThrough(), { image: { type: "image", uri: "", data: bytes } }, store);
    expect(r.status, r.error).toBe("completed");
    expect(Uint8Array.from((r.result.image as Ref).data!)).toEqual(bytes);
    expect(JSON.parse(JSON.stringify(r.result.image)).data).toBe(toDataUri(bytes, "image/gif"));
    expect(r.result.width).toBe(9);
  });

  it("fails clearly on unknown assets, empty references and unreadable images", async () => {
    const store = new MemoryBlobStore();
    const unknown = await run(passThrough(), { image: "asset://0123456789abcdef0123456789abcdef.png" }, store);
    expect(unknown.status).toBe("failed");
    expect(unknown.error).toMatch(/ImageInput 'image'.*not found/);

    const empty = await run(passThrough(), {}, store);
    expect(empty.status).toBe("failed");
    expect(empty.error).toMatch(/no media was given/);

    const notImage = await run(passThrough(), { image: toDataUri(new TextEncoder().encode("hello"), "text/plain") }, store);
    expect(notImage.status).toBe("failed");
    expect(notImage.error).toMatch(/GetMetadata.*not a PNG, JPEG/);

    const badData = await run(passThrough(), { image: "data:image/png;base64,@@@" }, store);
    expect(badData.status).toBe("failed");
    expect(badData.error).toMatch(/invalid base64/);

    // A reference of the wrong shape is a params error before anything runs.
    await expect(run(passThrough(), { image: { type: "image", uri: 5 } }, store)).rejects.toThrow(/input 'image' must be a image reference/);
  });

  it("without a blob store: data: URIs still work, stored media and saving say why they cannot", async () => {
    const g = graph(
      [
        { id: "in", type: "nodetool.input.ImageInput", data: { name: "image" } },
        { id: "meta", type: "nodetool.image.GetMetadata", data: {} },
        { id: "o", type: "nodetool.output.Output", data: { name: "format" } },
      ],
      [
        ["in", "output", "meta", "image"],
        ["meta", "format", "o", "value"],
      ],
    );
    const ok = await run(g, { image: toDataUri(png(2, 2), "image/png") });
    expect(ok.result.format).toBe("PNG");
    const stored = await run(g, { image: "asset://0123456789abcdef0123456789abcdef.png" });
    expect(stored.status).toBe("failed");
    expect(stored.error).toMatch(/no media storage/);
    const save = await run(passThrough(), { image: toDataUri(png(2, 2), "image/png") });
    expect(save.status).toBe("failed");
    expect(save.error).toMatch(/SaveImage: this run has no media storage/);
  });

  it("resolves every item of a list input, and files saves under a folder", async () => {
    const store = new MemoryBlobStore();
    store.folders.add("folder1");
    const a = store.add(png(1, 2), "image/png");
    const b = store.add(jpeg(3, 4), "image/jpeg");
    const g = graph(
      [
        { id: "in", type: "nodetool.input.ImageListInput", data: { name: "images" } },
        { id: "o", type: "nodetool.output.Output", data: { name: "images" } },
      ],
      [["in", "output", "o", "value"]],
    );
    const r = await run(g, { images: [a, { type: "image", uri: b }] }, store);
    expect(r.status, r.error).toBe("completed");
    expect((r.result.images as Ref[]).map((i) => [i.uri, i.asset_id])).toEqual([
      [a, a.slice(8, 40)],
      [b, b.slice(8, 40)],
    ]);
    const missing = await run(g, { images: [a, "asset://ffffffffffffffffffffffffffffffff.png"] }, store);
    expect(missing.error).toMatch(/item 1.*not found/);

    const save = graph(
      [
        { id: "in", type: "nodetool.input.AudioInput", data: { name: "audio" } },
        { id: "s", type: "nodetool.audio.SaveAudio", data: { folder: { type: "folder", asset_id: "folder1" }, name: "take.wav" } },
        { id: "o", type: "nodetool.output.AudioOutput", data: { name: "audio" } },
      ],
      [
        ["in", "output", "s", "audio"],
        ["s", "output", "o", "value"],
      ],
    );
    const wav = new Uint8Array([...new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt "), 1, 2, 3]);
    const saved = await run(save, { audio: toDataUri(wav, "audio/wav") }, store);
    expect(saved.status, saved.error).toBe("completed");
    const ref = saved.result.audio as Ref;
    expect(ref.type).toBe("audio");
    expect(store.objects.get(ref.uri)).toMatchObject({ parentId: "folder1", name: "take.wav", contentType: "audio/wav" });
    const intoMissingFolder = graph(
      [
        { id: "in", type: "nodetool.input.AudioInput", data: { name: "audio" } },
        { id: "s", type: "nodetool.audio.SaveAudio", data: { folder: "nope" } },
      ],
      [["in", "output", "s", "audio"]],
    );
    const noFolder = await run(intoMissingFolder, { audio: toDataUri(wav, "audio/wav") }, store);
    expect(noFolder.error).toMatch(/SaveAudio: folder 'nope' was not found/);
  });

  it("SaveJSON writes a JSON asset and outputs its URI", async () => {
    const store = new MemoryBlobStore();
    const g = graph(
      [
        { id: "c", type: "nodetool.constant.Dict", data: { value: { b: [1, 2], a: "x" } } },
        { id: "s", type: "nodetool.dictionary.SaveJSON", data: { name: "report-%Y.json", indent: 0 } },
        { id: "o", type: "nodetool.output.StringOutput", data: { name: "file" } },
      ],
      [
        ["c", "output", "s", "data"],
        ["s", "output", "o", "value"],
      ],
    );
    const r = await run(g, {}, store);
    expect(r.status, r.error).toBe("completed");
    const uri = r.result.file as string;
    expect(uri).toMatch(/^asset:\/\/[0-9a-f]{32}\.json$/);
    const saved = store.objects.get(uri)!;
    expect(new TextDecoder().decode(saved.bytes)).toBe('{"b":[1,2],"a":"x"}');
    expect(saved).toMatchObject({ kind: "asset", name: "report-2026.json", contentType: "application/json" });

    const pretty = await run(graph([{ id: "s", type: "nodetool.dictionary.SaveJSON", data: { data: [1] } }, { id: "o", type: "nodetool.output.Output", data: { name: "f" } }], [["s", "output", "o", "value"]]), {}, store);
    expect(new TextDecoder().decode(store.objects.get(pretty.result.f as string)!.bytes)).toBe("[\n  1\n]");
    expect(store.objects.get(pretty.result.f as string)!.name).toBe("2026-01-02-03-04-05.json");
  });

  it("a blob store's MediaError reaches the job's error with the input's name", async () => {
    const refusing: BlobStore = {
      resolve: async () => {
        throw new MediaError("fetching media from https://x.example is disabled on this server (ALLOW_REMOTE_MEDIA_FETCH)", "refused");
      },
      read: async () => {
        throw new Error("unreachable");
      },
      write: async () => {
        throw new Error("unreachable");
      },
    };
    const r = await run(passThrough(), { image: "https://x.example/cat.png" }, refusing);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/ImageInput 'image': fetching media from https:\/\/x.example is disabled/);
  });
});

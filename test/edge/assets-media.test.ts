import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { R2BlobStore } from "../../edge/storage/blob-store";
import { MediaError } from "../../engine/media/blob-store";
import { parseDataUri, toDataUri } from "../../engine/media/data-uri";
import { errorOf, tokenFor, worker } from "./users";
import { pngBytes } from "./helpers";

type Asset = { id: string; uri: string; get_url: string; name: string; content_type: string; job_id: string | null; node_id: string | null; size: number };
type Ref = { type: string; uri: string; asset_id: string | null; data?: string };

async function req(user: string | null, method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (user !== null) h.Authorization = `Bearer ${await tokenFor(user)}`;
  // Media URLs are absolute (PUBLIC_BASE_URL, else the request's origin); paths are relative to the test host.
  return worker().fetch(/^https?:\/\//.test(path) ? path : `https://edge.test${path}`, { method, headers: h, body });
}
const json = (user: string, method: string, path: string, body: unknown) => req(user, method, path, JSON.stringify(body), { "Content-Type": "application/json" });

async function upload(user: string, bytes: Uint8Array, name = "in.png", type = "image/png"): Promise<Asset> {
  const f = new FormData();
  f.append("file", new File([bytes], name, { type }));
  const res = await req(user, "POST", "/api/assets", f);
  expect(res.status).toBe(201);
  return (await res.json()) as Asset;
}

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

/** ImageInput -> SaveImage -> ImageOutput, and GetMetadata's width and height as integer outputs. */
const imageWorkflow = {
  name: "image pass-through",
  graph: {
    nodes: [
      { id: "in", type: "nodetool.input.ImageInput", data: { name: "image" } },
      { id: "save", type: "nodetool.image.SaveImage", data: { name: "copy-%Y.png" } },
      { id: "meta", type: "nodetool.image.GetMetadata", data: {} },
      { id: "out", type: "nodetool.output.ImageOutput", data: { name: "image" } },
      { id: "w", type: "nodetool.output.IntegerOutput", data: { name: "width" } },
      { id: "h", type: "nodetool.output.IntegerOutput", data: { name: "height" } },
    ],
    edges: [
      { source: "in", sourceHandle: "output", target: "save", targetHandle: "image" },
      { source: "save", sourceHandle: "output", target: "out", targetHandle: "value" },
      { source: "in", sourceHandle: "output", target: "meta", targetHandle: "image" },
      { source: "meta", sourceHandle: "width", target: "w", targetHandle: "value" },
      { source: "meta", sourceHandle: "height", target: "h", targetHandle: "value" },
    ],
  },
};

async function saveWorkflow(user: string, wf: unknown = imageWorkflow): Promise<string> {
  const res = await json(user, "POST", "/api/workflows", wf);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Runs on the worker route: `{results, job_id, status, error}`. */
async function run(user: string, workflowId: string, params: Record<string, unknown>) {
  const res = await json(user, "POST", `/workflows/${workflowId}/run`, { params });
  expect(res.status).toBe(200);
  return (await res.json()) as { results: Record<string, unknown> | null; job_id: string; status: string; error?: string };
}

describe("media in workflows", () => {
  it("takes an uploaded image asset, passes it through SaveImage and returns it as a new asset with equal bytes", async () => {
    const bytes = pngBytes(16, 9, 3000);
    const input = await upload("alice", bytes);
    const wf = await saveWorkflow("alice");
    const out = await run("alice", wf, { image: input.uri });
    expect(out.status, out.error).toBe("completed");
    const image = out.results!.image as Ref;
    expect(image.type).toBe("image");
    expect(image.asset_id).toMatch(/^[0-9a-f]{32}$/);
    expect(image.asset_id).not.toBe(input.id);
    expect(image.uri).toBe(`https://edge.test/storage/assets/alice/${image.asset_id}.png`);
    expect(out.results!.width).toBe(16);
    expect(out.results!.height).toBe(9);

    // The stored output, through the public storage URL and the assets API, is the input, byte for byte.
    expect(await bytesOf(await req(null, "GET", image.uri))).toEqual(bytes);
    expect(await bytesOf(await req("alice", "GET", `/api/assets/${image.asset_id}/download`))).toEqual(bytes);
    // Small outputs also carry their bytes: a data: URI in JSON.
    expect(parseDataUri(image.data!).bytes).toEqual(bytes);
    const saved = (await (await req("alice", "GET", `/api/assets/${image.asset_id}`)).json()) as Asset;
    expect(saved).toMatchObject({ name: `copy-${new Date().getUTCFullYear()}.png`, content_type: "image/png", job_id: out.job_id, node_id: "save", size: bytes.length });
  });

  it("accepts the asset's public URL, a root-relative storage URL, a {type, uri} reference and a data: URI", async () => {
    const bytes = pngBytes(3, 5, 10);
    const input = await upload("alice", bytes);
    const wf = await saveWorkflow("alice");
    for (const image of [input.get_url, new URL(input.get_url).pathname, { type: "image", uri: input.uri }, toDataUri(bytes, "image/png")]) {
      const out = await run("alice", wf, { image });
      expect(out.status, `${JSON.stringify(image).slice(0, 80)}: ${out.error}`).toBe("completed");
      expect(out.results!.width).toBe(3);
      expect(await bytesOf(await req(null, "GET", (out.results!.image as Ref).uri))).toEqual(bytes);
    }
  });

  it("keeps large outputs out of the messages: a URL only, no inline bytes", async () => {
    const bytes = pngBytes(640, 480, 200_000);
    const input = await upload("alice", bytes);
    const wf = await saveWorkflow("alice");
    const res = await json("alice", "POST", `/api/workflows/${wf}/run?stream=true`, { params: { image: input.uri } });
    const lines = (await res.text()).trim().split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(4000);
    const done = JSON.parse(lines.at(-1)!) as { status: string; result: { image: Ref } };
    expect(done.status).toBe("completed");
    expect(done.result.image.data).toBeUndefined();
    const back = await bytesOf(await req(null, "GET", done.result.image.uri));
    expect(back.length === bytes.length && back.every((b, i) => b === bytes[i])).toBe(true);
  });

  it("treats another user's asset or storage URL as not found", async () => {
    const input = await upload("alice", pngBytes(2, 2));
    const wf = await saveWorkflow("bob");
    for (const image of [input.uri, input.get_url]) {
      const out = await run("bob", wf, { image });
      expect(out.status).toBe("failed");
      // An asset id of another user reads as missing; their storage URL is refused, saying how keys are formed.
      expect(out.error).toMatch(/ImageInput 'image'.*(not found|is not yours: your keys are formed as assets\/<your owner segment>\/<path>)/);
    }
    const unknown = await run("bob", wf, { image: "asset://ffffffffffffffffffffffffffffffff.png" });
    expect(unknown.error).toMatch(/asset 'ffffffffffffffffffffffffffffffff' was not found/);
    // The editor route says so as a failed job.
    const editor = await json("bob", "POST", `/api/workflows/${wf}/run`, { params: { image: input.uri } });
    expect(editor.status).toBe(500);
    expect((await errorOf(editor)).type).toBe("job_failed");
  });

  it("refuses unsupported schemes, traversal in storage URLs, and private, loopback and link-local addresses", async () => {
    const wf = await saveWorkflow("alice");
    const cases: [string, RegExp][] = [
      ["file:///etc/passwd", /unsupported media URI/],
      ["memory://123", /unsupported media URI/],
      ["/storage/assets/alice/..%2f..%2fx.png", /Invalid storage key/],
      ["/storage/models/secret.onnx", /Invalid storage path/],
      ["http://127.0.0.1:8787/storage-elsewhere.png", /refused.*private, loopback/],
      ["http://169.254.169.254/latest/meta-data/", /refused.*private, loopback, link-local/],
      ["http://10.1.2.3/x.png", /refused/],
      ["http://192.168.0.10/x.png", /refused/],
      ["http://[::1]/x.png", /refused/],
      ["http://[fe80::1]/x.png", /refused/],
      ["http://[::ffff:127.0.0.1]/x.png", /refused/],
      ["http://0x7f.1/x.png", /refused/],
      ["http://localhost:9999/x.png", /refused.*internal host name/],
      ["http://metadata.google.internal/computeMetadata/v1/", /refused.*internal host name/],
      ["http://intranet/x.png", /refused.*single-label/],
      ["ftp://example.com/x.png", /unsupported media URI/],
    ];
    for (const [image, error] of cases) {
      const out = await run("alice", wf, { image });
      expect(out.status, image).toBe("failed");
      expect(out.error, image).toMatch(error);
    }
  });

  it("SaveJSON writes an asset the caller can list and read", async () => {
    const wf = await saveWorkflow("gina", {
      name: "save json",
      graph: {
        nodes: [
          { id: "d", type: "nodetool.constant.Dict", data: { value: { answer: 42, items: ["a", "b"] } } },
          { id: "s", type: "nodetool.dictionary.SaveJSON", data: { name: "answer.json" } },
          { id: "o", type: "nodetool.output.StringOutput", data: { name: "file" } },
        ],
        edges: [
          { source: "d", sourceHandle: "output", target: "s", targetHandle: "data" },
          { source: "s", sourceHandle: "output", target: "o", targetHandle: "value" },
        ],
      },
    });
    const out = await run("gina", wf, {});
    expect(out.status, out.error).toBe("completed");
    const url = out.results!.file as string;
    expect(url).toMatch(/^https:\/\/edge\.test\/storage\/assets\/gina\/[0-9a-f]{32}\.json$/);
    const served = await req(null, "GET", url);
    expect(served.headers.get("Content-Type")).toBe("application/json");
    expect(await served.json()).toEqual({ answer: 42, items: ["a", "b"] });
    const listed = (await (await req("gina", "GET", "/api/assets?content_type=application/json")).json()) as { assets: Asset[] };
    expect(listed.assets.map((a) => a.name)).toEqual(["answer.json"]);
  });
});

describe("R2BlobStore", () => {
  const owner = { userId: "hank", jobId: "job1" };
  const withEnv = (vars: Record<string, string>) => ({ ...env, ...vars });

  it("fetches remote media when allowed, checking every redirect hop and the size", async () => {
    const calls: string[] = [];
    const fetcher = async (url: string) => {
      calls.push(url);
      if (url === "https://media.example.com/cat.png") return new Response(pngBytes(1, 1), { headers: { "Content-Type": "image/png" } });
      if (url === "https://media.example.com/moved") return new Response(null, { status: 302, headers: { Location: "/cat.png" } });
      if (url === "https://media.example.com/sneaky") return new Response(null, { status: 301, headers: { Location: "http://169.254.169.254/latest" } });
      if (url === "https://media.example.com/huge") return new Response(new Uint8Array(3 * 1024 * 1024));
      return new Response("nope", { status: 404 });
    };
    const store = new R2BlobStore(withEnv({ ALLOW_REMOTE_MEDIA_FETCH: "true" }), owner, fetcher);
    expect((await store.read("https://media.example.com/cat.png")).bytes).toEqual(pngBytes(1, 1));
    expect((await store.read("https://media.example.com/moved")).contentType).toBe("image/png");
    await expect(store.read("https://media.example.com/sneaky")).rejects.toThrow(/refused to fetch http:\/\/169.254.169.254/);
    await expect(store.read("https://media.example.com/huge")).rejects.toThrow(/larger than 2097152 bytes/);
    await expect(store.read("https://media.example.com/missing")).rejects.toMatchObject({ reason: "not_found" });
    expect(calls).not.toContain("http://169.254.169.254/latest");
    expect((await store.resolve("https://media.example.com/cat.png")).uri).toBe("https://media.example.com/cat.png");

    const off = new R2BlobStore(withEnv({ ALLOW_REMOTE_MEDIA_FETCH: "false" }), owner, fetcher);
    await expect(off.read("https://media.example.com/cat.png")).rejects.toThrow(/disabled on this server \(ALLOW_REMOTE_MEDIA_FETCH\)/);
    await expect(off.resolve("https://media.example.com/cat.png")).rejects.toBeInstanceOf(MediaError);
  });

  it("writes temp objects under the job and assets with a row, and reads only the owner's", async () => {
    const store = new R2BlobStore(env, owner);
    const temp = await store.write(new TextEncoder().encode("t"), { contentType: "text/plain", kind: "temp" });
    expect(temp.uri).toMatch(/^\/storage\/temp\/hank\/job1\/[0-9a-f]{32}\.txt$/);
    expect(temp.assetId).toBeNull();
    const asset = await store.write(new TextEncoder().encode("a"), { contentType: "text/plain", kind: "asset", name: "a.txt", nodeId: "n1" });
    expect(asset.uri).toBe(`/storage/assets/hank/${asset.assetId}.txt`);
    expect(new TextDecoder().decode((await store.read(`asset://${asset.assetId}.txt`)).bytes)).toBe("a");
    expect((await store.resolve(asset.uri)).assetId).toBe(asset.assetId);
    expect(new TextDecoder().decode((await store.read(temp.uri)).bytes)).toBe("t");

    const other = new R2BlobStore(env, { userId: "ivy", jobId: "job2" });
    await expect(other.read(`asset://${asset.assetId}.txt`)).rejects.toMatchObject({ reason: "not_found" });
    await expect(other.read(asset.uri)).rejects.toMatchObject({ reason: "refused", message: expect.stringMatching(/your owner segment is 'ivy'/) });
    await expect(other.read(temp.uri)).rejects.toMatchObject({ reason: "refused" });
    await expect(store.write(new Uint8Array(1), { contentType: "text/plain", kind: "asset", parentId: "ffffffffffffffffffffffffffffffff" })).rejects.toThrow(/Folder .* not found/);
  });
});

import http from "node:http";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

/**
 * Oversized bodies against the real Worker over HTTP (wrangler's local server, its proxy in front): each is
 * refused with a 413 while it is still arriving, and the isolate goes on serving everyone else.
 */

const SECRET = "limits-e2e-secret-0000000000000000000000";
const MiB = 1024 * 1024;
let edge: LocalEdge;

const token = (sub: string) =>
  new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));

beforeAll(async () => {
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "supabase", SUPABASE_JWT_SECRET: SECRET, MAX_BODY_BYTES: String(MiB) });
});
afterAll(async () => {
  await edge?.stop();
});

interface Sent {
  status: number;
  body: string;
  /** Bytes the client had written when the answer was complete. */
  writtenAtAnswer: number;
}

/** Sends `total` bytes with node:http, declared (Content-Length) or chunked, as fast as the server takes them. */
function upload(method: string, path: string, bearer: string, total: number, chunked: boolean): Promise<Sent> {
  const url = new URL(path, edge.url);
  return new Promise((resolve, reject) => {
    let written = 0;
    const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, "content-type": "application/json" };
    if (!chunked) headers["content-length"] = String(total);
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, writtenAtAnswer: written });
        req.destroy();
      });
    });
    req.on("error", reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (written < total && !req.destroyed) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

describe("bodies over MAX_BODY_BYTES on the real Worker", () => {
  const routes: [string, string][] = [
    ["PUT", "/api/workflows/big"],
    ["POST", "/workflows/big/run"],
    ["POST", "/workflows/big/run/stream"],
    ["POST", "/api/graph/validate"],
    ["POST", "/api/graph/export"],
    ["POST", "/api/examples/hello-world/copy"],
    ["POST", "/v1/chat/completions"],
  ];

  it("answers 413 in the contract's shape, declared or chunked, on every JSON route", async () => {
    const mallory = await token("mallory");
    for (const [method, path] of routes) {
      for (const chunked of [false, true]) {
        const sent = await upload(method, path, mallory, 3 * MiB, chunked);
        const what = `${method} ${path} ${chunked ? "chunked" : "declared"}`;
        expect(sent.status, what).toBe(413);
        const error = (JSON.parse(sent.body) as { error: { type: string; code: unknown; message: string } }).error;
        expect(error.message, what).toMatch(/MAX_BODY_BYTES/);
        if (path.startsWith("/v1")) expect(error, what).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
        else expect(error, what).toMatchObject({ type: "payload_too_large", code: 413 });
      }
    }
  });

  it("keeps serving another user's requests while a 50 MB body is refused", async () => {
    const [mallory, alice] = await Promise.all([token("mallory"), token("alice")]);
    const saved = await fetch(`${edge.url}/api/workflows`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "alice's", graph: { nodes: [], edges: [] } }),
    });
    expect(saved.status).toBe(201);
    const { id } = (await saved.json()) as { id: string };

    for (const chunked of [false, true]) {
      const refused = upload("PUT", "/api/workflows/big", mallory, 50 * MiB, chunked);
      // Alice is answered while Mallory's upload is under way, and after it.
      const during = await fetch(`${edge.url}/api/workflows/${id}`, { headers: { authorization: `Bearer ${alice}` } });
      expect(during.status).toBe(200);
      expect(((await during.json()) as { name: string }).name).toBe("alice's");
      const sent = await refused;
      expect(sent.status).toBe(413);
      // The answer came before the whole body had been sent.
      expect(sent.writtenAtAnswer).toBeLessThan(50 * MiB);
      const after = await fetch(`${edge.url}/api/workflows/${id}`, { headers: { authorization: `Bearer ${alice}` } });
      expect(after.status).toBe(200);
    }
    // fetch (undici), as most clients send: a 413, not a reset or a 503 from the local proxy.
    const viaFetch = await fetch(`${edge.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${mallory}`, "content-type": "application/json" },
      body: Buffer.alloc(50 * MiB, 0x20),
    });
    expect(viaFetch.status).toBe(413);
    expect(((await viaFetch.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
    expect((await fetch(`${edge.url}/api/workflows/${id}`, { headers: { authorization: `Bearer ${alice}` } })).status).toBe(200);
  });
});

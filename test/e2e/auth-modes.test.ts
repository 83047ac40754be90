import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

const workflow = {
  name: "auth probe",
  graph: {
    nodes: [
      { id: "i", type: "nodetool.input.StringInput", data: { name: "text", value: "hi" } },
      { id: "o", type: "nodetool.output.Output", data: { name: "text" } },
    ],
    edges: [{ source: "i", sourceHandle: "output", target: "o", targetHandle: "value" }],
  },
};

async function api(edge: LocalEdge, path: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
  if (init.body) headers.set("Content-Type", "application/json");
  return fetch(`${edge.url}${path}`, { ...init, headers });
}

let state: string;
beforeAll(() => {
  state = migratedStateDir();
});

/** Runs `body` against a worker started with `vars`, stopping it afterwards. */
async function withEdge(vars: Record<string, string>, body: (edge: LocalEdge) => Promise<void>): Promise<void> {
  const edge = await startEdge(state, vars);
  try {
    await body(edge);
  } finally {
    await edge.stop();
  }
}

describe("AUTH_PROVIDER modes on the real Worker", () => {
  it("none and local need no token and act as user 1", async () => {
    for (const mode of ["none", "local"]) {
      await withEdge({ AUTH_PROVIDER: mode }, async (edge) => {
        const created = await api(edge, "/api/workflows", undefined, { method: "POST", body: JSON.stringify(workflow) });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        const run = await api(edge, `/workflows/${id}/run`, undefined, { method: "POST", body: JSON.stringify({ params: { text: mode } }) });
        expect(await run.json()).toMatchObject({ results: { text: mode }, status: "completed" });
      });
    }
  });

  it("static checks the bearer token, and accepts WORKER_AUTH_TOKEN as the token's other name", async () => {
    for (const vars of [{ SERVER_AUTH_TOKEN: "s3cret-token" }, { WORKER_AUTH_TOKEN: "s3cret-token" }] as Record<string, string>[]) {
      await withEdge({ AUTH_PROVIDER: "static", ...vars }, async (edge) => {
        expect((await api(edge, "/api/workflows")).status).toBe(401);
        expect((await api(edge, "/api/workflows", "wrong")).status).toBe(401);
        expect((await api(edge, "/api/workflows", "s3cret-token-and-more")).status).toBe(401);
        const ok = await api(edge, "/api/workflows", "s3cret-token");
        expect(ok.status).toBe(200);
        const bad = (await (await api(edge, "/api/workflows", "wrong")).json()) as { error: { type: string; message: string } };
        expect(bad.error.type).toBe("unauthorized");
        expect(bad.error.message).not.toMatch(/s3cret/);
      });
    }
  });

  it("static without a configured token refuses protected routes with 503 saying what to set", async () => {
    await withEdge({ AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: "", WORKER_AUTH_TOKEN: "" }, async (edge) => {
      expect((await api(edge, "/health")).status).toBe(200);
      const res = await api(edge, "/api/workflows", "anything");
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe("unavailable");
      expect(body.error.message).toMatch(/SERVER_AUTH_TOKEN/);
    });
  });

  describe("supabase with the project's JWKS", () => {
    let jwks: Server;
    let supabaseUrl: string;
    let privateKey: CryptoKey;
    let jwk: JWK;
    let jwksRequests = 0;

    beforeAll(async () => {
      const pair = await generateKeyPair("RS256");
      privateKey = pair.privateKey as CryptoKey;
      jwk = { ...(await exportJWK(pair.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
      jwks = createServer((req, res) => {
        if (req.url === "/auth/v1/.well-known/jwks.json") {
          jwksRequests++;
          res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
        } else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
      supabaseUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

    const sign = (sub: string, key: CryptoKey = privateKey, kid = "test-key") =>
      new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "RS256", kid }).setSubject(sub).setIssuedAt().setExpirationTime("5m").sign(key);

    it("verifies tokens against the JWKS, takes the user from sub, and isolates users", async () => {
      await withEdge({ AUTH_PROVIDER: "supabase", SUPABASE_URL: supabaseUrl }, async (edge) => {
        const alice = await sign("alice-uuid");
        const bob = await sign("bob-uuid");
        const created = await api(edge, "/api/workflows", alice, { method: "POST", body: JSON.stringify(workflow) });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        expect((await api(edge, `/api/workflows/${id}`, alice)).status).toBe(200);
        expect((await api(edge, `/api/workflows/${id}`, bob)).status).toBe(404);
        expect(jwksRequests).toBeGreaterThan(0);

        const stranger = (await generateKeyPair("RS256")).privateKey as CryptoKey;
        expect((await api(edge, "/api/workflows", await sign("eve", stranger))).status).toBe(401);
        expect((await api(edge, "/api/workflows", "not.a.jwt")).status).toBe(401);
        expect((await api(edge, "/api/workflows")).status).toBe(401);
      });
    });
  });
});

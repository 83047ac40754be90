import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createWorkerFetch } from "../../edge/app";
import { call, echoWorkflow, worker } from "./users";

const ORIGIN = "https://other-site.example";

/** A preflight as a browser on ORIGIN sends it before a cross-origin request with a token. */
function preflight(path: string, method = "POST"): Promise<Response> {
  return worker().fetch(`https://edge.test${path}`, {
    method: "OPTIONS",
    headers: { Origin: ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization, content-type, last-event-id" },
  });
}

/** The Worker's own fetch with some settings changed: what a deployment with those settings answers. */
function withSettings(vars: Record<string, string>, path: string, init: RequestInit): Promise<Response> {
  return Promise.resolve(createWorkerFetch()(new Request(`https://edge.test${path}`, init), { ...env, ...vars } as never, createExecutionContext()));
}

describe("CORS (CORS_ORIGINS, default *)", () => {
  it("answers preflights without a token on the API, the worker routes, the chat proxy and storage", async () => {
    for (const path of ["/api/workflows", "/api/workflows/x/run", "/workflows/x/run/stream", "/v1/chat/completions", "/admin/storage/a.txt", "/api/jobs/j/stream"]) {
      const res = await preflight(path);
      expect(res.status, path).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(res.headers.get("access-control-allow-methods"), path).toContain("POST");
      expect(res.headers.get("access-control-allow-headers")?.toLowerCase(), path).toContain("authorization");
      expect(res.headers.get("access-control-allow-credentials"), path).toBeNull();
    }
  });

  it("marks successes, errors and streams as readable, exposing X-Job-Id and Last-Event-ID", async () => {
    const origin = { Origin: ORIGIN };
    const ok = await call("cors-user", "GET", "/api/workflows", undefined, origin);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    const exposed = (ok.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    expect(exposed).toContain("x-job-id");
    expect(exposed).toContain("last-event-id");

    const unauthorized = await call(null, "GET", "/api/workflows", undefined, origin);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe("*");
    const chatUnauthorized = await call(null, "POST", "/v1/chat/completions", { model: "x", messages: [] }, origin);
    expect(chatUnauthorized.status).toBe(401);
    expect(chatUnauthorized.headers.get("access-control-allow-origin")).toBe("*");

    const saved = await call("cors-user", "PUT", "/api/workflows/cors-echo", echoWorkflow("cors-echo"));
    expect(saved.status).toBe(201);
    const stream = await call("cors-user", "POST", "/workflows/cors-echo/run/stream", { params: {} }, origin);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("access-control-allow-origin")).toBe("*");
    expect(stream.headers.get("x-job-id")).toBeTruthy();
    expect(await stream.text()).toContain("data: [DONE]");
  });

  it("with a list of origins, echoes an allowed origin with credentials and gives others nothing", async () => {
    const vars = { CORS_ORIGINS: "https://app.example.com, http://localhost:5173" };
    const allowed = await withSettings(vars, "/health", { headers: { Origin: "http://localhost:5173" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    expect(allowed.headers.get("vary")).toContain("Origin");

    const other = await withSettings(vars, "/health", { headers: { Origin: ORIGIN } });
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();

    const chatPreflight = await withSettings(vars, "/v1/chat/completions", {
      method: "OPTIONS",
      headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "POST" },
    });
    expect(chatPreflight.status).toBe(204);
    expect(chatPreflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });
});

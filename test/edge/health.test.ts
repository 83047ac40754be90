import { describe, expect, it } from "vitest";
import { call, errorOf } from "./users";

describe("public routes", () => {
  it("answers /health and /ping without a token", async () => {
    for (const path of ["/health", "/ping"]) {
      const res = await call(null, "GET", path);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; timestamp: string };
      expect(body.status).toBe("healthy");
      expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);
    }
  });

  it("serves an OpenAPI 3.1 document generated from the schemas", async () => {
    const res = await call(null, "GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/workflows", "/api/workflows/{id}", "/api/workflows/{id}/run", "/workflows", "/workflows/{id}/run", "/workflows/{id}/run/stream"]),
    );
    expect(Object.keys(doc.paths["/api/workflows/{id}"]).sort()).toEqual(["delete", "get", "put"]);
    expect(doc.components.schemas).toHaveProperty("WorkflowInput");
    expect(doc.components.schemas).toHaveProperty("StreamMessage");
    expect(doc.components.schemas).toHaveProperty("Error");
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await call(null, "GET", "/nope");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).type).toBe("not_found");
  });

  it("hands /v1 and /v1/... to the chat proxy (OpenAI's error shape) and every other path, /v1x included, to the app", async () => {
    for (const path of ["/v1/embeddings", "/v1/embeddings?next=/api/x", "/v1/", "/v1", "/v1?x=1"]) {
      const res = await call(null, "POST", path, { input: "x" });
      expect(res.status, path).toBe(401);
      expect((await res.json()) as unknown, path).toMatchObject({ error: { type: "invalid_request_error", code: "invalid_api_key" } });
    }
    for (const path of ["/v1x/embeddings", "/v10", "/nope?next=/v1/embeddings", "/x/v1"]) {
      const res = await call(null, "GET", path);
      expect(res.status, path).toBe(404);
      expect(await errorOf(res), path).toMatchObject({ type: "not_found", code: 404 });
    }
  });
});

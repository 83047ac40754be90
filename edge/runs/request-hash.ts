/**
 * A fingerprint of what a run request asks for, so a repeated Idempotency-Key (or client job id) can be
 * told apart from a reused one. Object keys are sorted: `{a, b}` and `{b, a}` are the same request.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export async function requestHash(request: { workflowId: string | null; graph: unknown; params: Record<string, unknown> }): Promise<string> {
  // A saved workflow is named by its id (editing it later does not make a replay a different request);
  // an inline graph is part of the request itself.
  const subject = request.workflowId !== null ? { workflow_id: request.workflowId } : { graph: request.graph };
  const bytes = new TextEncoder().encode(JSON.stringify(canonical({ ...subject, params: request.params })));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

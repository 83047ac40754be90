import { describe, expect, it } from "vitest";
import { meterChatResponse } from "../../edge/usage/chat-meter";

type Tokens = { tokens_in: number; tokens_out: number } | null;

function recorder() {
  const seen: Tokens[] = [];
  const pending: Promise<unknown>[] = [];
  return {
    seen,
    settled: () => Promise.all(pending),
    report: async (t: Tokens) => void seen.push(t),
    defer: (p: Promise<unknown>) => void pending.push(p),
  };
}

const enc = new TextEncoder();
const USAGE_STREAM = ['data: {"choices":[{"delta":{"content":"a"}}]}\n\n', 'data: {"choices":[],"usage":{"prompt_tokens":4,', '"completion_tokens":9}}\n\ndata: [DONE]\n\n'];

function sse(parts: string[], then: "close" | "error" | "hang" = "close"): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      if (then === "close") c.close();
      if (then === "error") c.error(new Error("upstream broke off"));
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

describe("chat usage meter", () => {
  it("leaves a stream the route forwards untouched, and counts it when the route says it has ended", async () => {
    const r = recorder();
    let ended!: (tail: string | null) => void;
    const res = sse(USAGE_STREAM, "hang");
    const metered = meterChatResponse(res, r.report, r.defer, new Promise((resolve) => (ended = resolve)));
    // The same response and body: nothing is put between the upstream and the client.
    expect(metered).toBe(res);
    expect(metered.body).toBe(res.body);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(r.seen).toEqual([]);
    // A stream not asked for usage (or cut off) ends with no tail: the request counts, its tokens unknown.
    ended(null);
    await r.settled();
    expect(r.seen).toEqual([null]);

    // One asked for usage ends with its tail, where the usage chunk is.
    const withUsage = recorder();
    const res2 = sse(USAGE_STREAM);
    expect(meterChatResponse(res2, withUsage.report, withUsage.defer, Promise.resolve(USAGE_STREAM.join("")))).toBe(res2);
    await withUsage.settled();
    expect(withUsage.seen).toEqual([{ tokens_in: 4, tokens_out: 9 }]);
  });

  it("reads the usage chunk of a stream the route said nothing about, passing its bytes through", async () => {
    const r = recorder();
    const metered = meterChatResponse(sse(USAGE_STREAM), r.report, r.defer);
    expect(await metered.text()).toBe(USAGE_STREAM.join(""));
    await r.settled();
    expect(r.seen).toEqual([{ tokens_in: 4, tokens_out: 9 }]);
  });

  it("counts a stream it reads once, with unknown tokens, when the client leaves or the upstream breaks off", async () => {
    const left = recorder();
    const reader = meterChatResponse(sse(USAGE_STREAM.slice(0, 1), "hang"), left.report, left.defer).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(USAGE_STREAM[0]);
    await reader.cancel();
    await left.settled();
    expect(left.seen).toEqual([null]);

    const broken = recorder();
    const metered = meterChatResponse(sse(USAGE_STREAM, "error"), broken.report, broken.defer);
    await expect(metered.text()).rejects.toThrow(/broke off/);
    await broken.settled();
    expect(broken.seen).toEqual([null]);
  });
});

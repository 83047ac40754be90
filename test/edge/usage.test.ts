import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { meterChatResponse, usageInSseTail } from "../../edge/usage/chat-meter";
import { saved } from "./helpers";
import { call, echoWorkflow, worker } from "./users";

interface Report {
  group_by: string;
  groups: { key: string | null; jobs: number; node_seconds: number; chat_requests: number; tokens_in: number; tokens_out: number }[];
  total: { jobs: number; node_seconds: number; runner_seconds: number; tokens_in: number; tokens_out: number };
}

async function usage(user: string, query: string): Promise<Report> {
  const res = await call(user, "GET", `/api/usage?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}

async function waitForJobs(user: string, n: number): Promise<Report> {
  for (let i = 0; i < 100; i++) {
    const report = await usage(user, "group_by=key");
    if (report.total.jobs >= n) return report;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("usage rows did not appear");
}

describe("usage", () => {
  it("counts jobs and node seconds per key, per workflow and per day", async () => {
    const user = "u-usage";
    const wf = await saved(user, echoWorkflow("counted"));
    const created = await call(user, "POST", "/api/keys", { name: "runner", scopes: ["jobs:run"] });
    const key = (await created.json()) as { id: string; secret: string };
    for (let i = 0; i < 2; i++) {
      const res = await worker().fetch(`https://edge.test/workflows/${wf}/run`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key.secret}`, "Content-Type": "application/json" },
        body: JSON.stringify({ params: {} }),
      });
      expect(res.status).toBe(200);
    }
    expect((await call(user, "POST", `/workflows/${wf}/run`, { params: {} })).status).toBe(200);

    const byKey = await waitForJobs(user, 3);
    expect(byKey.total.jobs).toBe(3);
    expect(byKey.groups.find((g) => g.key === key.id)?.jobs).toBe(2);
    expect(byKey.groups.find((g) => g.key === null)?.jobs).toBe(1);
    expect(byKey.total.node_seconds).toBeGreaterThanOrEqual(0);

    const byWorkflow = await usage(user, "group_by=workflow");
    expect(byWorkflow.groups).toEqual([expect.objectContaining({ key: wf, jobs: 3 })]);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await usage(user, `group_by=day&from=${today}&to=${today}`);
    expect(byDay.groups).toEqual([expect.objectContaining({ key: today, jobs: 3 })]);
    // A window before today holds nothing; another user sees none of it.
    expect((await usage(user, "from=2001-01-01&to=2001-01-02")).total.jobs).toBe(0);
    expect((await usage("u-usage-other", "group_by=key")).total.jobs).toBe(0);
    expect((await call(user, "GET", "/api/usage?group_by=month")).status).toBe(422);
  });

  it("reads chat tokens from a completion's usage and from a stream's final usage chunk", async () => {
    expect(usageInSseTail('data: {"choices":[]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5}}\n\ndata: [DONE]\n\n')).toEqual({
      tokens_in: 12,
      tokens_out: 5,
    });
    expect(usageInSseTail('data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n')).toBeNull();

    const seen: unknown[] = [];
    const pending: Promise<unknown>[] = [];
    const defer = (p: Promise<unknown>) => void pending.push(p);
    const report = async (t: unknown) => void seen.push(t);
    const json = meterChatResponse(
      Response.json({ id: "c", choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } }),
      report,
      defer,
    );
    expect(await json.json()).toMatchObject({ id: "c" });

    const enc = new TextEncoder();
    const parts = ['data: {"choices":[{"delta":{"content":"a"}}]}\n\n', 'data: {"choices":[],"usage":{"prompt_tokens":4,', '"completion_tokens":9}}\n\ndata: [DONE]\n\n'];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(enc.encode(p));
        c.close();
      },
    });
    const sse = meterChatResponse(new Response(body, { headers: { "content-type": "text/event-stream" } }), report, defer);
    expect(await sse.text()).toBe(parts.join(""));
    await Promise.all(pending);
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(expect.arrayContaining([
      { tokens_in: 7, tokens_out: 3 },
      { tokens_in: 4, tokens_out: 9 },
    ]));
  });

  it("stores usage rows in D1 under the user and key", async () => {
    const rows = (await env.DB.prepare("SELECT kind, key_id, jobs FROM usage_records WHERE user_id = ?").bind("u-usage").all()).results;
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => r.kind === "job")).toBe(true);
  });
});

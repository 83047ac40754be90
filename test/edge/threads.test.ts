/**
 * `/api/threads` and `/api/messages` (NodeTool: packages/protocol/src/api-schemas/threads.ts and messages.ts;
 * the threads router): CRUD, cursor paging, and the failure cases: no token, another user's thread (404, as
 * if missing), malformed bodies, unknown ids and cursors.
 */
import { describe, expect, it } from "vitest";
import { call, errorOf, worker } from "./users";

type Msg = Record<string, unknown>;

async function json<T = Msg>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe("/api/threads", () => {
  it("creates, gets, renames, lists with a cursor and deletes threads", async () => {
    const made = await json(await call("thr-alice", "POST", "/api/threads", { title: "First" }));
    expect(made).toMatchObject({ id: expect.any(String), user_id: "thr-alice", title: "First", created_at: expect.any(String), updated_at: expect.any(String) });
    const untitled = await call("thr-alice", "POST", "/api/threads", {});
    expect(untitled.status).toBe(200);
    expect((await json(untitled)).title).toBe("New Thread");
    for (let i = 0; i < 3; i++) await call("thr-alice", "POST", "/api/threads", { title: `t${i}` });

    const got = await call("thr-alice", "GET", `/api/threads/${made.id as string}`);
    expect(await json(got)).toEqual(made);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await call("thr-alice", "GET", `/api/threads?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      const page: { threads: Msg[]; next: string | null } = await json(res);
      expect(page.threads.length).toBeLessThanOrEqual(2);
      seen.push(...page.threads.map((t) => t.title as string));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(["First", "New Thread", "t0", "t1", "t2"]);
    const newest = await json<{ threads: Msg[] }>(await call("thr-alice", "GET", "/api/threads?limit=1&reverse=true"));
    expect(newest.threads.map((t) => t.title)).toEqual(["t2"]);

    const renamed = await json(await call("thr-alice", "PUT", `/api/threads/${made.id as string}`, { title: "Renamed" }));
    expect(renamed.title).toBe("Renamed");
    const del = await call("thr-alice", "DELETE", `/api/threads/${made.id as string}`);
    expect(del.status).toBe(204);
    expect((await call("thr-alice", "GET", `/api/threads/${made.id as string}`)).status).toBe(404);
  });

  it("refuses without a token, hides other users' threads, and names bad input", async () => {
    const made = await json(await call("thr-bob", "POST", "/api/threads", { title: "Bob's" }));
    const id = made.id as string;

    const anonymous = await worker().fetch(new Request("http://x/api/threads"));
    expect(anonymous.status).toBe(401);
    expect((await call(null, "GET", `/api/threads/${id}`)).status).toBe(401);

    for (const [method, path, body] of [
      ["GET", `/api/threads/${id}`],
      ["PUT", `/api/threads/${id}`, { title: "mine now" }],
      ["DELETE", `/api/threads/${id}`],
      ["GET", `/api/messages?thread_id=${id}`],
      ["POST", "/api/messages", { thread_id: id, role: "user", content: "hi" }],
    ] as [string, string, unknown?][]) {
      const res = await call("thr-eve", method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect((await errorOf(res)).message).toContain(id);
    }
    // Bob's thread is untouched.
    expect((await json(await call("thr-bob", "GET", `/api/threads/${id}`))).title).toBe("Bob's");

    const badTitle = await call("thr-bob", "PUT", `/api/threads/${id}`, { title: 42 });
    expect(badTitle.status).toBe(422);
    expect((await errorOf(badTitle)).type).toBe("validation_error");
    const notJson = await call("thr-bob", "POST", "/api/threads", "{not json", { "content-type": "application/json" });
    expect([400, 422]).toContain(notJson.status);
    expect((await call("thr-bob", "GET", "/api/threads/no-such-thread")).status).toBe(404);
    const badCursor = await call("thr-bob", "GET", "/api/threads?cursor=nope");
    expect(badCursor.status).toBe(400);
    expect((await errorOf(badCursor)).message).toContain("cursor");
    expect((await call("thr-bob", "GET", "/api/threads?limit=0")).status).toBe(422);
  });
});

describe("/api/messages", () => {
  it("adds messages (a new thread without thread_id), pages them and deletes them", async () => {
    const first = await json(await call("msg-carol", "POST", "/api/messages", { role: "user", content: "Plan a trip to Lisbon please" }));
    expect(first).toMatchObject({ type: "message", role: "user", user_id: "msg-carol", content: "Plan a trip to Lisbon please", tool_calls: null, tool_call_id: null, name: null });
    const threadId = first.thread_id as string;
    expect((await json(await call("msg-carol", "GET", `/api/threads/${threadId}`))).title).toBe("Plan a trip to Lisbon please");

    const parts = [{ type: "text", text: "Sure" }];
    await call("msg-carol", "POST", "/api/messages", { thread_id: threadId, role: "assistant", content: parts, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] });
    await call("msg-carol", "POST", "/api/messages", { thread_id: threadId, role: "tool", content: "{}", tool_call_id: "c1" });

    const page1 = await json<{ messages: Msg[]; next: string | null }>(await call("msg-carol", "GET", `/api/messages?thread_id=${threadId}&limit=2`));
    expect(page1.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(page1.messages[1].content).toEqual(parts);
    expect(page1.next).toBe(page1.messages[1].id);
    const page2 = await json<{ messages: Msg[]; next: string | null }>(await call("msg-carol", "GET", `/api/messages?thread_id=${threadId}&limit=2&cursor=${page1.next!}`));
    expect(page2.messages.map((m) => [m.role, m.tool_call_id])).toEqual([["tool", "c1"]]);
    expect(page2.next).toBeNull();
    const reversed = await json<{ messages: Msg[] }>(await call("msg-carol", "GET", `/api/messages?thread_id=${threadId}&reverse=true`));
    expect(reversed.messages.map((m) => m.role)).toEqual(["tool", "assistant", "user"]);

    const got = await call("msg-carol", "GET", `/api/messages/${first.id as string}`);
    expect(await json(got)).toEqual(first);
    expect((await call("msg-dave", "GET", `/api/messages/${first.id as string}`)).status).toBe(404);
    expect((await call("msg-dave", "DELETE", `/api/messages/${first.id as string}`)).status).toBe(404);
    expect((await call("msg-carol", "DELETE", `/api/messages/${first.id as string}`)).status).toBe(204);
    expect((await call("msg-carol", "GET", `/api/messages/${first.id as string}`)).status).toBe(404);

    // Deleting the thread deletes its messages.
    expect((await call("msg-carol", "DELETE", `/api/threads/${threadId}`)).status).toBe(204);
    expect((await call("msg-carol", "GET", `/api/messages/${page1.messages[1].id as string}`)).status).toBe(404);
  });

  it("refuses malformed bodies, unknown threads and cursors", async () => {
    expect((await call(null, "POST", "/api/messages", { role: "user", content: "x" })).status).toBe(401);
    const noRole = await call("msg-erin", "POST", "/api/messages", { content: "x" });
    expect(noRole.status).toBe(422);
    expect(JSON.stringify((await errorOf(noRole)).details)).toContain("role");
    expect((await call("msg-erin", "POST", "/api/messages", { role: "wizard", content: "x" })).status).toBe(422);
    expect((await call("msg-erin", "POST", "/api/messages", { role: "user", content: 42 })).status).toBe(422);
    expect((await call("msg-erin", "POST", "/api/messages", { role: "user", content: "x", thread_id: "missing-thread" })).status).toBe(404);
    expect((await call("msg-erin", "GET", "/api/messages")).status).toBe(422);
    expect((await call("msg-erin", "GET", "/api/messages?thread_id=missing-thread")).status).toBe(404);
    expect((await call("msg-erin", "GET", "/api/messages/no-such-message")).status).toBe(404);
    const msg = await json(await call("msg-erin", "POST", "/api/messages", { role: "user", content: "x" }));
    const bad = await call("msg-erin", "GET", `/api/messages?thread_id=${msg.thread_id as string}&cursor=not-a-message`);
    expect(bad.status).toBe(400);
  });
});

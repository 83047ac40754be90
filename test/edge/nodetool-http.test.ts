/**
 * NodeTool's HTTP names for the job and worker routes (issue 15): NodeTool's Python server lists jobs at
 * `GET /api/jobs/` with `start_key` / `next_start_key`, lists running jobs at `GET /api/jobs/running/all`
 * (nodetool-core src/nodetool/api/job.py), and its deployed worker edits workflows at `/workflows/{id}`.
 */
import { describe, expect, it } from "vitest";
import { saved } from "./helpers";
import { call, echoWorkflow } from "./users";

type JobList = { jobs: { id: string }[]; next: string | null; next_start_key: string | null };

describe("NodeTool job routes", () => {
  it("lists jobs at /api/jobs/ (trailing slash) with start_key in and next_start_key out", async () => {
    const wf = await saved("paging");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call("paging", "POST", `/api/workflows/${wf}/run`, {})).headers.get("X-Job-Id")!);
    const res = await call("paging", "GET", "/api/jobs/?limit=2");
    expect(res.status).toBe(200);
    const page1 = (await res.json()) as JobList;
    expect(page1.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(page1.next_start_key).toBe(page1.next);
    expect(page1.next_start_key).toBeTruthy();
    const page2 = (await (await call("paging", "GET", `/api/jobs/?limit=2&start_key=${page1.next_start_key}`)).json()) as JobList;
    expect(page2.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(page2).toMatchObject({ next: null, next_start_key: null });
    // `cursor` still works, and wins over start_key.
    const viaCursor = (await (await call("paging", "GET", `/api/jobs?limit=2&cursor=${page1.next}&start_key=junk`)).json()) as JobList;
    expect(viaCursor.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect((await call("paging", "GET", "/api/jobs/?start_key=not-a-cursor")).status).toBe(400);
  });

  it("lists the caller's queued and running jobs at /api/jobs/running/all", async () => {
    const wf = await saved("runner-list", {
      name: "slow",
      graph: {
        nodes: [
          { id: "t", type: "edge.diagnostics.Ticker", data: { count: 400, interval_ms: 25 } },
          { id: "o", type: "nodetool.output.Output", data: { name: "ticks" } },
        ],
        edges: [{ source: "t", sourceHandle: "output", target: "o", targetHandle: "value" }],
      },
    });
    const stream = await call("runner-list", "POST", `/workflows/${wf}/run/stream`, {});
    const jobId = stream.headers.get("X-Job-Id")!;
    const running = (await (await call("runner-list", "GET", "/api/jobs/running/all")).json()) as Record<string, unknown>[];
    expect(running).toEqual([{ job_id: jobId, status: "running", workflow_id: wf, created_at: expect.any(String), is_running: true, is_completed: false }]);
    expect(await (await call("someone-else", "GET", "/api/jobs/running/all")).json()).toEqual([]);
    expect((await call("runner-list", "POST", `/api/jobs/${jobId}/cancel`)).status).toBe(200);
    await stream.body?.cancel();
    expect(await (await call("runner-list", "GET", "/api/jobs/running/all")).json()).toEqual([]);
  });
});

describe("NodeTool worker workflow routes", () => {
  it("creates, replaces, reads and deletes a workflow at /workflows/{id}", async () => {
    const created = await call("worker-user", "PUT", "/workflows/wf-worker-1", echoWorkflow("first"));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: "wf-worker-1", name: "first" });
    const replaced = await call("worker-user", "PUT", "/workflows/wf-worker-1", echoWorkflow("second"));
    expect(replaced.status).toBe(200);
    expect(await (await call("worker-user", "GET", "/workflows/wf-worker-1")).json()).toMatchObject({ name: "second" });
    expect(await (await call("worker-user", "GET", "/api/workflows/wf-worker-1")).json()).toMatchObject({ name: "second" });
    const run = await call("worker-user", "POST", "/workflows/wf-worker-1/run", { params: { "first name": "Bo" } });
    expect(await run.json()).toMatchObject({ results: { greeting: "Bo" }, status: "completed" });
    expect((await call("intruder", "DELETE", "/workflows/wf-worker-1")).status).toBe(404);
    expect((await call("worker-user", "DELETE", "/workflows/wf-worker-1")).status).toBe(204);
    expect((await call("worker-user", "GET", "/workflows/wf-worker-1")).status).toBe(404);
    expect((await call("worker-user", "PUT", "/workflows/wf-worker-2", { graph: { nodes: "no" } })).status).toBe(422);
    expect((await call(null, "DELETE", "/workflows/wf-worker-1")).status).toBe(401);
  });
});

import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../edge/index";
import { sweepExpiredCaptures } from "../../edge/execution/capture-store";
import { call, tokenFor } from "./users";

type Item = { id: number; seq: number; job_seq: number; time: string; shape: number[] | null; bytes: number; stored: boolean };
type Port = { node_id: string; port: string; count: number; items: Item[] };
type Index = { run_id: string; workflow_id: string | null; status: string; items: number; ports: Port[] };

/** arr[i][j][k] = 12i + 4j + k, shape [2, 3, 4]: the reference every slice is checked against. */
const reference = Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => Array.from({ length: 4 }, (_, k) => 12 * i + 4 * j + k)));
const pairs = [[1, 2], [3, 4], [5, 6]];

const graph = {
  nodes: [
    { id: "arr", type: "lib.numpy.reshaping.Reshape3D", data: { values: reference.flat(2), num_rows: 2, num_cols: 3, num_depths: 4 } },
    { id: "out", type: "nodetool.output.Output", data: { name: "arr" } },
    { id: "each", type: "nodetool.control.ForEach", data: { input_list: pairs } },
  ],
  edges: [{ id: "e1", source: "arr", sourceHandle: "output", target: "out", targetHandle: "value" }],
};

/** Saves the graph and runs it; the run id and workflow id. */
async function recordedRun(user: string, record = true): Promise<{ runId: string; workflowId: string }> {
  const saved = await call(user, "POST", "/api/workflows", { name: "capture", graph });
  expect(saved.status, await saved.clone().text()).toBe(201);
  const workflowId = ((await saved.json()) as { id: string }).id;
  const res = await call(user, "POST", `/api/workflows/${workflowId}/run`, { params: {}, ...(record ? { record_outputs: true } : {}) });
  expect(res.status, await res.clone().text()).toBe(200);
  return { runId: res.headers.get("X-Job-Id")!, workflowId };
}

async function json<T>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; type: string } }).error;

/** An independent NumPy-style slice of `reference`: per axis a list of positions, or one integer (axis dropped). */
function pick(a: unknown, axes: (number[] | number)[]): unknown {
  if (axes.length === 0) return a;
  const [first, ...rest] = axes;
  const arr = a as unknown[];
  return typeof first === "number" ? pick(arr[first], rest) : first.map((i) => pick(arr[i], rest));
}

describe("captured outputs", () => {
  it("record every port of every node, list them by port, and fetch values whole", async () => {
    const { runId, workflowId } = await recordedRun("cap-alice");
    const index = await json<Index>(await call("cap-alice", "GET", `/api/execution/outputs/${runId}`));
    expect(index).toMatchObject({ run_id: runId, workflow_id: workflowId, status: "completed" });
    const ports = Object.fromEntries(index.ports.map((p) => [`${p.node_id}.${p.port}`, p]));
    // A connected port (arr.output feeds the Output node) is captured too, and so is the sink.
    expect(ports["arr.output"].count).toBe(1);
    expect(ports["arr.output"].items[0].shape).toEqual([2, 3, 4]);
    expect(ports["out.arr"].count).toBe(1);
    expect(ports["each.output"].count).toBe(3);
    expect(ports["each.index"].count).toBe(3);

    const whole = await json<{ value: { type: string; value: unknown; shape: number[] }; count: number }>(await call("cap-alice", "GET", `/api/execution/outputs/${runId}/arr/output`));
    expect(whole.value.type).toBe("np_array");
    expect(whole.value.value).toEqual(reference);
    // A streaming port: the last item by default, any item by seq (negative from the end).
    expect((await json<{ value: unknown }>(await call("cap-alice", "GET", `/api/execution/outputs/${runId}/each/output`))).value).toEqual([5, 6]);
    expect((await json<{ value: unknown }>(await call("cap-alice", "GET", `/api/execution/outputs/${runId}/each/output?seq=0`))).value).toEqual([1, 2]);
    expect((await json<{ value: unknown }>(await call("cap-alice", "GET", `/api/execution/outputs/${runId}/each/index?seq=-2`))).value).toBe(1);
  });

  it("slice tensors with NumPy's basic syntax, equal to the same slice computed independently", async () => {
    const { runId } = await recordedRun("cap-slicer");
    const cases: [string, (number[] | number)[]][] = [
      ["0,:,:", [0, [0, 1, 2], [0, 1, 2, 3]]],
      ["1:3", [[1], [0, 1, 2], [0, 1, 2, 3]]],
      ["-1,::2,1:3", [1, [0, 2], [1, 2]]],
      [":,-1,::-1", [[0, 1], 2, [3, 2, 1, 0]]],
      ["...,-1", [[0, 1], [0, 1, 2], 3]],
      ["0,-2:,-3:-1", [0, [1, 2], [1, 2]]],
      ["1,2,3", [1, 2, 3]],
    ];
    for (const [slice, axes] of cases) {
      const got = await json<{ value: { value: unknown; shape: number[] }; shape: number[] }>(
        await call("cap-slicer", "GET", `/api/execution/outputs/${runId}/arr/output?slice=${encodeURIComponent(slice)}`),
      );
      expect(got.value.value, slice).toEqual(pick(reference, axes));
    }
    const one = await json<{ shape: number[] }>(await call("cap-slicer", "GET", `/api/execution/outputs/${runId}/arr/output?slice=-1,::2,1:3`));
    expect(one.shape).toEqual([2, 2]);

    for (const bad of ["0,,1", "1:2:0", "5", "0,0,0,0", "a", "...,...", "0.5", "1:2:3:4"]) {
      const res = await call("cap-slicer", "GET", `/api/execution/outputs/${runId}/arr/output?slice=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(422);
      expect((await errorOf(res)).type).toBe("validation_error");
    }
    // A value that is not an array cannot be sliced.
    const notArray = await call("cap-slicer", "GET", `/api/execution/outputs/${runId}/each/index?slice=0`);
    expect(notArray.status).toBe(422);
  });

  it("list each streamed item in the step index, and answer honestly that no gradients exist", async () => {
    const { runId } = await recordedRun("cap-steps");
    const steps = await json<{ steps: (Item & { port: string })[] }>(await call("cap-steps", "GET", `/api/execution/outputs/${runId}/each/__steps_index`));
    expect(steps.steps.filter((s) => s.port === "output").map((s) => [s.seq, s.shape])).toEqual([[0, [2]], [1, [2]], [2, [2]]]);
    expect(steps.steps.filter((s) => s.port === "index").map((s) => s.seq)).toEqual([0, 1, 2]);
    for (const s of steps.steps) expect(Number.isNaN(Date.parse(s.time))).toBe(false);
    const seqs = steps.steps.map((s) => s.job_seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    const grad = await call("cap-steps", "GET", `/api/execution/outputs/${runId}/arr/__grad_index`);
    expect(grad.status).toBe(404);
    expect((await errorOf(grad)).message).toMatch(/inference only/);
    expect((await call("cap-steps", "GET", `/api/execution/outputs/${runId}/nope/__steps_index`)).status).toBe(404);
    expect((await call("cap-steps", "GET", `/api/execution/outputs/${runId}/arr/nope`)).status).toBe(404);
  });

  it("refuse without a token, hide other users' captures, and 404 unknown or unrecorded runs", async () => {
    const { runId } = await recordedRun("cap-owner");
    for (const [method, path] of [
      ["GET", `/api/execution/outputs/${runId}`],
      ["GET", `/api/execution/outputs/${runId}/arr/output`],
      ["GET", `/api/execution/outputs/${runId}/each/__steps_index`],
      ["DELETE", `/api/execution/outputs/${runId}`],
      ["GET", "/api/execution/state/list"],
      ["POST", "/api/execution/state/reset"],
    ]) {
      expect((await call(null, method, path, method === "POST" ? { run_id: runId } : undefined)).status, `${method} ${path}`).toBe(401);
    }
    for (const path of [`/api/execution/outputs/${runId}`, `/api/execution/outputs/${runId}/arr/output`, `/api/execution/outputs/${runId}/arr/__grad_index`]) {
      expect((await call("cap-intruder", "GET", path)).status, path).toBe(404);
    }
    expect((await call("cap-intruder", "DELETE", `/api/execution/outputs/${runId}`)).status).toBe(404);
    expect((await call("cap-owner", "GET", `/api/execution/outputs/${runId}`)).status).toBe(200);
    expect((await call("cap-owner", "GET", "/api/execution/outputs/no-such-run")).status).toBe(404);
    const plain = await recordedRun("cap-owner", false);
    const unrecorded = await call("cap-owner", "GET", `/api/execution/outputs/${plain.runId}`);
    expect(unrecorded.status).toBe(404);
    expect((await errorOf(unrecorded)).message).toMatch(/record_outputs/);
  });

  it("free a capture on DELETE", async () => {
    const { runId } = await recordedRun("cap-deleter");
    const gone = await json<{ deleted: number }>(await call("cap-deleter", "DELETE", `/api/execution/outputs/${runId}`));
    expect(gone.deleted).toBeGreaterThan(1);
    expect((await env.STORAGE.list({ prefix: `captures/cap-deleter/${runId}/` })).objects).toHaveLength(0);
    expect((await call("cap-deleter", "GET", `/api/execution/outputs/${runId}`)).status).toBe(404);
    expect((await call("cap-deleter", "DELETE", `/api/execution/outputs/${runId}`)).status).toBe(404);
  });

  it("are deleted by the cron sweep once CAPTURE_RETENTION_SECONDS has passed", async () => {
    const { runId } = await recordedRun("cap-expiry");
    const prefix = `captures/cap-expiry/${runId}/`;
    expect(await sweepExpiredCaptures(env.STORAGE, 86_400)).toBe(0);
    expect((await env.STORAGE.list({ prefix })).objects.length).toBeGreaterThan(0);
    const short = { ...env, CAPTURE_RETENTION_SECONDS: "0.2" };
    await new Promise((r) => setTimeout(r, 300));
    // Expired reads answer 404 before any sweep.
    const req = new Request(`https://edge.test/api/execution/outputs/${runId}`, { headers: { Authorization: `Bearer ${await tokenFor("cap-expiry")}` } });
    expect((await worker.fetch!(req, short as never, createExecutionContext())).status).toBe(404);
    expect((await call("cap-expiry", "GET", `/api/execution/outputs/${runId}`)).status).toBe(200);
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: "17 * * * *" }), short as never, ctx);
    await waitOnExecutionContext(ctx);
    expect((await env.STORAGE.list({ prefix })).objects).toHaveLength(0);
  });
});

describe("execution state", () => {
  it("lists captures per graph and runner state honestly; resets per node and per graph", async () => {
    const { runId, workflowId } = await recordedRun("state-user");
    const list = await json<{ entries: { kind: string; id: string; workflow_id?: string; node_ids?: string[]; resettable: boolean }[]; notes: string[] }>(
      await call("state-user", "GET", "/api/execution/state/list"),
    );
    const capture = list.entries.find((e) => e.kind === "capture" && e.id === runId)!;
    expect(capture).toMatchObject({ workflow_id: workflowId, resettable: true });
    expect(capture.node_ids).toEqual(expect.arrayContaining(["arr", "each", "out"]));
    expect(list.notes.join(" ")).toMatch(/GPU_RUNNER_URLS|Runner/);
    // Another user sees none of it.
    const other = await json<{ entries: { id: string }[] }>(await call("state-other", "GET", "/api/execution/state/list"));
    expect(other.entries.some((e) => e.id === runId)).toBe(false);

    const byNode = await json<{ reset: { id: string; node_id?: string }[]; not_reset: { kind: string }[] }>(
      await call("state-user", "POST", "/api/execution/state/reset", { run_id: runId, node_id: "each" }),
    );
    expect(byNode.reset).toEqual([{ kind: "capture", id: runId, node_id: "each" }]);
    expect(byNode.not_reset.map((n) => n.kind)).toContain("runner_session");
    const index = await json<Index>(await call("state-user", "GET", `/api/execution/outputs/${runId}`));
    expect(index.ports.some((p) => p.node_id === "each")).toBe(false);
    expect(index.ports.some((p) => p.node_id === "arr")).toBe(true);
    expect((await call("state-user", "GET", `/api/execution/outputs/${runId}/each/output`)).status).toBe(404);

    // Another user's reset touches nothing of this user.
    const foreign = await json<{ reset: unknown[] }>(await call("state-other", "POST", "/api/execution/state/reset", { workflow_id: workflowId }));
    expect(foreign.reset).toEqual([]);
    expect((await call("state-user", "GET", `/api/execution/outputs/${runId}`)).status).toBe(200);

    const byGraph = await json<{ reset: { id: string }[] }>(await call("state-user", "POST", "/api/execution/state/reset", { workflow_id: workflowId }));
    expect(byGraph.reset.map((r) => r.id)).toEqual([runId]);
    expect((await call("state-user", "GET", `/api/execution/outputs/${runId}`)).status).toBe(404);
    expect((await call("state-user", "POST", "/api/execution/state/reset", {})).status).toBe(422);
  });
});

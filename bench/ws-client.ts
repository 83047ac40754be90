import { decode, encode } from "@msgpack/msgpack";
import WebSocket from "ws";

type Frame = { type?: string; status?: string; job_seq?: number; error?: string };
const TERMINAL = new Set(["completed", "failed", "cancelled", "timed_out"]);

/**
 * Runs a saved workflow over the msgpack WebSocket and counts its node_progress messages; returns messages
 * per second from the run_job command to the terminal job_update. Throws on a gap or a repeat.
 */
export async function wsDelivery(baseUrl: string, workflowId: string, expected: number): Promise<number> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/predict`);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  try {
    const t0 = performance.now();
    let progress = 0;
    let lastSeq = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on("message", (data: Buffer) => {
        const frame = decode(data) as Frame;
        if (frame.error) return reject(new Error(frame.error));
        if (frame.job_seq === undefined) return; // a command reply
        if (frame.job_seq !== lastSeq + 1) return reject(new Error(`job_seq ${frame.job_seq} after ${lastSeq}`));
        lastSeq = frame.job_seq;
        if (frame.type === "node_progress") progress++;
        if (frame.type === "job_update" && TERMINAL.has(frame.status ?? "")) {
          if (frame.status !== "completed" || progress !== expected) reject(new Error(`ended ${frame.status} after ${progress} node_progress`));
          else resolve();
        }
      });
      socket.send(encode({ command: "run_job", data: { type: "run_job_request", workflow_id: workflowId, params: {} } }));
    });
    return progress / ((performance.now() - t0) / 1000);
  } finally {
    socket.close();
  }
}

type JobFrame = Frame & { job_id?: string; command?: string; result?: Record<string, unknown> };

/**
 * Runs `jobs` jobs of a saved workflow at once over `connections` msgpack WebSockets (several jobs per
 * connection), job i with params `{text: "job <i>"}` and a client job id naming i. Checks every job's
 * messages: job_seq 1..n without gaps or repeats, one terminal update, and the result `{text: "JOB <i>"}`.
 */
export async function wsManyJobs(
  baseUrl: string,
  workflowId: string,
  jobs: number,
  connections: number,
): Promise<{ seconds: number; lost: number; wrong: number; queued: number }> {
  const sockets = await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/predict`);
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      return socket;
    }),
  );
  const run = `${Date.now().toString(36)}`;
  const perConnection = Math.ceil(jobs / connections);
  let lost = 0;
  let wrong = 0;
  let queued = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      sockets.map((socket, c) => {
        const mine = Array.from({ length: perConnection }, (_, k) => c * perConnection + k).filter((i) => i < jobs);
        const streams = new Map<string, JobFrame[]>();
        let finished = 0;
        return new Promise<void>((resolve, reject) => {
          socket.on("message", (data: Buffer) => {
            const frame = decode(data) as JobFrame;
            if (frame.error) return reject(new Error(frame.error));
            if (frame.job_seq === undefined || frame.job_id === undefined) return; // a command reply
            const list = streams.get(frame.job_id) ?? [];
            list.push(frame);
            streams.set(frame.job_id, list);
            if (frame.type === "job_update" && TERMINAL.has(frame.status ?? "")) {
              list.forEach((m, k) => m.job_seq !== k + 1 && lost++);
              if (list[0]?.status === "queued") queued++;
              const i = frame.job_id.split("-").at(-1);
              if (frame.status !== "completed" || frame.result?.text !== `JOB ${i}`) wrong++;
              if (++finished === mine.length) resolve();
            }
          });
          for (const i of mine) {
            const data = { type: "run_job_request", workflow_id: workflowId, params: { text: `job ${i}` }, job_id: `bench-${run}-${i}` };
            socket.send(encode({ command: "run_job", data }));
          }
        });
      }),
    );
  } finally {
    for (const socket of sockets) socket.close();
  }
  return { seconds: (performance.now() - t0) / 1000, lost, wrong, queued };
}

import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encode } from "@msgpack/msgpack";
import { Miniflare } from "miniflare";
import { createParser } from "eventsource-parser";
import WebSocket from "ws";
// @ts-expect-error: plain ESM helper shared with npm start, without type declarations
import { applyLocalMigrations, startLocalEdge } from "../scripts/local-edge.mjs";
import { fmt } from "./stats";
import { THREE_NODES, tickerWorkflow } from "./workflows";
import { wsDelivery, wsManyJobs } from "./ws-client";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MESSAGES = 100_000;

type Message = { type: string; job_seq: number; status?: string; result?: Record<string, unknown> };

/** The baseline: 100,000 msgpack messages of a node_progress' size through a plain `ws` echo in another Node process. */
async function plainWsEcho(count: number): Promise<number> {
  const child = spawn(process.execPath, [path.join(HERE, "ws-echo-server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once("exit", () => reject(new Error("the echo server exited")));
    });
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const frame = encode({ type: "node_progress", node_id: "t", progress: 1, total: count, job_id: "0123456789abcdef0123456789abcdef", workflow_id: "0123456789abcdef0123456789abcdef", job_seq: 1 });
    const t0 = performance.now();
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.on("message", () => {
        if (++received === count) resolve();
      });
      for (let i = 0; i < count; i++) socket.send(frame);
    });
    const seconds = (performance.now() - t0) / 1000;
    socket.close();
    return count / seconds;
  } finally {
    child.kill();
  }
}

/** The runtime's ceiling: a bare Durable Object sending `count` frames to a `ws` client (no proxy, no code of ours). */
async function bareDurableObjectSends(count: number): Promise<number> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: path.join(HERE, "fixtures", "ws-send-loop.worker.js"),
    compatibilityDate: "2026-04-01",
    durableObjects: { SEND_LOOP: { className: "SendLoop", useSQLite: true } },
    port: 0,
  });
  try {
    const url = await mf.ready;
    const socket = new WebSocket(url.toString().replace(/^http/, "ws"));
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const t0 = performance.now();
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.on("message", () => {
        if (++received === count) resolve();
      });
      socket.send(String(count));
    });
    const seconds = (performance.now() - t0) / 1000;
    socket.close();
    return count / seconds;
  } finally {
    await mf.dispose();
  }
}

interface Edge {
  url: string;
  stop(): Promise<void>;
}

async function post(edge: Edge, p: string, body: unknown): Promise<Response> {
  return fetch(`${edge.url}${p}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

async function saveWorkflow(edge: Edge, wf: unknown): Promise<string> {
  return ((await (await post(edge, "/api/workflows", wf)).json()) as { id: string }).id;
}

/** Reads an SSE response to its end; returns the messages. */
async function readSse(res: Response): Promise<Message[]> {
  if (!res.ok) throw new Error(`stream request failed: ${res.status} ${(await res.text()).slice(0, 200)}`);
  const messages: Message[] = [];
  const parser = createParser({ onEvent: (e) => e.data !== "[DONE]" && messages.push(JSON.parse(e.data) as Message) });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return messages;
}

/** Problems with one job's stream: gaps, repeats, or anything but one terminal update at the end. */
function streamProblems(messages: Message[], expect?: (m: Message) => boolean): string[] {
  const problems: string[] = [];
  messages.forEach((m, i) => m.job_seq !== i + 1 && problems.push(`job_seq ${m.job_seq} at position ${i + 1}`));
  const terminals = messages.filter((m) => m.type === "job_update" && ["completed", "failed", "cancelled", "timed_out"].includes(m.status ?? ""));
  if (terminals.length !== 1 || terminals[0] !== messages.at(-1)) problems.push(`${terminals.length} terminal updates`);
  else if (expect && !expect(terminals[0])) problems.push(`ended ${JSON.stringify(terminals[0]).slice(0, 200)}`);
  return problems;
}

async function sseDelivery(edge: Edge, workflowId: string): Promise<number> {
  const t0 = performance.now();
  const messages = await readSse(await post(edge, `/workflows/${workflowId}/run/stream`, {}));
  const seconds = (performance.now() - t0) / 1000;
  const progress = messages.filter((m) => m.type === "node_progress").length;
  if (progress !== MESSAGES || streamProblems(messages).length) throw new Error(`SSE delivery lost messages: ${progress} node_progress`);
  return progress / seconds;
}

async function fanOut(edge: Edge, subscribers: number, ticks: number): Promise<{ delivered: number; lost: number; seconds: number }> {
  const workflowId = await saveWorkflow(edge, tickerWorkflow(ticks, 2));
  const t0 = performance.now();
  const first = await post(edge, `/workflows/${workflowId}/run/stream`, {});
  const jobId = first.headers.get("X-Job-Id")!;
  const streams = [readSse(first)];
  for (let i = 1; i < subscribers; i++) streams.push(fetch(`${edge.url}/api/jobs/${jobId}/stream`).then(readSse));
  const all = await Promise.all(streams);
  const seconds = (performance.now() - t0) / 1000;
  const expected = all[0].length;
  let lost = 0;
  for (const messages of all) {
    lost += Math.max(0, expected - messages.length) + streamProblems(messages).length;
  }
  return { delivered: all.reduce((n, m) => n + m.length, 0), lost, seconds };
}

export async function benchJobs(): Promise<string[]> {
  const state = mkdtempSync(path.join(tmpdir(), "nodetool-edge-bench-jobs-"));
  applyLocalMigrations(state);
  const edge: Edge = await startLocalEdge({ persistTo: state, vars: { AUTH_PROVIDER: "local" } });
  const lines: string[] = [];
  try {
    const ticker = await saveWorkflow(edge, tickerWorkflow(MESSAGES, 0));
    // Warm both paths once with a short job, then measure baseline and ours back to back.
    await wsDelivery(edge.url, await saveWorkflow(edge, tickerWorkflow(1000, 0)), 1000);
    const baseline = await plainWsEcho(MESSAGES);
    const ws = await wsDelivery(edge.url, ticker, MESSAGES);
    const sse = await sseDelivery(edge, ticker);
    const baseline2 = await plainWsEcho(MESSAGES);
    const ceiling = await bareDurableObjectSends(MESSAGES);
    const base = (baseline + baseline2) / 2;
    lines.push(
      `jobs: plain ws echo (2 Node processes)  ${fmt(base, 0)} msg/s (runs: ${fmt(baseline, 0)}, ${fmt(baseline2, 0)})`,
      `jobs: bare Durable Object ws.send loop -> ws client (local workerd, no code of ours)  ${fmt(ceiling, 0)} msg/s = ${fmt((100 * ceiling) / base, 1)}% of plain ws`,
      `jobs: 100,000 node_progress -> 1 WebSocket client (msgpack)  ${fmt(ws, 0)} msg/s = ${fmt((100 * ws) / base, 1)}% of plain ws (target >= 25%), ${fmt((100 * ws) / ceiling, 0)}% of the bare send loop`,
      `jobs: 100,000 node_progress -> 1 SSE client  ${fmt(sse, 0)} msg/s = ${fmt((100 * sse) / base, 1)}% of plain ws`,
    );
    const fan = await fanOut(edge, 100, 1000);
    lines.push(
      `jobs: fan-out of one job (1,000 ticks) to 100 SSE subscribers  ${fan.delivered} messages delivered in ${fmt(fan.seconds)} s (${fmt(fan.delivered / fan.seconds, 0)} msg/s), lost ${fan.lost}`,
    );
    // Over WebSockets (10 connections, 100 jobs each): a thousand simultaneous HTTP streams overrun the
    // local dev proxy in front of the Worker, which resets connections, before they reach our code.
    const many = await wsManyJobs(edge.url, await saveWorkflow(edge, THREE_NODES), 1000, 10);
    lines.push(
      `jobs: 1,000 concurrent jobs (3 nodes; 10 WebSockets x 100 jobs)  ${fmt(many.seconds)} s, ${fmt(1000 / many.seconds, 0)} jobs/s, ${many.queued} waited in the queue, lost messages ${many.lost}, wrong results ${many.wrong}`,
    );
  } finally {
    await edge.stop();
  }
  return lines;
}

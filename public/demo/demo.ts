// The API demo page (public/demo.html, built by scripts/build-page.mjs with @msgpack/msgpack inlined): one
// self-contained file that works from file:// and from any origin. It asks for the endpoint and a token,
// lists the workflows (GET /api/workflows), and runs one over the MessagePack `/predict` WebSocket
// (docs/websocket-protocol.md), showing progress and the outputs.
import { decode, encode } from "@msgpack/msgpack";

type Msg = Record<string, unknown>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const endpointInput = $<HTMLInputElement>("endpoint");
const tokenInput = $<HTMLInputElement>("token");
const statusEl = $("status");
const list = $<HTMLSelectElement>("workflows");
const paramsInput = $<HTMLTextAreaElement>("params");
const progressEl = $<HTMLProgressElement>("progress");
const logEl = $("log");
const outputsEl = $("outputs");

// Served by the server itself, the endpoint is the page's own origin; opened from a file, the user types it.
if (location.protocol === "http:" || location.protocol === "https:") endpointInput.value ||= location.origin;
endpointInput.value = localStorage.getItem("demo.endpoint") ?? endpointInput.value;
tokenInput.value = localStorage.getItem("demo.token") ?? "";

const base = () => endpointInput.value.trim().replace(/\/+$/, "");
const setStatus = (text: string): void => {
  statusEl.textContent = text;
};

function log(text: string): void {
  const line = document.createElement("div");
  line.textContent = text;
  logEl.append(line);
}

function remember(): void {
  try {
    localStorage.setItem("demo.endpoint", base());
    localStorage.setItem("demo.token", tokenInput.value.trim());
  } catch {
    // Storage can be off for file:// pages; the fields still work.
  }
}

async function listWorkflows(): Promise<void> {
  remember();
  setStatus("Loading workflows...");
  list.replaceChildren();
  try {
    const res = await fetch(`${base()}/api/workflows?limit=100`, { headers: { Authorization: `Bearer ${tokenInput.value.trim()}` } });
    const body = (await res.json()) as { workflows?: { id: string; name: string }[]; error?: { message: string } };
    if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
    for (const w of body.workflows ?? []) list.append(new Option(`${w.name} (${w.id})`, w.id));
    setStatus(`${list.options.length} workflows`);
  } catch (err) {
    setStatus(`Could not list workflows: ${(err as Error).message}`);
  }
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v));
}

function renderOutputs(result: Msg): void {
  outputsEl.replaceChildren();
  for (const [name, values] of Object.entries(result)) {
    const row = document.createElement("div");
    row.className = "output";
    row.dataset.name = name;
    const value = Array.isArray(values) && values.length === 1 ? values[0] : values;
    row.textContent = `${name}: ${show(value)}`;
    outputsEl.append(row);
  }
}

function run(): void {
  const workflowId = list.value;
  if (!workflowId) {
    setStatus("Choose a workflow first");
    return;
  }
  let params: unknown = {};
  try {
    params = paramsInput.value.trim() ? JSON.parse(paramsInput.value) : {};
  } catch (err) {
    setStatus(`Params are not JSON: ${(err as Error).message}`);
    return;
  }
  remember();
  logEl.replaceChildren();
  outputsEl.replaceChildren();
  progressEl.value = 0;
  const url = `${base().replace(/^http/, "ws")}/predict?api_key=${encodeURIComponent(tokenInput.value.trim())}`;
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const done = new Set<string>();
  let nodes = 0;
  ws.onopen = () => {
    setStatus("Connected; starting the job");
    ws.send(encode({ command: "run_job", data: { type: "run_job_request", workflow_id: workflowId, params } }));
  };
  ws.onmessage = (event) => {
    const msg = (event.data instanceof ArrayBuffer ? decode(new Uint8Array(event.data)) : JSON.parse(event.data as string)) as Msg;
    if (msg.error && !msg.type) return setStatus(`Error: ${String(msg.error)}`);
    switch (msg.type) {
      case "job_update":
        setStatus(`Job ${String(msg.status)}`);
        if (msg.status === "completed") {
          progressEl.value = 1;
          renderOutputs((msg.result ?? {}) as Msg);
          ws.close(1000);
        } else if (["failed", "cancelled", "timed_out"].includes(msg.status as string)) {
          log(`Job ${String(msg.status)}: ${String(msg.error ?? msg.message ?? "")}`);
          ws.close(1000);
        }
        break;
      case "node_update":
        if (msg.status === "running") nodes = Math.max(nodes, done.size + 1);
        if (msg.status === "completed") done.add(msg.node_id as string);
        progressEl.value = nodes ? Math.min(0.99, done.size / Math.max(nodes, done.size + 1)) : 0;
        log(`${String(msg.node_name ?? msg.node_id)}: ${String(msg.status)}`);
        break;
      case "node_progress":
        log(`${String(msg.node_id)}: ${String(msg.progress)}/${String(msg.total)}`);
        break;
      case "chunk":
        log(`chunk: ${String(msg.content)}`);
        break;
      case "log_update":
        log(`${String(msg.severity)}: ${String(msg.content)}`);
        break;
    }
  };
  ws.onclose = (event) => {
    if (event.code !== 1000 && event.reason) setStatus(`Connection closed: ${event.reason}`);
  };
}

$("list").addEventListener("click", () => void listWorkflows());
$("run").addEventListener("click", run);

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { HumanRenderer } from "../../cli/render/human";
import { JsonlRenderer } from "../../cli/render/jsonl";
import type { Message } from "../../cli/runner";

// The CLI's renderers fed directly: the live terminal display cannot be had from a spawned process without a
// pseudo-terminal, so its redraws are checked here with a stream that says it is a TTY.

class Capture extends Writable {
  text = "";
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

const job = { job_id: "j1", workflow_id: "w" };
const messages: Message[] = [
  { type: "job_update", status: "running", ...job, job_seq: 1 },
  { type: "node_update", node_id: "t", node_name: "Ticker", node_type: "edge.diagnostics.Ticker", status: "running", ...job, job_seq: 2 },
  ...Array.from({ length: 4 }, (_, i): Message => ({ type: "node_progress", node_id: "t", progress: i + 1, total: 4, ...job, job_seq: 3 + i })),
  { type: "log_update", node_id: "t", node_name: "Ticker", content: "halfway there", severity: "info", ...job, job_seq: 7 },
  { type: "node_update", node_id: "t", node_name: "Ticker", node_type: "edge.diagnostics.Ticker", status: "completed", ...job, job_seq: 8 },
];

describe("human renderer", () => {
  it("redraws a live block in place on a terminal, with a bar per node", async () => {
    const out = new Capture(true);
    const err = new Capture(false);
    const r = new HumanRenderer({ out, err }, { outDir: "." });
    r.started("j1", "workflow w");
    for (const m of messages) r.message(m);
    await r.finish({ jobId: "j1", status: "completed", result: { ticks: 4 }, duration: 0.5 });
    // The log line scrolled above the block; the block was erased (cursor up, clear) and drawn again.
    expect(out.text).toContain("[log] Ticker: halfway there\n");
    expect(out.text).toMatch(/\x1b\[\d+A\r\x1b\[J/);
    expect(out.text).toContain("✓ Ticker   [########################] 4/4\n");
    expect(out.text.endsWith("Outputs:\n  ticks: 4\nCompleted in 0.50 s (job j1)\n")).toBe(true);
    expect(out.text).not.toContain("[progress]");
    expect(err.text).toBe("");
  });

  it("prints plain lines without escape codes elsewhere", async () => {
    const out = new Capture(false);
    const err = new Capture(false);
    const r = new HumanRenderer({ out, err }, { outDir: "." });
    r.started("j1", "workflow w");
    for (const m of messages) r.message(m);
    await r.finish({ jobId: "j1", status: "failed", result: null, error: "boom", duration: 1 });
    expect(out.text).not.toContain("\x1b[");
    expect(out.text.split("\n").filter((l) => l.startsWith("[progress]"))).toEqual([
      "[progress] Ticker [######------------------] 1/4 (25%)",
      "[progress] Ticker [############------------] 2/4 (50%)",
      "[progress] Ticker [##################------] 3/4 (75%)",
      "[progress] Ticker [########################] 4/4 (100%)",
    ]);
    expect(out.text).toContain("[running] Ticker\n");
    expect(out.text).toContain("[done] Ticker\n");
    expect(err.text).toBe("Job j1 failed in 1.00 s: boom\n");
  });
});

describe("jsonl renderer", () => {
  it("writes each message as one JSON line, bytes as data: URIs", async () => {
    const out = new Capture(false);
    const err = new Capture(false);
    const r = new JsonlRenderer({ out, err });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2]);
    r.message({ type: "output_update", node_id: "o", node_name: "Output", output_name: "img", output_type: "image", value: { type: "image", data: png }, ...job, job_seq: 1 });
    r.message({ type: "job_update", status: "completed", result: {}, ...job, job_seq: 2 });
    await r.finish({ jobId: "j1", status: "completed", result: {} });
    const lines = out.text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0].value).toEqual({ type: "image", data: `data:image/png;base64,${Buffer.from(png).toString("base64")}` });
    expect(err.text).toBe("");
  });
});

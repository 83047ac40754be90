import path from "node:path";
import { isMediaRef, saveMedia, type Fetcher } from "../media";
import type { Message, Outcome } from "../runner";
import type { Renderer, Streams } from "./renderer";

interface NodeState {
  id: string;
  name: string;
  status: "running" | "completed" | "error";
  progress?: number;
  total?: number;
  /** Plain mode: the last 10% step printed, so a long job prints about ten progress lines per node. */
  printedStep: number;
}

const BAR_WIDTH = 24;
/** Live mode shows at most this many node lines; the rest are summed up. */
const MAX_LIVE_LINES = 12;
const REDRAW_MS = 80;

export function progressBar(progress: number, total: number, width = BAR_WIDTH): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, progress / total)) : 0;
  const filled = Math.round(ratio * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

function percent(progress: number, total: number): number {
  return total > 0 ? Math.floor((Math.min(progress, total) / total) * 100) : 0;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}

/**
 * The default display. On a terminal: a live block, one line per node with a progress bar, redrawn in place
 * (logs scroll above it). Otherwise (a pipe, a file, CI): one plain line per event, progress at most every
 * 10 % per node. Then the outputs: text as it is, other values as JSON, media saved to files under
 * `--out-dir` with their paths printed.
 */
export class HumanRenderer implements Renderer {
  private readonly nodes = new Map<string, NodeState>();
  private readonly live: boolean;
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private queuePosition: number | undefined;

  constructor(
    private readonly streams: Streams,
    private readonly opts: { outDir: string; fetcher?: Fetcher; live?: boolean },
  ) {
    this.live = opts.live ?? Boolean(streams.out.isTTY);
  }

  private print(line: string): void {
    if (!this.live) {
      this.streams.out.write(`${line}\n`);
      return;
    }
    this.erase();
    this.streams.out.write(`${line}\n`);
    this.draw();
  }

  started(jobId: string, label: string): void {
    this.print(`Running ${label} (job ${jobId})`);
  }

  message(m: Message): void {
    switch (m.type) {
      case "job_update":
        if (m.status === "queued") {
          this.queuePosition = typeof m.queue_position === "number" ? m.queue_position : undefined;
          if (!this.live) this.print(`[queued] waiting for a free slot${this.queuePosition !== undefined ? ` (position ${this.queuePosition})` : ""}`);
          else this.schedule();
        } else if (m.status === "running") {
          this.queuePosition = undefined;
          this.schedule();
        }
        return;
      case "node_update":
        this.nodeUpdate(m);
        return;
      case "node_progress":
        this.nodeProgress(m);
        return;
      case "log_update":
        this.print(`[log] ${this.nameOf(m)}: ${String(m.content)}`);
        return;
      case "error":
        this.print(`[error] ${String(m.message)}`);
        return;
      default:
        return;
    }
  }

  private nameOf(m: { node_id: string; node_name: string }): string {
    const id = String(m.node_id ?? "");
    return this.nodes.get(id)?.name ?? (typeof m.node_name === "string" ? m.node_name : id);
  }

  private nodeUpdate(m: Extract<Message, { type: "node_update" }>): void {
    const id = String(m.node_id);
    const name = typeof m.node_name === "string" && m.node_name !== "" ? m.node_name : id;
    let node = this.nodes.get(id);
    if (!node) {
      node = { id, name, status: "running", printedStep: -1 };
      this.nodes.set(id, node);
    }
    const status = m.status as NodeState["status"];
    node.status = status;
    if (this.live) {
      if (status === "error") this.print(`[error] ${name}: ${String(m.error ?? "failed")}`);
      this.schedule();
      return;
    }
    if (status === "running") this.print(`[running] ${name}`);
    else if (status === "completed") this.print(`[done] ${name}`);
    else if (status === "error") this.print(`[error] ${name}: ${String(m.error ?? "failed")}`);
  }

  private nodeProgress(m: Extract<Message, { type: "node_progress" }>): void {
    const id = String(m.node_id);
    let node = this.nodes.get(id);
    if (!node) {
      node = { id, name: id, status: "running", printedStep: -1 };
      this.nodes.set(id, node);
    }
    node.progress = Number(m.progress);
    node.total = Number(m.total);
    if (this.live) {
      this.schedule();
      return;
    }
    const pct = percent(node.progress, node.total);
    const step = Math.floor(pct / 10);
    if (step > node.printedStep) {
      node.printedStep = step;
      this.print(`[progress] ${node.name} ${progressBar(node.progress, node.total)} ${node.progress}/${node.total} (${pct}%)`);
    }
  }

  // ---- live block ------------------------------------------------------------------------------------

  private lines(): string[] {
    const all = [...this.nodes.values()];
    const lines: string[] = [];
    if (this.queuePosition !== undefined) lines.push(`queued at position ${this.queuePosition}`);
    const running = all.filter((n) => n.status === "running");
    const shown = running.length >= MAX_LIVE_LINES ? running.slice(0, MAX_LIVE_LINES) : [...running, ...all.filter((n) => n.status !== "running").slice(-(MAX_LIVE_LINES - running.length))];
    const order = new Map(all.map((n, i) => [n, i]));
    shown.sort((a, b) => order.get(a)! - order.get(b)!);
    const width = Math.max(8, ...shown.map((n) => n.name.length));
    const columns = this.streams.out.columns && this.streams.out.columns > 20 ? this.streams.out.columns : 200;
    for (const n of shown) {
      const mark = n.status === "completed" ? "✓" : n.status === "error" ? "✗" : "•";
      let line = `${mark} ${n.name.padEnd(width)}`;
      if (n.total !== undefined && n.progress !== undefined) line += ` ${progressBar(n.progress, n.total)} ${n.progress}/${n.total}`;
      else if (n.status === "running") line += " running";
      lines.push(line.slice(0, columns - 1));
    }
    const hidden = all.length - shown.length;
    if (hidden > 0) lines.push(`  ... and ${hidden} more nodes (${all.filter((n) => n.status === "completed").length} done)`);
    return lines;
  }

  private erase(): void {
    if (this.drawn > 0) this.streams.out.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    const lines = this.lines();
    if (lines.length > 0) this.streams.out.write(`${lines.join("\n")}\n`);
    this.drawn = lines.length;
  }

  private schedule(): void {
    if (!this.live || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.erase();
      this.draw();
    }, REDRAW_MS);
  }

  private stopLive(): void {
    if (!this.live) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.erase();
    this.draw();
    this.drawn = 0; // the final state stays on screen
  }

  // ---- the end ---------------------------------------------------------------------------------------

  interrupted(): void {
    // On stderr, like every problem; in live mode around the block, which is drawn on stdout.
    if (this.live) this.erase();
    this.streams.err.write("Interrupted: cancelling the job...\n");
    if (this.live) this.draw();
  }

  async finish(outcome: Outcome): Promise<void> {
    this.stopLive();
    const { out, err } = this.streams;
    if (outcome.result && Object.keys(outcome.result).length > 0) {
      out.write("Outputs:\n");
      for (const [name, value] of Object.entries(outcome.result)) out.write(`${await this.formatOutput(name, value)}\n`);
    }
    const took = outcome.duration !== undefined ? ` in ${outcome.duration.toFixed(2)} s` : "";
    if (outcome.status === "completed") out.write(`Completed${took} (job ${outcome.jobId})\n`);
    else err.write(`Job ${outcome.jobId} ${outcome.status}${took}${outcome.error ? `: ${outcome.error}` : ""}\n`);
  }

  private async formatOutput(name: string, value: unknown): Promise<string> {
    const items = Array.isArray(value) && value.length > 0 && value.every(isMediaRef) ? value : isMediaRef(value) ? [value] : undefined;
    if (items) {
      const lines: string[] = [];
      for (let i = 0; i < items.length; i++) {
        const ref = items[i];
        const stem = items.length > 1 ? `${name}-${i + 1}` : name;
        let saved;
        try {
          saved = await saveMedia(ref, stem, this.opts.outDir, this.opts.fetcher);
        } catch (e) {
          lines.push(`  ${name}: ${ref.type} could not be saved (${(e as Error).message})${ref.uri ? `: ${ref.uri}` : ""}`);
          continue;
        }
        if (saved) lines.push(`  ${name}: ${ref.type} saved to ${path.relative(process.cwd(), saved.path) || saved.path} (${formatBytes(saved.bytes)})`);
        else lines.push(`  ${name}: ${ref.type} at ${ref.uri ?? "(no uri)"}`);
      }
      return lines.join("\n");
    }
    if (typeof value === "string") return value.includes("\n") ? `  ${name}:\n${indent(value, "    ")}` : `  ${name}: ${value}`;
    const json = JSON.stringify(value);
    if (json !== undefined && json.length <= 100) return `  ${name}: ${json}`;
    return `  ${name}:\n${indent(JSON.stringify(value, null, 2) ?? "null", "    ")}`;
  }
}

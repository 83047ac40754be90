import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { KernelInputError, type KernelContext } from "../types";

/**
 * ffmpeg for the audio and video kernels: the static binary shipped inside the npm package
 * @ffmpeg-installer/<platform> (an optional dependency of @ffmpeg-installer/ffmpeg), so nothing is downloaded at
 * install or run time. `GPU_RUNNER_FFMPEG` (read by gpu-runner/src/config.ts, handed to each worker) may name another binary.
 * ffmpeg always runs as a child process with an argument array (never a shell), inside a private temporary
 * folder, with a wall-clock limit, killed as soon as the request is cancelled, and with its output size capped.
 */

/** Largest file ffmpeg may write for one output (passed as `-fs`, checked again after). */
export const MAX_OUTPUT_BYTES = 256 * 1024 ** 2;
/** Wall-clock limit of one ffmpeg run. */
export const FFMPEG_TIMEOUT_MS = 10 * 60_000;
/** How often a running ffmpeg checks for cancellation. */
const CANCEL_POLL_MS = 50;
/** The tail of stderr kept for error messages and probing. */
const STDERR_KEEP = 64 * 1024;

let resolved: string | undefined;

/** The binary GPU_RUNNER_FFMPEG names, set once per worker thread before any kernel runs. */
export function useFfmpeg(path: string | undefined): void {
  if (path) resolved = path;
}

export function ffmpegPath(): string {
  if (resolved) return resolved;
  try {
    const require = createRequire(import.meta.url);
    resolved = (require("@ffmpeg-installer/ffmpeg") as { path: string }).path;
  } catch (err) {
    throw new Error(`no ffmpeg binary for this platform (@ffmpeg-installer/ffmpeg: ${String(err)}); set GPU_RUNNER_FFMPEG to one`);
  }
  return resolved;
}

export interface FfmpegResult {
  stderr: string;
  code: number | null;
}

/**
 * Runs ffmpeg once. Rejects with CancelledError (from ctx.checkCancelled) when cancelled, with an Error after
 * the time limit, and with a KernelInputError carrying ffmpeg's last error lines when it exits non-zero (unless
 * `allowFailure`, used for probing).
 */
export function runFfmpeg(args: string[], ctx: KernelContext, options: { cwd: string; timeoutMs?: number; allowFailure?: boolean; what?: string }): Promise<FfmpegResult> {
  ctx.checkCancelled();
  return new Promise((resolve, reject) => {
    // -timelimit (CPU seconds) also bounds an ffmpeg whose runner died (SIGKILL) and can no longer kill it.
    const cpuLimit = String(Math.ceil((options.timeoutMs ?? FFMPEG_TIMEOUT_MS) / 1000));
    const child = spawn(ffmpegPath(), ["-hide_banner", "-nostdin", "-y", "-timelimit", cpuLimit, ...args], { cwd: options.cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      fn();
    };
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
    });
    const poll = setInterval(() => {
      try {
        ctx.checkCancelled();
      } catch (err) {
        child.kill("SIGKILL");
        finish(() => reject(err));
      }
    }, CANCEL_POLL_MS);
    const timeoutMs = options.timeoutMs ?? FFMPEG_TIMEOUT_MS;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new Error(`ffmpeg ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)));
    }, timeoutMs);
    child.on("error", (err) => finish(() => reject(new Error(`ffmpeg could not be started: ${err.message}`))));
    child.on("close", (code) =>
      finish(() => {
        if (code === 0 || options.allowFailure) resolve({ stderr, code });
        else reject(new KernelInputError(`${options.what ?? "ffmpeg"} failed: ${lastErrorLines(stderr)}`));
      }),
    );
  });
}

/** ffmpeg's last few meaningful stderr lines: what went wrong, without the banner and stream dumps. */
function lastErrorLines(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^(Input|Output|Stream|Duration|Metadata|encoder|major_brand|minor_version|compatible_brands|handler_name|Press)\b/.test(l) && !l.startsWith("  "));
  return lines.slice(-3).join(" | ").slice(0, 600) || "no error message";
}

/** A private temporary folder for one request, removed afterwards whatever happened. */
export async function withWorkdir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "nodetool-av-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeInput(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength === 0) throw new KernelInputError(`${name} is empty`);
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

/** Reads an output ffmpeg wrote, refusing a missing, empty or oversized one. */
export async function readOutput(file: string, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new KernelInputError(`${what}: ffmpeg wrote no output`);
  }
  if (size === 0) throw new KernelInputError(`${what}: ffmpeg wrote an empty output (is the input stream present?)`);
  if (size >= MAX_OUTPUT_BYTES) throw new KernelInputError(`${what}: the output reached the ${MAX_OUTPUT_BYTES >> 20} MiB limit`);
  // A fresh ArrayBuffer of its own, so the result can be transferred without copying.
  const data = await readFile(file);
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/** `-fs` keeps ffmpeg from writing past the output limit in the first place. */
export const SIZE_LIMIT_ARGS = ["-fs", String(MAX_OUTPUT_BYTES)];

export interface ProbedStream {
  duration: number;
  hasVideo: boolean;
  hasAudio: boolean;
  width: number;
  height: number;
  fps: number;
  codec: string;
  sampleRate: number;
  channels: number;
}

/**
 * What `ffmpeg -i file` reports on stderr (the binary ships without ffprobe): the container duration and the
 * first video and audio streams. Frame rates are the stream's `fps` figure, else its `tbr`.
 */
export async function probe(file: string, ctx: KernelContext, cwd: string): Promise<ProbedStream> {
  const { stderr } = await runFfmpeg(["-i", file], ctx, { cwd, allowFailure: true, timeoutMs: 60_000 });
  if (/Invalid data found|could not find codec parameters|End of file/.test(stderr) && !/Stream #/.test(stderr)) {
    throw new KernelInputError(`not a media file ffmpeg can read (${lastErrorLines(stderr)})`);
  }
  const d = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const duration = d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : 0;
  const video = /Stream #\d+:\d+[^:]*: Video: ([^\s,]+)[^\n]*/.exec(stderr);
  const audio = /Stream #\d+:\d+[^:]*: Audio: ([^\s,]+)[^\n]*/.exec(stderr);
  let width = 0;
  let height = 0;
  let fps = 0;
  if (video) {
    const size = /, (\d{1,5})x(\d{1,5})[\s,[]/.exec(video[0]);
    if (size) [width, height] = [Number(size[1]), Number(size[2])];
    const rate = /, (\d+(?:\.\d+)?)(k?) fps/.exec(video[0]) ?? /, (\d+(?:\.\d+)?)(k?) tbr/.exec(video[0]);
    if (rate) fps = Number(rate[1]) * (rate[2] === "k" ? 1000 : 1);
  }
  let sampleRate = 0;
  let channels = 0;
  if (audio) {
    const hz = /, (\d+) Hz/.exec(audio[0]);
    if (hz) sampleRate = Number(hz[1]);
    channels = /\bmono\b/.test(audio[0]) ? 1 : /\bstereo\b/.test(audio[0]) ? 2 : Number(/(\d+) channels/.exec(audio[0])?.[1] ?? 0);
  }
  if (!video && !audio) throw new KernelInputError(`not a media file ffmpeg can read (${lastErrorLines(stderr)})`);
  return { duration, hasVideo: !!video, hasAudio: !!audio, width, height, fps, codec: video?.[1] ?? "", sampleRate, channels };
}

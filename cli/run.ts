import { APIError } from "../client/index";
import { deriveInputSchema } from "../engine/graph/io-schema";
import { normalizeGraph } from "../engine/graph/normalize";
import { createCoreRegistry } from "../engine/nodes/index";
import { EXIT, UsageError, type CliOptions } from "./args";
import { reportError } from "./errors";
import { runLocally } from "./local";
import type { LocalRunner } from "./local-runner";
import type { Fetcher } from "./media";
import { buildParams } from "./params";
import { HumanRenderer } from "./render/human";
import { JsonlRenderer } from "./render/jsonl";
import type { Renderer, Streams } from "./render/renderer";
import type { Outcome, RunHandle } from "./runner";
import { EdgeClient, runOverSocket } from "./server";
import { parseStdinRequest, resolveTarget, type RunRequest } from "./source";

export interface RunIo {
  streams: Streams;
  readStdin(): Promise<string>;
  /** Installs a Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

/** How long to wait, after a cancel was taken, for the job's final message before giving up on it. */
const CANCEL_GRACE_MS = 15_000;

async function resolveRequest(opts: CliOptions, io: RunIo): Promise<RunRequest> {
  if (opts.stdin) {
    if (opts.positionals.length > 0) throw new UsageError("run --stdin takes no workflow argument (it comes from standard input)");
    const request = parseStdinRequest(await io.readStdin());
    if (opts.local && request.source.kind === "saved") throw new UsageError("--local needs a graph on standard input, not a workflow_id");
    return request;
  }
  if (opts.positionals.length !== 1) throw new UsageError("run takes one workflow id or file (or --stdin)");
  return { source: resolveTarget(opts.positionals[0], opts.local) };
}

/** The workflow's input schema, to read `--param` values by type: derived locally for a graph, fetched for a saved workflow. */
async function inputSchemaFor(request: RunRequest, client: EdgeClient | undefined, needed: boolean) {
  if (request.source.kind === "graph") return deriveInputSchema(normalizeGraph(request.source.graph), createCoreRegistry());
  if (!needed || !client) return undefined;
  return (await client.workflow(request.source.workflowId)).input_schema;
}

/** `run`: starts the job (server or in-process), shows it, and maps how it ended to the exit code. */
export async function runCommand(opts: CliOptions, io: RunIo): Promise<number> {
  let localRunner: LocalRunner | undefined;
  try {
    return await runWith(opts, io, (runner) => (localRunner = runner));
  } finally {
    await localRunner?.close();
  }
}

async function runWith(opts: CliOptions, io: RunIo, started: (runner: LocalRunner) => void): Promise<number> {
  const { streams } = io;
  let handle: RunHandle;
  let renderer: Renderer;
  let localRunner: LocalRunner | undefined;
  try {
    const request = await resolveRequest(opts, io);
    const client = opts.local ? undefined : new EdgeClient(opts.url, opts.token);
    const schema = await inputSchemaFor(request, client, opts.param.length > 0);
    const params = buildParams(opts, request.params, schema);
    // --local with GPU nodes and no runner configured (GPU_RUNNER_URLS unset; set it empty to run without one):
    // a gpu-runner in this process, for this run.
    let env = process.env;
    if (opts.local && request.source.kind === "graph" && process.env.GPU_RUNNER_URLS === undefined) {
      const { needsRunner, startLocalRunner } = await import("./local-runner");
      if (needsRunner(request.source.graph)) {
        localRunner = await startLocalRunner(process.env);
        started(localRunner);
        env = { ...process.env, GPU_RUNNER_URLS: localRunner.url, GPU_RUNNER_TOKEN: localRunner.token };
      }
    }
    // Loaded only for --local: the provider layer and the memory blob store are of no use to a server run.
    const local = opts.local ? (await import("./local-services")).localServices(env) : undefined;
    const fetcher: Fetcher = client
      ? (url) => client.fetchBytes(url)
      : async (url) => (url.startsWith("asset://") ? local!.readAsset(url) : new Uint8Array(await (await fetch(url)).arrayBuffer()));
    renderer = opts.jsonl ? new JsonlRenderer(streams) : new HumanRenderer(streams, { outDir: opts.outDir, fetcher });
    const source = request.source;
    const label = source.kind === "saved" ? `workflow ${source.workflowId}` : `${source.name} (${source.origin})`;
    const r = renderer;
    const callbacks = { onStart: (jobId: string) => r.started(jobId, label), onMessage: (m: Parameters<Renderer["message"]>[0]) => r.message(m) };
    if (opts.local) {
      if (source.kind !== "graph") throw new UsageError("--local runs a workflow file or a bundled example");
      handle = runLocally(source.graph, params, callbacks, local!.services);
    } else {
      handle = runOverSocket(client!, source.kind === "saved" ? { workflowId: source.workflowId, params } : { graph: source.graph, params }, callbacks);
    }
  } catch (err) {
    return reportError(err, streams);
  }

  let interrupted = false;
  let forceExit: (code: number) => void = () => {};
  const forced = new Promise<number>((resolve) => (forceExit = resolve));
  const removeHandler = io.onInterrupt(() => {
    if (interrupted) {
      // A second Ctrl-C: stop waiting.
      forceExit(EXIT.interrupted);
      return;
    }
    interrupted = true;
    renderer.interrupted();
    handle.cancel().then(
      () => setTimeout(() => forceExit(EXIT.interrupted), CANCEL_GRACE_MS).unref(),
      (err) => {
        reportError(err instanceof APIError ? err : new Error(`could not cancel the job: ${(err as Error).message}`), streams);
        forceExit(EXIT.interrupted);
      },
    );
  });

  try {
    const ended = await Promise.race([handle.done, forced]);
    if (typeof ended === "number") {
      streams.err.write("Gave up waiting for the job to stop.\n");
      return ended;
    }
    const outcome: Outcome = ended;
    await renderer.finish(outcome);
    if (outcome.status === "completed") return EXIT.ok;
    return interrupted ? EXIT.interrupted : EXIT.failed;
  } catch (err) {
    const code = reportError(err, streams);
    return interrupted ? EXIT.interrupted : code;
  } finally {
    removeHandler();
  }
}

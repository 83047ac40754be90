import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRunnerProcess } from "../runner/helpers/runner";
import { scratchDir } from "../fixtures/scratch";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

// Black-box tests of the `nodetool-edge` command: the real binary (package.json `bin`) spawned with plain
// Node, against a real local Worker or in-process with --local.

const ROOT = path.resolve(__dirname, "../..");
const BIN = path.join(ROOT, (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> }).bin["nodetool-edge"]);
const TOKEN = "cli-test-token";

type Msg = Record<string, unknown> & { type: string };

interface Spawned {
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout matches. */
  waitForStdout(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
}

function spawnCli(args: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NODETOOL_EDGE_URL: edge.url, NODETOOL_EDGE_TOKEN: TOKEN, ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString("utf8");
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(out)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
  child.stdin.end(opts.stdin ?? "");
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    stdout: () => out,
    stderr: () => err,
    waitForStdout: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(out)) return resolve();
        waiters.push({ pattern, resolve });
        void exited.then(() => reject(new Error(`exited before stdout matched ${pattern}:\n${out}\n${err}`)));
      }),
    exited,
    signal: (sig) => child.kill(sig),
  };
}

async function cli(args: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}) {
  const run = spawnCli(args, opts);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

const jsonLines = (text: string): Msg[] =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Msg);

async function api(method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(`${edge.url}${p}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const example = (name: string) => JSON.parse(readFileSync(path.join(ROOT, "examples", `${name}.json`), "utf8")) as { graph: unknown; name: string; tags: string[] };

const tickerGraph = (count: number, interval_ms: number) => ({
  name: "ticker",
  graph: {
    nodes: [
      { id: "tick", type: "edge.diagnostics.Ticker", data: { count, interval_ms } },
      { id: "out", type: "nodetool.output.Output", data: { name: "ticks" } },
    ],
    edges: [{ id: "e", source: "tick", sourceHandle: "output", target: "out", targetHandle: "value" }],
  },
});

/** 7 / 0 fails in lib.math.Divide. */
const failingGraph = {
  name: "divide by zero",
  graph: {
    nodes: [
      { id: "a", type: "nodetool.constant.Integer", data: { value: 7 } },
      { id: "div", type: "lib.math.Divide", data: { b: 0 } },
      { id: "out", type: "nodetool.output.Output", data: { name: "quotient" } },
    ],
    edges: [
      { id: "e1", source: "a", sourceHandle: "output", target: "div", targetHandle: "a" },
      { id: "e2", source: "div", sourceHandle: "output", target: "out", targetHandle: "value" },
    ],
  },
};

const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const imageGraph = {
  name: "one pixel",
  graph: {
    nodes: [
      { id: "img", type: "nodetool.constant.Image", data: { value: { type: "image", uri: `data:image/png;base64,${PIXEL}` } } },
      { id: "out", type: "nodetool.output.ImageOutput", data: { name: "picture" } },
    ],
    edges: [{ id: "e", source: "img", sourceHandle: "output", target: "out", targetHandle: "value" }],
  },
};

/**
 * A loopback chat provider (OpenAI's streaming Chat Completions) for the LLM example: it answers
 * "Blurb about: <the user's prompt>" in two chunks, so local and server runs can be compared exactly.
 */
function startFakeChatProvider(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      const request = JSON.parse(body || "{}") as { model?: string; messages?: { role: string; content: unknown }[] };
      const user = [...(request.messages ?? [])].reverse().find((m) => m.role === "user");
      const text = `Blurb about: ${typeof user?.content === "string" ? user.content : ""}`;
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: request.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(chunk({ content: text.slice(0, 10) }, null) + chunk({ content: text.slice(10) }, null) + chunk({}, "stop") + "data: [DONE]\n\n");
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let edge: LocalEdge;
let dir: string;
let chat: Server;
/** The chat settings both the Worker and --local runs get. */
let chatEnv: Record<string, string>;

function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
}

beforeAll(async () => {
  chat = await startFakeChatProvider();
  chatEnv = { CHAT_PROVIDERS: `fake=http://127.0.0.1:${(chat.address() as AddressInfo).port}/v1`, CHAT_DEFAULT_MODEL: "fake:echo" };
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN, ...chatEnv });
  dir = scratchDir("cli-");
  expect((await api("PUT", "/api/workflows/hello", example("hello-world"))).status).toBe(201);
  expect((await api("PUT", "/api/workflows/grade", example("grade-score"))).status).toBe(201);
});

afterAll(async () => {
  await edge?.stop();
  await new Promise((resolve) => chat?.close(resolve));
});

describe("nodetool-edge run against a server", () => {
  it("runs a saved workflow with a human display: a line per node event, then the outputs", async () => {
    const { code, stdout, stderr } = await cli(["run", "hello", "--param", "name=Ada"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Running workflow hello \(job cli-[0-9a-f-]+\)$/m);
    expect(stdout).toContain("[running] Format Text");
    expect(stdout).toContain("[done] Format Text");
    expect(stdout).toContain("Outputs:\n  greeting: Hello, Ada! You have 3 letters in your name.\n  loud: HELLO, ADA! YOU HAVE 3 LETTERS IN YOUR NAME.\n");
    expect(stdout).toMatch(/^Completed in [\d.]+ s \(job cli-/m);
    // Not a terminal: no cursor movement.
    expect(stdout).not.toContain("\x1b[");
  });

  it("draws progress as plain lines when stdout is not a terminal, about one per 10 %", async () => {
    const { code, stdout } = await cli(["run", file("ticks.json", tickerGraph(40, 1))]);
    expect(code).toBe(0);
    const progress = stdout.split("\n").filter((l) => l.startsWith("[progress] Ticker"));
    expect(progress[0]).toBe("[progress] Ticker [#-----------------------] 1/40 (2%)");
    expect(progress[progress.length - 1]).toBe("[progress] Ticker [########################] 40/40 (100%)");
    expect(progress.length).toBe(11);
    expect(stdout).toContain("  ticks: 40\n");
  });

  it("prints every message as one JSON line with --jsonl, the same run the API gives", async () => {
    const { code, stdout, stderr } = await cli(["run", "grade", "--jsonl", "--params", '{"score": 42}', "--param", "pass mark=40"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const messages = jsonLines(stdout);
    const jobId = messages[0].job_id as string;
    expect(messages.every((m) => m.job_id === jobId && m.workflow_id === "grade")).toBe(true);
    expect(messages.map((m) => m.job_seq)).toEqual(messages.map((_, i) => i + 1));
    expect(messages.map((m) => m.type)).toEqual(expect.arrayContaining(["job_update", "node_update", "output_update", "edge_update"]));
    const last = messages[messages.length - 1];
    expect(last).toMatchObject({ type: "job_update", status: "completed", result: { passed: true, summary: "42 points (pass mark 40): PASS" } });
    // The server's own record and a plain API run agree.
    const job = (await (await api("GET", `/api/jobs/${jobId}`)).json()) as { status: string; result: unknown; params: unknown };
    expect(job).toMatchObject({ status: "completed", result: last.result, params: { score: 42, "pass mark": 40 } });
    const viaApi = await (await api("POST", "/api/workflows/grade/run", { params: { score: 42, "pass mark": 40 } })).json();
    expect(viaApi).toEqual(last.result);
  });

  it("runs a workflow file as an unsaved graph, without saving it", async () => {
    const before = ((await (await api("GET", "/api/workflows")).json()) as { workflows: unknown[] }).workflows.length;
    const { code, stdout } = await cli(["run", path.join(ROOT, "examples", "shopping-list.json"), "--param", "items=kiwi, fig, kiwi", "--jsonl"]);
    expect(code).toBe(0);
    const last = jsonLines(stdout).pop()!;
    expect(last).toMatchObject({ status: "completed", workflow_id: null, result: { sorted: ["fig", "kiwi"], count: 2, numbered: "1. fig\n2. kiwi" } });
    const after = ((await (await api("GET", "/api/workflows")).json()) as { workflows: unknown[] }).workflows.length;
    expect(after).toBe(before);
  });

  it("reads {workflow_id, params} or {graph, params} from stdin with --stdin", async () => {
    const saved = await cli(["run", "--stdin", "--jsonl"], { stdin: JSON.stringify({ workflow_id: "hello", params: { name: "Lin" } }) });
    expect(saved.code).toBe(0);
    expect(jsonLines(saved.stdout).pop()).toMatchObject({ status: "completed", result: { greeting: "Hello, Lin! You have 3 letters in your name." } });

    const graph = await cli(["run", "--stdin"], { stdin: JSON.stringify({ graph: example("temperature").graph, params: { celsius: 100 } }) });
    expect(graph.code).toBe(0);
    expect(graph.stdout).toContain("  fahrenheit: 212\n  feel: warm\n");

    // Flags win over stdin.
    const both = await cli(["run", "--stdin", "--jsonl", "--param", "name=Flag"], { stdin: JSON.stringify({ workflow_id: "hello", params: { name: "Stdin" } }) });
    expect(jsonLines(both.stdout).pop()!.result).toMatchObject({ greeting: expect.stringContaining("Hello, Flag!") });

    const bad = await cli(["run", "--stdin"], { stdin: '{"params": {}}' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/workflow_id.*graph/);
    const garbage = await cli(["run", "--stdin"], { stdin: "not json" });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain("standard input is not valid JSON");
  });

  it("exits 1 with the node's error on stderr when a node fails", async () => {
    const { code, stdout, stderr } = await cli(["run", file("fails.json", failingGraph)]);
    expect(code).toBe(1);
    expect(stdout).toContain("[error] Divide: Divide: division by zero (7 / 0)");
    expect(stderr).toMatch(/^Job (cli-[0-9a-f-]+) failed in [\d.]+ s: Divide \(node div\) failed: Divide: division by zero \(7 \/ 0\)$/m);
    const jobId = /^Job (cli-[0-9a-f-]+) failed/m.exec(stderr)![1];
    expect(((await (await api("GET", `/api/jobs/${jobId}`)).json()) as { status: string }).status).toBe("failed");

    const template = {
      name: "bad template",
      graph: {
        nodes: [
          { id: "t", type: "nodetool.text.FormatText", data: { template: "{{ 'x' | no_such_filter }}" } },
          { id: "o", type: "nodetool.output.Output", data: { name: "o" } },
        ],
        edges: [{ id: "e", source: "t", sourceHandle: "output", target: "o", targetHandle: "value" }],
      },
    };
    const jsonl = await cli(["run", file("template.json", template), "--jsonl"]);
    expect(jsonl.code).toBe(1);
    expect(jsonLines(jsonl.stdout).pop()).toMatchObject({ type: "job_update", status: "failed", error: expect.stringContaining("no_such_filter") });
    expect(jsonl.stderr).toContain("failed");
  });

  it("cancels the job on the server on Ctrl-C, then exits 130", async () => {
    for (const mode of [[], ["--jsonl"]]) {
      const run = spawnCli(["run", file("long.json", tickerGraph(200, 20)), ...mode]);
      await run.waitForStdout(mode.length === 0 ? /^\[progress\] /m : /"type":"node_progress"/);
      run.signal("SIGINT");
      expect(await run.exited).toBe(130);
      const jobId = (/job (cli-[0-9a-f-]+)/.exec(run.stdout()) ?? /"job_id":"(cli-[^"]+)"/.exec(run.stdout()))![1];
      const job = (await (await api("GET", `/api/jobs/${jobId}`)).json()) as { status: string; result: unknown };
      expect(job.status).toBe("cancelled");
      expect(run.stderr()).toContain("cancelling the job");
      expect(run.stderr()).toMatch(/cancelled/);
      if (mode.length > 0) expect(jsonLines(run.stdout()).pop()).toMatchObject({ type: "job_update", status: "cancelled" });
    }
  });

  it("saves media outputs to files and prints their paths", async () => {
    const out = path.join(dir, "media");
    const first = await cli(["run", file("image.json", imageGraph), "--out-dir", out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ {2}picture: image saved to .*picture\.png \(70 B\)$/m);
    expect(readFileSync(path.join(out, "picture.png"))).toEqual(Buffer.from(PIXEL, "base64"));
    // A second run does not overwrite the first file.
    await cli(["run", "--local", path.join(dir, "image.json"), "--out-dir", out]);
    expect(readdirSync(out).sort()).toEqual(["picture-2.png", "picture.png"]);
    // --jsonl leaves media inline.
    const jsonl = await cli(["run", path.join(dir, "image.json"), "--jsonl", "--out-dir", path.join(dir, "unused")]);
    expect(jsonLines(jsonl.stdout).pop()!.result).toEqual({ picture: expect.objectContaining({ type: "image", uri: `data:image/png;base64,${PIXEL}` }) });
    expect(existsSync(path.join(dir, "unused"))).toBe(false);
  });

  it("rejects bad params, unknown workflows, bad tokens and an unreachable server with exit 2", async () => {
    const range = await cli(["run", "grade", "--param", "score=101"]);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain("input 'score' must be between 0 and 100, got 101");
    const notNumber = await cli(["run", "grade", "--param", "score=lots"]);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain("--param score: 'lots' is not a number");
    // An unknown input is not an error: the run goes on without it and warns, as NodeTool's runner does.
    const unknownInput = await cli(["run", "hello", "--params", '{"nom": "x"}']);
    expect(unknownInput.code).toBe(0);
    expect(unknownInput.stdout + unknownInput.stderr).toContain("unknown input 'nom'");

    const missing = await cli(["run", "no-such-workflow"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Workflow 'no-such-workflow' not found");

    for (const env of [{ NODETOOL_EDGE_TOKEN: "wrong" }, { NODETOOL_EDGE_TOKEN: "" }]) {
      const denied = await cli(["run", "hello"], { env });
      expect(denied.code).toBe(2);
      expect(denied.stderr).toMatch(/401 unauthorized/);
    }
    // --token wins over the environment.
    expect((await cli(["run", "hello", "--token", TOKEN], { env: { NODETOOL_EDGE_TOKEN: "wrong" } })).code).toBe(0);

    const nowhere = await cli(["run", "hello", "--url", "http://127.0.0.1:9"]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain("cannot reach http://127.0.0.1:9");

    const invalid = await cli(["run", file("invalid.json", { graph: { nodes: [{ id: "x", type: "nodetool.nope.Nope" }], edges: [] } })]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("unknown node type 'nodetool.nope.Nope'");

    const usage = await cli(["run"]);
    expect(usage.code).toBe(2);
    const unknownFlag = await cli(["run", "hello", "--bogus"]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("--bogus");
  });
});

describe("nodetool-edge run --local", () => {
  it("runs a file in-process, without any server", async () => {
    const { code, stdout } = await cli(["run", "--local", path.join(ROOT, "examples", "hello-world.json"), "--param", "name=Kay"], {
      env: { NODETOOL_EDGE_URL: "http://127.0.0.1:9" },
    });
    expect(code).toBe(0);
    expect(stdout).toContain("  greeting: Hello, Kay! You have 3 letters in your name.\n");
    expect(stdout).toMatch(/\(job local-[0-9a-f-]+\)/);
  });

  it("gives the same messages' shape and the same results as the server for every shipped example", async () => {
    const names = readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
    // Every file is embedded in the Worker and listed.
    const listed = ((await (await api("GET", "/api/examples/list")).json()) as { examples: { name: string }[] }).examples.map((e) => e.name);
    expect([...listed].sort()).toEqual([...names].sort());
    for (const name of names) {
      const loaded = (await (await api("GET", `/api/examples/load?name=${name}`)).json()) as { graph: unknown };
      expect(loaded.graph, name).toEqual(example(name).graph);
      const args = name === "countdown" ? ["--param", "ticks=5", "--param", "interval ms=0"] : [];
      if (example(name).tags.includes("ml")) {
        // ML examples need a gpu-runner, which neither side has here (a run with one is tested below).
        const local = await cli(["run", "--local", name], { env: { ...chatEnv, GPU_RUNNER_URLS: "" } });
        expect(local.code, name).toBe(1);
        expect(local.stderr, name).toMatch(/no gpu-runner available/);
        continue;
      }
      const local = await cli(["run", "--local", name, "--jsonl", ...args], { env: chatEnv });
      expect(local.code, `${name}: ${local.stderr}`).toBe(0);
      const remote = await cli(["run", path.join(ROOT, "examples", `${name}.json`), "--jsonl", ...args]);
      expect(remote.code, `${name}: ${remote.stderr}`).toBe(0);
      const [l, r] = [jsonLines(local.stdout), jsonLines(remote.stdout)];
      expect(l.pop()!.result, name).toEqual(r.pop()!.result);
      expect(l.map((m) => m.job_seq)).toEqual(l.map((_, i) => i + 1));
    }
  });

  it("runs the speech example in-process on the gpu-runner GPU_RUNNER_URLS names", async () => {
    const runner = await startRunnerProcess({ GPU_RUNNER_WORKERS: "1" });
    try {
      const wav = readFileSync(path.join(ROOT, "test", "fixtures", "speech.wav"));
      const audio = JSON.stringify({ type: "audio", uri: `data:audio/wav;base64,${wav.toString("base64")}` });
      const run = await cli(["run", "--local", "detect-speech", "--jsonl", "--param", `audio=${audio}`], {
        env: { GPU_RUNNER_URLS: runner.url, GPU_RUNNER_TOKEN: runner.token },
      });
      expect(run.code, run.stderr).toBe(0);
      const result = jsonLines(run.stdout).pop()!.result as { segments: { start: number; end: number }[]; speech_seconds: number };
      // The fixture is 2.2 s of espeak-ng speech: found, and inside the file.
      expect(result.segments.length).toBeGreaterThan(0);
      expect(result.speech_seconds).toBeGreaterThan(1);
      expect(result.segments.at(-1)!.end).toBeLessThanOrEqual(2.3);
    } finally {
      await runner.kill("SIGKILL");
    }
  });

  it("runs the LLM example in-process with the chat provider the environment configures, or fails saying what is missing", async () => {
    const ok = await cli(["run", "--local", "llm-blurb", "--param", "product=a kettle"], { env: chatEnv });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("  blurb: Blurb about: Write a two-sentence product blurb for a kettle, aimed at city commuters.\n");
    expect(ok.stdout).toContain("  word_count: 14\n");
    const none = await cli(["run", "--local", "llm-blurb"], { env: { CHAT_PROVIDERS: "", CHAT_DEFAULT_MODEL: "", OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "" } });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No chat provider is configured/);
  });

  it("cancels an in-process run on Ctrl-C and exits 130", async () => {
    const run = spawnCli(["run", "--local", file("long-local.json", tickerGraph(200, 20))]);
    await run.waitForStdout(/^\[progress\] /m);
    run.signal("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(/cancelled in [\d.]+ s: Cancelled with Ctrl-C/);
  });

  it("exits 1 when a node fails in-process", async () => {
    const { code, stderr } = await cli(["run", "--local", file("fails-local.json", failingGraph)]);
    expect(code).toBe(1);
    expect(stderr).toContain("division by zero (7 / 0)");
  });

  it("refuses a workflow id, which only a server has", async () => {
    const { code, stderr } = await cli(["run", "--local", "hello"]);
    expect(code).toBe(2);
    expect(stderr).toContain("'hello' is neither");
  });
});

describe("nodetool-edge list and validate", () => {
  it("lists the caller's workflows, as a table or as JSON lines", async () => {
    const table = await cli(["list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+INPUTS$/m);
    expect(table.stdout).toMatch(/^hello\s+Hello, world\s+name$/m);
    expect(table.stdout).toMatch(/^grade\s+Grade a score\s+score, pass mark$/m);
    const lines = await cli(["list", "--jsonl"]);
    const ids = jsonLines(lines.stdout).map((w) => w.id);
    expect(ids).toEqual(expect.arrayContaining(["hello", "grade"]));
    const denied = await cli(["list", "--token", "nope"]);
    expect(denied.code).toBe(2);
  });

  it("validates a file locally: exit 0 with its inputs and outputs, or exit 1 listing every problem", async () => {
    const ok = await cli(["validate", path.join(ROOT, "examples", "grade-score.json")], { env: { NODETOOL_EDGE_URL: "http://127.0.0.1:9" } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("valid (7 nodes, 8 edges)");
    expect(ok.stdout).toContain("score (integer, default 72)");
    expect(ok.stdout).toContain("outputs: passed, summary");

    const broken = file("broken.json", {
      graph: {
        nodes: [
          { id: "ghost", type: "nodetool.text.Nope" },
          { id: "a", type: "nodetool.input.IntegerInput", data: { name: "x" } },
          { id: "b", type: "nodetool.input.IntegerInput", data: { name: "x" } },
          { id: "all", type: "nodetool.boolean.All" },
        ],
        edges: [{ id: "e", source: "a", sourceHandle: "output", target: "all", targetHandle: "values" }],
      },
    });
    const bad = await cli(["validate", broken]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("broken.json: 3 problems");
    expect(bad.stderr).toContain("node ghost (nodetool.text.Nope): unknown node type 'nodetool.text.Nope'");
    expect(bad.stderr).toContain("type mismatch");
    expect(bad.stderr).toContain("node b (nodetool.input.IntegerInput) 'name': input name 'x' is also used by node 'a'");
    const jsonl = await cli(["validate", broken, "--jsonl"]);
    expect(jsonl.code).toBe(1);
    expect(jsonLines(jsonl.stdout).map((i) => i.node_id)).toEqual(["ghost", "all", "b"]);

    const params = await cli(["validate", path.join(ROOT, "examples", "grade-score.json"), "--param", "score=500"]);
    expect(params.code).toBe(1);
    expect(params.stderr).toContain("must be between 0 and 100, got 500");
    const unreadable = await cli(["validate", path.join(dir, "missing.json")]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain("ENOENT");
  });
});

import { SandboxLimitError, type CodeSandbox, type JavaScriptResult } from "../code/sandbox";
import { hasStatement, variableInputs, withImplicitReturn } from "../code/script";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl, Outputs, PropertyDecl } from "../registry/types";
import { isRecord, toInt, toText } from "../values/coerce";

// NodeTool: packages/base-nodes/src/nodes/code.ts (the 18 Execute*/Run* nodes) and code-node.ts (Code).
// The JavaScript ones run in the host's QuickJS sandbox (engine/code); the others need a Python, Ruby, Lua or
// shell process or Docker, which this server does not have, so validation refuses them when a workflow is saved.

/** NodeTool's Docker runners stop code after 10 s unless told otherwise. */
const SCRIPT_TIMEOUT_MS = 10_000;
const STD_OUTPUTS = [out("stdout", "str"), out("stderr", "str")];
const MODE = prop("execution_mode", "enum", "docker", { values: ["docker", "subprocess"], description: "Execution mode: 'docker' or 'subprocess'" });
const STDIN = prop("stdin", "str", "", { description: "String to write to process stdin before any streaming input. Use newlines to separate lines." });
const BASH_IMAGES = ["bash:5.2", "debian:12", "ubuntu:22.04", "ubuntu:24.04", "jupyter/scipy-notebook:latest"];
const SHELL_IMAGES = ["bash:5.2", "alpine:3", "ubuntu:22.04", "ubuntu:24.04"];
const PYTHON_IMAGES = ["python:3.11-slim", "jupyter/scipy-notebook:latest"];
const LUA_EXECUTABLE = prop("executable", "enum", "lua", { values: ["lua", "luajit"], description: "Lua executable to use" });
const LUA_TIMEOUT = prop("timeout_seconds", "int", 10, { description: "Max seconds to allow execution before forced stop" });

function image(values: string[], defaultValue: string): PropertyDecl {
  return prop("image", "enum", defaultValue, { values, description: "Docker image to use for execution" });
}

function sandboxOf(ctx: NodeContext): CodeSandbox {
  const sandbox = ctx.services.code;
  if (!sandbox) throw new Error("this server offers no JavaScript sandbox");
  return sandbox;
}

function limitError(err: unknown): never {
  if (err instanceof SandboxLimitError) throw new Error(err.message);
  throw err;
}

/** NodeTool's result map of a finished process: the captured streams, the exit code, and `output`/`success`. */
function processOutputs(r: JavaScriptResult): Outputs {
  return { stdout: r.stdout, stderr: r.stderr, exit_code: r.exitCode, output: r.stdout, success: r.exitCode === 0 };
}

/**
 * Runs a script like `node -e`: dynamic inputs are declared first as `const name = <JSON>;`, the way
 * NodeTool's JavaScript runner prepends them; console and process output are captured.
 */
async function runScript(source: string, inputs: Inputs, own: readonly string[], ctx: NodeContext): Promise<Outputs> {
  const vars = variableInputs(inputs, own);
  const header = Object.entries(vars)
    .map(([k, v]) => `const ${k} = ${JSON.stringify(v)};\n`)
    .join("");
  try {
    const result = await sandboxOf(ctx).runJavaScript({ mode: "script", code: header + source, stdin: toText(inputs.stdin ?? "") }, { timeoutMs: SCRIPT_TIMEOUT_MS }, ctx.signal);
    return processOutputs(result);
  } catch (err) {
    limitError(err);
  }
}

const executeJavaScript = defineNode({
  type: "nodetool.code.ExecuteJavaScript",
  title: "Execute Java Script",
  description:
    "Executes JavaScript code in a sandbox (QuickJS in WebAssembly: no network, files or Node modules; console, process.stdout/stderr/stdin/exit and timers work).\n    javascript, nodejs, code, execute",
  properties: [
    prop("code", "str", "", { description: "JavaScript code to execute. Dynamic inputs are provided as local vars. Stdout lines are emitted on 'stdout'; stderr lines on 'stderr'." }),
    image(["node:22-alpine"], "node:22-alpine"),
    MODE,
    STDIN,
  ],
  outputs: STD_OUTPUTS,
  isDynamic: true,
  process: (inputs, ctx) => {
    const code = toText(inputs.code ?? "");
    if (code.trim() === "") throw new Error("Code is required");
    return runScript(code, inputs, ["code", "image", "execution_mode", "stdin"], ctx);
  },
});

function runJavaScriptCommand(type: string, docker: boolean): NodeDecl {
  return defineNode({
    type,
    description: `Executes a single JavaScript command in a sandbox (QuickJS in WebAssembly${docker ? "; the image is not used" : ""}) and buffers the output.\n    javascript, nodejs, code, execute, command${docker ? ", docker" : ""}`,
    properties: [prop("command", "str", "", { description: "JavaScript command to execute" }), ...(docker ? [image(["node:22-alpine"], "node:22-alpine")] : [])],
    outputs: STD_OUTPUTS,
    isDynamic: true,
    process: (inputs, ctx) => {
      const command = toText(inputs.command ?? "");
      // NodeTool: an empty command is a successful no-op.
      if (command.trim() === "") return { stdout: "", stderr: "", exit_code: 0, output: "", success: true };
      return runScript(command, inputs, ["command", "image"], ctx);
    },
  });
}

/** Persistent `state` of Code nodes, per run and node (NodeTool keeps it on the node instance for one run). */
const codeState = new WeakMap<AbortSignal, Map<string, Record<string, unknown>>>();

/** NodeTool's normalizeOutput: a plain object's keys are the output handles; anything else is `output`. */
function asOutputs(value: unknown): Outputs {
  if (value === null || value === undefined) return {};
  if (isRecord(value)) return value;
  return { output: value };
}

const code = defineNode({
  type: "nodetool.code.Code",
  title: "Code",
  description:
    "Execute JavaScript in a sandbox (QuickJS in WebAssembly). Dynamic inputs become global variables; return an object to define outputs; `yield` emits several. " +
    "sleep() and uuid() work; fetch(), workspace and getSecret() are not available on this server.\n    code, javascript, function, script, dynamic",
  properties: [
    prop("code", "str", "return {};", { description: "JavaScript code to execute. Dynamic inputs are available as variables. A persistent `state` object survives across invocations in a run. Return an object: its keys become output handles." }),
    prop("timeout", "int", 30, { description: "Max seconds before execution is aborted (0 = the server's limit)." }),
  ],
  outputs: [],
  isDynamic: true,
  gen: async function* (inputs, ctx) {
    const source = toText(inputs.code ?? "return {};");
    const seconds = toInt(inputs.timeout ?? 30, "Code: timeout");
    const generator = hasStatement(source, "yield");
    let states = codeState.get(ctx.signal);
    if (!states) codeState.set(ctx.signal, (states = new Map()));
    let result: JavaScriptResult;
    try {
      result = await sandboxOf(ctx).runJavaScript(
        {
          mode: "function",
          generator,
          code: generator ? source : withImplicitReturn(source),
          globals: variableInputs(inputs, ["code", "timeout", "state"]),
          state: states.get(ctx.nodeId) ?? {},
        },
        { timeoutMs: seconds > 0 ? seconds * 1000 : Number.POSITIVE_INFINITY },
        ctx.signal,
      );
    } catch (err) {
      limitError(err);
    }
    for (const text of [result.stdout, result.stderr]) {
      for (const line of text.split("\n")) if (line !== "") ctx.log(line, text === result.stderr ? "warning" : "info");
    }
    if (result.error !== undefined) throw new Error(result.error);
    if (isRecord(result.state)) states.set(ctx.nodeId, result.state);
    if (!generator) {
      yield asOutputs(result.value);
      return;
    }
    for (const item of Array.isArray(result.value) ? result.value : []) {
      if (item !== null && item !== undefined) yield asOutputs(item);
    }
  },
});

function unsupported(type: string, what: string, properties: PropertyDecl[]): NodeDecl {
  const reason = `not supported on this server (it runs ${what}; only JavaScript code runs here, in a sandbox)`;
  return defineNode({
    type,
    description: `Not available on this server: runs ${what}.`,
    properties,
    outputs: STD_OUTPUTS,
    isDynamic: true,
    unsupported: reason,
    process: () => {
      throw new Error(`${type}: ${reason}`);
    },
  });
}

const CODE = prop("code", "str", "");
const COMMAND = prop("command", "str", "");

export const codeNodes: readonly NodeDecl[] = [
  executeJavaScript,
  runJavaScriptCommand("nodetool.code.RunJavaScriptCommand", false),
  runJavaScriptCommand("nodetool.code.RunJavaScriptCommandDocker", true),
  code,
  unsupported("nodetool.code.ExecutePython", "Python in Docker or a subprocess", [CODE, image(PYTHON_IMAGES, "python:3.11-slim"), MODE, STDIN]),
  unsupported("nodetool.code.ExecuteBash", "Bash in Docker or a subprocess", [CODE, image(BASH_IMAGES, "ubuntu:22.04"), MODE, STDIN]),
  unsupported("nodetool.code.ExecuteRuby", "Ruby in Docker or a subprocess", [CODE, image(["ruby:3.3-alpine"], "ruby:3.3-alpine"), MODE, STDIN]),
  unsupported("nodetool.code.ExecuteLua", "Lua in a subprocess or Docker", [CODE, LUA_EXECUTABLE, { ...MODE, default: "subprocess" }, LUA_TIMEOUT, STDIN]),
  unsupported("nodetool.code.ExecuteCommand", "shell commands in Docker or a subprocess", [COMMAND, image(SHELL_IMAGES, "bash:5.2"), MODE, STDIN]),
  unsupported("nodetool.code.RunPythonCommand", "Python in a subprocess", [COMMAND]),
  unsupported("nodetool.code.RunBashCommand", "Bash in a subprocess", [COMMAND]),
  unsupported("nodetool.code.RunRubyCommand", "Ruby in a subprocess", [COMMAND]),
  unsupported("nodetool.code.RunLuaCommand", "Lua in a subprocess", [COMMAND, LUA_EXECUTABLE, LUA_TIMEOUT]),
  unsupported("nodetool.code.RunShellCommand", "shell commands in a subprocess", [COMMAND]),
  unsupported("nodetool.code.RunPythonCommandDocker", "Python in Docker", [COMMAND, image(PYTHON_IMAGES, "python:3.11-slim")]),
  unsupported("nodetool.code.RunBashCommandDocker", "Bash in Docker", [COMMAND, image(BASH_IMAGES, "ubuntu:22.04")]),
  unsupported("nodetool.code.RunRubyCommandDocker", "Ruby in Docker", [COMMAND, image(["ruby:3.3-alpine"], "ruby:3.3-alpine")]),
  unsupported("nodetool.code.RunLuaCommandDocker", "Lua in Docker", [COMMAND, image(["nickblah/lua:5.2.4-luarocks-ubuntu"], "nickblah/lua:5.2.4-luarocks-ubuntu"), LUA_TIMEOUT]),
  unsupported("nodetool.code.RunShellCommandDocker", "shell commands in Docker", [COMMAND, image(SHELL_IMAGES, "bash:5.2")]),
];

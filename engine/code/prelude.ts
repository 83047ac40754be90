/**
 * JavaScript evaluated inside the sandbox before user code: the small part of Node's surface that scripts
 * commonly touch (console, process.stdout/stderr/stdin/exit, timers, require("fs").readFileSync(0)), built
 * on two host functions that only move text out: `__nt_write(fd, text)` and `__nt_exit(code)`. They are
 * removed from the global object once captured.
 *
 * Timers run on virtual time: after the code and its promise jobs, the host fires the earliest timer,
 * then the next, until none is left; nothing really waits, so `setTimeout(f, 1000)` costs no wall time.
 */
export const PRELUDE = String.raw`
(function () {
  "use strict";
  const write = globalThis.__nt_write;
  const hostExit = globalThis.__nt_exit;
  const stdinText = typeof globalThis.__nt_stdin === "string" ? globalThis.__nt_stdin : "";
  delete globalThis.__nt_write;
  delete globalThis.__nt_exit;
  delete globalThis.__nt_stdin;

  function inspect(v, depth, seen) {
    if (typeof v === "string") return depth === 0 ? v : JSON.stringify(v);
    if (v === undefined) return "undefined";
    if (v === null || typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v === "bigint") return String(v) + "n";
    if (typeof v === "symbol") return v.toString();
    if (typeof v === "function") return "[Function: " + (v.name || "(anonymous)") + "]";
    if (v instanceof Error) return v.stack ? v.name + ": " + v.message + "\n" + v.stack.replace(/\n$/, "") : v.name + ": " + v.message;
    if (seen.indexOf(v) >= 0) return "[Circular]";
    if (depth > 4) return Array.isArray(v) ? "[Array]" : "[Object]";
    seen = seen.concat([v]);
    if (Array.isArray(v)) return "[ " + v.map(function (x) { return inspect(x, depth + 1, seen); }).join(", ") + " ]";
    const keys = Object.keys(v);
    if (keys.length === 0) return "{}";
    return "{ " + keys.map(function (k) {
      const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
      return key + ": " + inspect(v[k], depth + 1, seen);
    }).join(", ") + " }";
  }
  function line(args) {
    return Array.prototype.map.call(args, function (a) { return inspect(a, 0, []); }).join(" ") + "\n";
  }
  const out = function () { write(1, line(arguments)); };
  const err = function () { write(2, line(arguments)); };
  globalThis.console = { log: out, info: out, debug: out, dir: out, warn: err, error: err, trace: err };

  let now = 0;
  let seq = 0;
  const timers = [];
  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("The callback must be a function");
    const delay = Math.max(0, Number(ms) || 0);
    const id = ++seq;
    timers.push({ id: id, at: now + delay, delay: delay, fn: fn, args: args, repeat: repeat });
    return id;
  }
  function clearTimer(id) {
    for (let i = 0; i < timers.length; i++) if (timers[i].id === id) { timers.splice(i, 1); return; }
  }
  globalThis.setTimeout = function (fn, ms) { return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), false); };
  globalThis.setInterval = function (fn, ms) { return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), true); };
  globalThis.setImmediate = function (fn) { return addTimer(fn, 0, Array.prototype.slice.call(arguments, 1), false); };
  globalThis.clearTimeout = clearTimer;
  globalThis.clearInterval = clearTimer;
  globalThis.clearImmediate = clearTimer;
  globalThis.queueMicrotask = function (fn) { Promise.resolve().then(function () { fn(); }); };
  // Called by the host when no promise job is left: fires the earliest timer; false when none is left.
  Object.defineProperty(globalThis, "__nt_tick", { value: function () {
    if (timers.length === 0) return false;
    let k = 0;
    for (let i = 1; i < timers.length; i++) {
      if (timers[i].at < timers[k].at || (timers[i].at === timers[k].at && timers[i].id < timers[k].id)) k = i;
    }
    const t = timers[k];
    timers.splice(k, 1);
    now = t.at;
    if (t.repeat) timers.push({ id: t.id, at: now + Math.max(1, t.delay), delay: t.delay, fn: t.fn, args: t.args, repeat: true });
    t.fn.apply(undefined, t.args);
    return true;
  } });

  const listeners = { data: [], end: [] };
  let stdinScheduled = false;
  function scheduleStdin() {
    if (stdinScheduled) return;
    stdinScheduled = true;
    addTimer(function () {
      if (stdinText !== "") listeners.data.forEach(function (f) { f(stdinText); });
      listeners.end.forEach(function (f) { f(); });
    }, 0, [], false);
  }
  const stdin = {
    on: function (event, fn) {
      if (event === "data" || event === "end") { listeners[event].push(fn); scheduleStdin(); }
      return stdin;
    },
    setEncoding: function () { return stdin; },
    resume: function () { return stdin; },
    pause: function () { return stdin; },
  };
  stdin.once = stdin.on;
  stdin.addListener = stdin.on;

  function exit(code) {
    const c = code === undefined ? (globalThis.process.exitCode || 0) : Number(code) || 0;
    hostExit(c);
    throw new Error("process.exit(" + c + ")");
  }
  globalThis.process = {
    argv: ["node", "[eval]"],
    env: {},
    platform: "quickjs",
    exitCode: undefined,
    exit: exit,
    stdout: { write: function (s) { write(1, String(s)); return true; } },
    stderr: { write: function (s) { write(2, String(s)); return true; } },
    stdin: stdin,
    nextTick: function (fn) { const a = Array.prototype.slice.call(arguments, 1); queueMicrotask(function () { fn.apply(undefined, a); }); },
    cwd: function () { return "/"; },
  };

  const fs = {
    readFileSync: function (file, options) {
      if (file === 0 || file === "/dev/stdin") return stdinText;
      throw new Error("ENOENT: this sandbox has no files ('" + String(file) + "')");
    },
  };
  globalThis.require = function (name) {
    if (name === "fs" || name === "node:fs") return fs;
    throw new Error("Cannot find module '" + String(name) + "': this sandbox has no modules");
  };
})();
`;

/** Extra globals of the nodetool.code.Code node (NodeTool: packages/base-nodes/src/nodes/code-node.ts). */
export const CODE_NODE_PRELUDE = String.raw`
(function () {
  function unavailable(name) {
    return function () { throw new Error(name + " is not available on this server: the code sandbox has no network, files or secrets"); };
  }
  globalThis.fetch = unavailable("fetch()");
  globalThis.getSecret = unavailable("getSecret()");
  globalThis.workspace = { read: unavailable("workspace.read()"), write: unavailable("workspace.write()"), list: unavailable("workspace.list()") };
  globalThis.sleep = function (ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); };
  globalThis.uuid = function () {
    const h = "0123456789abcdef";
    let s = "";
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) s += "-";
      else if (i === 14) s += "4";
      else if (i === 19) s += h[8 + Math.floor(Math.random() * 4)];
      else s += h[Math.floor(Math.random() * 16)];
    }
    return s;
  };
})();
`;

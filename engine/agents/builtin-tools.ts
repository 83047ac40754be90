/**
 * NodeTool's built-in agent tools that this server can offer, by NodeTool's names (NodeTool: packages/agents
 * src/tools/search-tools.ts, browser-tools.ts, http-tools.ts, filesystem-tools.ts), on the host services:
 * web search through `services.search`, HTTP through `services.http` (behind the host's fetch guard) and
 * files in the user's workspace through `services.workspace`. A tool whose service the host does not offer
 * is not offered to the model.
 */
import type { EngineServices, NodeContext } from "../registry/types";
import { stringArg, type AgentTool } from "./tools";
import { workflowTools } from "./workflow-tools";

const MAX_PAGE_CHARS = 20_000;
const MAX_FILE_CHARS = 100_000;
const MAX_RESULTS = 20;

const decoder = new TextDecoder();

/** Visible text of an HTML page: scripts, styles and tags removed, common entities decoded. */
export function htmlToText(html: string): { title: string; text: string } {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.trim() ?? "";
  const text = html
    .replace(/<(script|style|noscript|svg|title)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(br|p|div|li|h[1-6]|tr)\b[^>]*>/gi, "\n")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t\f\r]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
  return { title, text };
}

function cut(text: string, limit: number): { content: string; truncated: boolean } {
  return text.length > limit ? { content: text.slice(0, limit), truncated: true } : { content: text, truncated: false };
}

function numberArg(args: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const v = args[name];
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : fallback;
  if (!Number.isFinite(n)) throw new Error(`'${name}' must be a number`);
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function searchTool(name: string, engine: string, description: string, resultKey: string): (s: EngineServices) => AgentTool | undefined {
  return (services) => {
    const search = services.search;
    if (!search) return undefined;
    return {
      name,
      description,
      parameters: {
        type: "object",
        properties: {
          query: { type: "string", description: "The search query" },
          num_results: { type: "integer", description: `How many results to return (1-${MAX_RESULTS}, default 10)` },
        },
        required: ["query"],
      },
      async run(args, ctx) {
        const query = stringArg(args, "query");
        const num = numberArg(args, "num_results", 10, 1, MAX_RESULTS);
        const answer = await search.search(engine, { q: query, num }, ctx.signal);
        const list = Array.isArray(answer[resultKey]) ? (answer[resultKey] as Record<string, unknown>[]) : [];
        const results = list.slice(0, num).map((r) => ({
          title: r.title ?? null,
          link: r.link ?? r.url ?? null,
          snippet: r.snippet ?? r.description ?? null,
          ...(r.date ? { date: r.date } : {}),
          ...(r.source ? { source: r.source } : {}),
        }));
        return { query, results };
      },
    };
  };
}

function httpTools(services: EngineServices): AgentTool[] {
  const http = services.http;
  if (!http) return [];
  const browser: AgentTool = {
    name: "browser",
    description: "Open a web page and return its title and visible text.",
    parameters: { type: "object", properties: { url: { type: "string", description: "The http(s) URL to open" } }, required: ["url"] },
    async run(args, ctx) {
      const url = stringArg(args, "url");
      const res = await http.request({ url, method: "GET" }, ctx.signal);
      const body = decoder.decode(res.bytes);
      const page = /html/i.test(res.contentType) ? htmlToText(body) : { title: "", text: body };
      const { content, truncated } = cut(page.text, MAX_PAGE_CHARS);
      return { url: res.url, status: res.status, success: res.status < 400, title: page.title, content, truncated };
    },
  };
  const request: AgentTool = {
    name: "http_request",
    description: "Make an HTTP request and return the response body as text",
    parameters: {
      type: "object",
      properties: {
        url: { type: "string", description: "URL to send the request to" },
        method: { type: "string", description: "HTTP method (GET, POST, PUT, DELETE, PATCH). Defaults to GET." },
        headers: { type: "object", description: "Optional HTTP headers" },
        body: { type: "string", description: "Optional request body (for POST/PUT/PATCH)" },
      },
      required: ["url"],
    },
    async run(args, ctx) {
      const url = stringArg(args, "url");
      const method = (stringArg(args, "method", false) || "GET").toUpperCase();
      const headers: Record<string, string> = {};
      if (args.headers && typeof args.headers === "object") {
        for (const [k, v] of Object.entries(args.headers as Record<string, unknown>)) headers[k] = String(v);
      }
      const body = ["POST", "PUT", "PATCH"].includes(method) ? stringArg(args, "body", false) || undefined : undefined;
      const res = await http.request({ url, method, headers, body }, ctx.signal);
      const { content, truncated } = cut(decoder.decode(res.bytes), MAX_PAGE_CHARS);
      return { url: res.url, status_code: res.status, success: res.status < 400, content_type: res.contentType, body: content, truncated };
    },
  };
  return [browser, request];
}

function workspaceTools(services: EngineServices): AgentTool[] {
  const ws = services.workspace;
  if (!ws) return [];
  const pathProp = (what: string) => ({ type: "string", description: `Path to the ${what}, relative to the workspace` });
  const read: AgentTool = {
    name: "read_file",
    description: "Read the contents of a text file within the agent workspace. Supports reading specific line ranges. Cannot read binary files.",
    parameters: {
      type: "object",
      properties: { path: pathProp("file to read"), start_line: { type: "number", description: "Start line (1-indexed, optional)" }, end_line: { type: "number", description: "End line (1-indexed, inclusive, optional)" } },
      required: ["path"],
    },
    async run(args, ctx) {
      const path = stringArg(args, "path");
      const bytes = await ws.read(path, ctx.signal);
      if (bytes.subarray(0, 8192).includes(0)) return { success: false, path, is_binary: true, error: `The file ${path} contains binary data that cannot be processed` };
      let text = decoder.decode(bytes);
      if (args.start_line !== undefined || args.end_line !== undefined) {
        const lines = text.split("\n");
        const start = numberArg(args, "start_line", 1, 1, lines.length);
        const end = numberArg(args, "end_line", lines.length, start, lines.length);
        text = lines.slice(start - 1, end).join("\n");
      }
      const { content, truncated } = cut(text, MAX_FILE_CHARS);
      return { success: true, path, content, truncated };
    },
  };
  const write: AgentTool = {
    name: "write_file",
    description: "Write content to a file in the agent workspace, creating it if it doesn't exist.",
    parameters: {
      type: "object",
      properties: { path: pathProp("file to write"), content: { type: "string", description: "Content to write to the file" }, append: { type: "boolean", description: "Whether to append to the file instead of overwriting", default: false } },
      required: ["path", "content"],
    },
    async run(args, ctx) {
      const path = stringArg(args, "path");
      const content = stringArg(args, "content");
      const existing = args.append === true ? await ws.stat(path, ctx.signal) : null;
      const before = existing && !existing.isDirectory ? decoder.decode(await ws.read(path, ctx.signal)) : "";
      await ws.write(path, new TextEncoder().encode(before + content), "text/plain; charset=utf-8", ctx.signal);
      return { success: true, path, append: args.append === true };
    },
  };
  const list: AgentTool = {
    name: "list_directory",
    description: "List the contents (files and subdirectories) of a directory within the agent workspace.",
    parameters: {
      type: "object",
      properties: { path: pathProp("directory to list"), recursive: { type: "boolean", description: "Whether to list contents recursively (default false)" } },
      required: ["path"],
    },
    async run(args, ctx) {
      const path = stringArg(args, "path", false).replace(/^\.?\/?$/, "");
      const entries = await ws.list(path, { recursive: args.recursive === true }, ctx.signal);
      return { entries: entries.slice(0, 1000).map((e) => ({ name: e.path, size: e.size, isDirectory: e.isDirectory })) };
    },
  };
  return [read, write, list];
}

const FACTORIES: ((s: EngineServices) => AgentTool | AgentTool[] | undefined)[] = [
  searchTool("google_search", "google", "Search Google and return the top results (title, link, snippet).", "organic_results"),
  searchTool("google_news", "google_news", "Search Google News and return the top articles (title, link, snippet, date, source).", "news_results"),
  httpTools,
  workspaceTools,
];

/** Every built-in tool the host's services allow, by name. */
export function builtinTools(services: EngineServices): Map<string, AgentTool> {
  const tools = new Map<string, AgentTool>();
  for (const make of FACTORIES) {
    const made = make(services);
    for (const t of Array.isArray(made) ? made : made ? [made] : []) tools.set(t.name, t);
  }
  return tools;
}

/** NodeTool's `tool_name` values (`{type: "tool_name", name}` or bare strings) as names. */
export function toolNames(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [];
  const names: string[] = [];
  for (const v of list) {
    const name = typeof v === "string" ? v : v && typeof v === "object" ? (v as { name?: unknown }).name : undefined;
    if (typeof name === "string" && name.trim() !== "" && !names.includes(name.trim())) names.push(name.trim());
  }
  return names;
}

/** The tools a node asked for by name; names this server cannot offer are logged and left out. */
export async function resolveTools(names: readonly string[], ctx: NodeContext): Promise<AgentTool[]> {
  if (names.length === 0) return [];
  const builtin = builtinTools(ctx.services);
  const out: AgentTool[] = [];
  const workflows = names.some((n) => n.startsWith("workflow_")) ? await workflowTools(ctx) : new Map<string, AgentTool>();
  for (const name of names) {
    const tool = builtin.get(name) ?? workflows.get(name);
    if (tool) out.push(tool);
    else ctx.log(`Tool '${name}' is not available on this server (or its service is not configured); the agent runs without it`, "warning");
  }
  return out;
}

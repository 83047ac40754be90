import type { Scope } from "../../schema/accounts";

/**
 * The one table of which scope an API key needs for each route family. Rows are tried in order, the first
 * whose method and path match wins; a path no row matches needs `admin` (new routes are closed to keys until
 * they are listed here). `null`: any valid key may call it. Only keys are checked: a user's own token (the
 * static token, a Supabase JWT, local mode) holds every scope.
 */
interface ScopeRule {
  /** Methods this row covers; `*` is any. */
  methods: readonly string[] | "*";
  path: RegExp;
  scope: Scope | null;
}

const READ = ["GET", "HEAD"] as const;
const ANY = "*" as const;

export const ROUTE_SCOPES: readonly ScopeRule[] = [
  // Account: keys, webhook secrets and usage are the account owner's business.
  { methods: ANY, path: /^\/api\/keys(\/|$)/, scope: "admin" },
  { methods: ANY, path: /^\/api\/webhooks(\/|$)/, scope: "admin" },
  { methods: ANY, path: /^\/api\/usage(\/|$)/, scope: "admin" },
  { methods: READ, path: /^\/api\/health$/, scope: null },
  // Runs: starting a job, cancelling it, the WebSocket run protocol.
  { methods: ["POST"], path: /^\/api\/workflows\/[^/]+\/run$/, scope: "jobs:run" },
  { methods: ["POST"], path: /^\/workflows\/[^/]+\/run(\/stream)?$/, scope: "jobs:run" },
  { methods: ["POST"], path: /^\/api\/jobs\/[^/]+\/cancel$/, scope: "jobs:run" },
  { methods: READ, path: /^\/(ws|predict|ws\/execution)$/, scope: "jobs:run" },
  // Captured outputs and execution state of the caller's runs (edge/execution).
  { methods: READ, path: /^\/api\/execution\/(outputs|state)(\/|$)/, scope: "jobs:read" },
  { methods: ["POST", "DELETE"], path: /^\/api\/execution\/(outputs|state)(\/|$)/, scope: "jobs:run" },
  { methods: READ, path: /^\/api\/jobs(\/|$)/, scope: "jobs:read" },
  { methods: READ, path: /^\/updates$/, scope: "jobs:read" },
  // Workflows, and what only reads or checks graphs: the node catalog, examples, validate and export.
  { methods: ["POST"], path: /^\/api\/examples\/[^/]+\/copy$/, scope: "workflows:write" },
  { methods: READ, path: /^\/api\/(workflows|examples|nodes)(\/|$)/, scope: "workflows:read" },
  { methods: ["POST"], path: /^\/api\/graph\/(validate|export)$/, scope: "workflows:read" },
  { methods: ["POST", "PUT", "PATCH", "DELETE"], path: /^\/api\/workflows(\/|$)/, scope: "workflows:write" },
  // The worker surface's workflow routes, saved graphs, presets and plugins: documents like workflows.
  { methods: READ, path: /^\/workflows(\/[^/]+)?$/, scope: "workflows:read" },
  { methods: ["PUT", "DELETE"], path: /^\/workflows\/[^/]+$/, scope: "workflows:write" },
  { methods: READ, path: /^\/api\/(graph\/(load|list)|presets|plugins)(\/|$)/, scope: "workflows:read" },
  { methods: ["POST"], path: /^\/api\/(nodes|plugins)\/reload$/, scope: "workflows:read" },
  { methods: ["POST", "PUT", "DELETE"], path: /^\/api\/(graph\/save|presets)(\/|$)/, scope: "workflows:write" },
  // Custom nodes are node types made from models: listed like the catalog, changed like presets.
  { methods: READ, path: /^\/api\/custom-nodes\/?$/, scope: "workflows:read" },
  // An upload may store a model file: a storage write.
  { methods: ["POST"], path: /^\/api\/custom-nodes\/upload\/?$/, scope: "storage:write" },
  { methods: ["POST", "DELETE"], path: /^\/api\/custom-nodes(\/|$)/, scope: "workflows:write" },
  // Storage: assets, images, models, and the owner's storage admin routes.
  { methods: READ, path: /^\/(api\/(assets|images|models)|admin\/storage)(\/|$)/, scope: "storage:read" },
  { methods: ["POST", "PUT", "PATCH", "DELETE"], path: /^\/(api\/(assets|images|models)|admin\/storage)(\/|$)/, scope: "storage:write" },
  // The OpenAI-compatible proxy, and chat threads over HTTP and the /chat WebSocket.
  { methods: ANY, path: /^\/v1(\/|$)/, scope: "chat" },
  { methods: ANY, path: /^\/api\/(threads|messages)(\/|$)/, scope: "chat" },
  { methods: READ, path: /^\/chat$/, scope: "chat" },
];

/** The scope a key needs for `method path` (see ROUTE_SCOPES). */
export function requiredScope(method: string, path: string): Scope | null {
  const m = method.toUpperCase();
  for (const rule of ROUTE_SCOPES) {
    if (rule.methods !== ANY && !rule.methods.includes(m)) continue;
    if (rule.path.test(path)) return rule.scope;
  }
  return "admin";
}

/** Whether a key's scopes cover `needed`; `admin` covers everything. */
export function hasScope(scopes: readonly string[], needed: Scope | null): boolean {
  return needed === null || scopes.includes(needed) || scopes.includes("admin");
}

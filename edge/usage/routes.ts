import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { UsageQuerySchema, UsageReportSchema, type UsageTotals } from "../../schema/accounts";
import { usageRecords } from "../../schema/tables";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error } from "../openapi/responses";

const DAY_MS = 86_400_000;
const DEFAULT_SPAN_MS = 30 * DAY_MS;

const usageRoute = createRoute({
  method: "get",
  path: "/api/usage",
  tags: ["usage"],
  summary: "The caller's usage over time: jobs, node and runner seconds, chat requests and tokens, grouped by key, workflow or day",
  description:
    "`from`/`to`: ISO times or dates (a date `to` includes that whole day; default: the last 30 days). `key_id` narrows to one key. Times are UTC.",
  request: { query: UsageQuerySchema },
  responses: {
    200: { description: "Totals per group and overall", content: { "application/json": { schema: UsageReportSchema } } },
    403: error("An API key without the `admin` scope"),
    ...badRequestError,
    ...commonErrors,
  },
});

function bound(raw: string | undefined, end: boolean, fallback: number): number {
  if (raw === undefined) return fallback;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const ms = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw);
  return dateOnly && end ? ms + DAY_MS : ms;
}

const totals = {
  jobs: sql<number>`coalesce(sum(${usageRecords.jobs}), 0)`,
  node_seconds: sql<number>`coalesce(sum(${usageRecords.node_seconds}), 0)`,
  runner_seconds: sql<number>`coalesce(sum(${usageRecords.runner_seconds}), 0)`,
  chat_requests: sql<number>`coalesce(sum(${usageRecords.chat_requests}), 0)`,
  tokens_in: sql<number>`coalesce(sum(${usageRecords.tokens_in}), 0)`,
  tokens_out: sql<number>`coalesce(sum(${usageRecords.tokens_out}), 0)`,
};

function clean(t: UsageTotals): UsageTotals {
  const round = (n: number) => Math.round(Number(n) * 1000) / 1000;
  return {
    jobs: Number(t.jobs),
    node_seconds: round(t.node_seconds),
    runner_seconds: round(t.runner_seconds),
    chat_requests: Number(t.chat_requests),
    tokens_in: Number(t.tokens_in),
    tokens_out: Number(t.tokens_out),
  };
}

export function usageRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(usageRoute, async (c) => {
    const q = c.req.valid("query");
    const now = Date.now();
    const to = bound(q.to, true, now);
    const from = bound(q.from, false, to - DEFAULT_SPAN_MS);
    if (!(from < to)) throw new ApiError("invalid_request", "from must be before to");
    const where = and(
      eq(usageRecords.user_id, c.get("userId")),
      gte(usageRecords.created_at, new Date(from).toISOString()),
      lt(usageRecords.created_at, new Date(to).toISOString()),
      ...(q.key_id !== undefined ? [eq(usageRecords.key_id, q.key_id)] : []),
    );
    const column = q.group_by === "key" ? usageRecords.key_id : q.group_by === "workflow" ? usageRecords.workflow_id : usageRecords.day;
    const database = db(c.env.DB);
    const [groups, [total]] = await Promise.all([
      database.select({ key: column, ...totals }).from(usageRecords).where(where).groupBy(column).orderBy(column).limit(10_000),
      database.select(totals).from(usageRecords).where(where),
    ]);
    return c.json(
      {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        group_by: q.group_by,
        groups: groups.map((g) => ({ key: g.key, ...clean(g) })),
        total: clean(total),
      },
      200,
    );
  });
  return app;
}

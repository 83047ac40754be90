import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { GraphSaveBodySchema, SavedGraphListSchema } from "../../schema/graph-tools";
import { ListQuerySchema } from "../../schema/requests";
import { workflows, type WorkflowRow } from "../../schema/tables";
import { WorkflowSchema } from "../../schema/workflow";
import type { AppEnv } from "../app-env";
import { db, type Db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, notFoundError } from "../openapi/responses";
import { expandUserPresets } from "../presets/service";
import { presentWorkflow, storedGraph } from "../workflows/present";
import { WorkflowRepository } from "../workflows/repository";

/*
 * Saved graphs are the caller's workflows, addressed by name: the same D1 rows `/api/workflows` serves, so a
 * graph saved here runs, lists and exports like any workflow, and a workflow saved there loads here by its
 * name. Names are not unique in the table; a save replaces the most recently updated workflow of that name.
 */

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const NameParam = z.object({ name: z.string().min(1).max(500).openapi({ param: { name: "name", in: "path" }, example: "My workflow" }) });

const saveRoute = createRoute({
  method: "post",
  path: "/api/graph/save",
  tags: ["graph"],
  summary: "Save a graph under a name: replaces the caller's workflow of that name, or creates one",
  description:
    "The body is a workflow document with a required `name` (a NodeTool file works as it is). The graph is validated as a run would validate it (preset nodes expanded first) and stored as sent.",
  request: { body: { required: true, content: { "application/json": { schema: GraphSaveBodySchema } } } },
  responses: { 200: json(WorkflowSchema, "Replaced"), 201: json(WorkflowSchema, "Created"), ...badRequestError, ...commonErrors },
});

const loadRoute = createRoute({
  method: "get",
  path: "/api/graph/load/{name}",
  tags: ["graph"],
  summary: "Load the caller's saved graph (workflow) by name",
  request: { params: NameParam },
  responses: { 200: json(WorkflowSchema, "The workflow of that name"), ...notFoundError, ...commonErrors },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/graph/list",
  tags: ["graph"],
  summary: "The caller's saved graphs (workflows) by name, newest first; pass `next` as `cursor` for the next page",
  request: { query: ListQuerySchema },
  responses: { 200: json(SavedGraphListSchema, "One page"), ...badRequestError, ...commonErrors },
});

async function findByName(database: Db, userId: string, name: string): Promise<WorkflowRow | undefined> {
  const [row] = await database
    .select()
    .from(workflows)
    .where(and(eq(workflows.user_id, userId), eq(workflows.name, name)))
    .orderBy(desc(workflows.updated_at), desc(workflows.id))
    .limit(1);
  return row;
}

export function savedGraphRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(saveRoute, async (c) => {
    const input = c.req.valid("json");
    const userId = c.get("userId");
    const database = db(c.env.DB);
    const repo = new WorkflowRepository(database, userId, (graph) => expandUserPresets(c.env, userId, graph));
    const existing = await findByName(database, userId, input.name);
    if (existing) return c.json(presentWorkflow((await repo.upsert(existing.id, input)).row), 200);
    return c.json(presentWorkflow(await repo.create(input)), 201);
  });

  app.openapi(loadRoute, async (c) => {
    const { name } = c.req.valid("param");
    const row = await findByName(db(c.env.DB), c.get("userId"), name);
    if (!row) throw ApiError.notFound(`Saved graph '${name}'`);
    return c.json(presentWorkflow(row), 200);
  });

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const { rows, next } = await new WorkflowRepository(db(c.env.DB), c.get("userId")).list({ limit: q.limit, cursor: q.cursor, runMode: q.run_mode });
    const graphs = rows.map((row) => {
      const graph = storedGraph(row);
      return { id: row.id, name: row.name, description: row.description, node_count: graph.nodes.length, edge_count: graph.edges.length, created_at: row.created_at, updated_at: row.updated_at };
    });
    return c.json({ graphs, next }, 200);
  });
  return app;
}

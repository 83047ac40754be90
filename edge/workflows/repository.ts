import { and, desc, eq, lt, or } from "drizzle-orm";
import { normalizeGraph } from "../../engine/graph/normalize";
import { validateGraph } from "../../engine/graph/validate";
import { workflows, type WorkflowRow } from "../../schema/tables";
import { WORKFLOW_COLUMNS, type Graph, type WorkflowInput } from "../../schema/workflow";
import type { Db } from "../db/client";
import { decodeCursor, encodeCursor } from "../db/cursor";
import { ApiError } from "../errors/api-error";
import { registry } from "../registry";

const COLUMN_SET = new Set<string>(WORKFLOW_COLUMNS);

function splitExtra(input: WorkflowInput): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (!COLUMN_SET.has(k)) extra[k] = v;
  return extra;
}

/** Rejects a graph that could never run, listing every problem. */
export function assertRunnableGraph(input: WorkflowInput): void {
  const issues = validateGraph(normalizeGraph(input.graph), registry);
  if (issues.length > 0) throw ApiError.invalidGraph(issues);
}

export function newId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}

/** Workflows of one user. Every query filters on the owner, so another user's workflow reads as missing. */
export class WorkflowRepository {
  constructor(
    private readonly db: Db,
    private readonly userId: string,
    /** Expands the user's preset nodes before the graph is checked (edge/presets); the graph is stored as sent. */
    private readonly expand?: (graph: Graph) => Promise<Graph>,
  ) {}

  private async check(input: WorkflowInput): Promise<void> {
    assertRunnableGraph(this.expand ? { ...input, graph: await this.expand(input.graph) } : input);
  }

  async list(opts: { limit: number; cursor?: string; runMode?: string }): Promise<{ rows: WorkflowRow[]; next: string | null }> {
    const conditions = [eq(workflows.user_id, this.userId)];
    if (opts.runMode) conditions.push(eq(workflows.run_mode, opts.runMode));
    if (opts.cursor) {
      const c = decodeCursor(opts.cursor);
      conditions.push(or(lt(workflows.created_at, c.created_at), and(eq(workflows.created_at, c.created_at), lt(workflows.id, c.id)))!);
    }
    const rows = await this.db
      .select()
      .from(workflows)
      .where(and(...conditions))
      .orderBy(desc(workflows.created_at), desc(workflows.id))
      .limit(opts.limit + 1);
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return { rows: page, next: rows.length > opts.limit && last ? encodeCursor(last) : null };
  }

  async get(id: string): Promise<WorkflowRow> {
    const row = await this.db.query.workflows.findFirst({ where: and(eq(workflows.id, id), eq(workflows.user_id, this.userId)) });
    if (!row) throw ApiError.notFound(`Workflow '${id}'`);
    return row;
  }

  async create(input: WorkflowInput): Promise<WorkflowRow> {
    await this.check(input);
    const now = new Date().toISOString();
    const row: WorkflowRow = { ...this.columns(input), id: newId(), user_id: this.userId, created_at: now, updated_at: now };
    await this.db.insert(workflows).values(row);
    return row;
  }

  /**
   * Creates the workflow under `id`, or replaces it, in one statement so concurrent upserts cannot race.
   * Another user's id reads as missing, never as taken.
   */
  async upsert(id: string, input: WorkflowInput): Promise<{ row: WorkflowRow; created: boolean }> {
    await this.check(input);
    const now = new Date().toISOString();
    const columns = { ...this.columns(input), updated_at: now };
    const [written] = await this.db
      .insert(workflows)
      .values({ ...columns, id, user_id: this.userId, created_at: now })
      .onConflictDoUpdate({ target: workflows.id, set: columns, setWhere: eq(workflows.user_id, this.userId) })
      .returning();
    if (!written) throw ApiError.notFound(`Workflow '${id}'`);
    return { row: written, created: written.created_at === now };
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.db
      .delete(workflows)
      .where(and(eq(workflows.id, id), eq(workflows.user_id, this.userId)))
      .returning({ id: workflows.id });
    if (deleted.length === 0) throw ApiError.notFound(`Workflow '${id}'`);
  }

  private columns(input: WorkflowInput) {
    return {
      name: input.name,
      description: input.description,
      tags: input.tags,
      access: input.access,
      graph: input.graph as unknown as Record<string, unknown>,
      settings: input.settings as Record<string, unknown>,
      run_mode: input.run_mode ?? null,
      extra: splitExtra(input),
    };
  }
}

import { usageRecords } from "../../schema/tables";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { newId } from "../workflows/repository";

/** What one finished job or one proxied chat request used. */
export interface UsageFigures {
  jobs?: number;
  node_seconds?: number;
  runner_seconds?: number;
  chat_requests?: number;
  tokens_in?: number;
  tokens_out?: number;
}

export interface UsageSubject {
  userId: string;
  keyId?: string | null;
  workflowId?: string | null;
  jobId?: string | null;
  kind: "job" | "chat";
}

/** Appends one usage row; failures are logged, never thrown (usage must not fail the work it describes). */
export async function recordUsage(env: Env, subject: UsageSubject, figures: UsageFigures, at = new Date()): Promise<void> {
  const iso = at.toISOString();
  try {
    await db(env.DB)
      .insert(usageRecords)
      .values({
        id: newId(),
        user_id: subject.userId,
        key_id: subject.keyId ?? null,
        workflow_id: subject.workflowId ?? null,
        job_id: subject.jobId ?? null,
        kind: subject.kind,
        created_at: iso,
        day: iso.slice(0, 10),
        jobs: figures.jobs ?? 0,
        node_seconds: figures.node_seconds ?? 0,
        runner_seconds: figures.runner_seconds ?? 0,
        chat_requests: figures.chat_requests ?? 0,
        tokens_in: figures.tokens_in ?? 0,
        tokens_out: figures.tokens_out ?? 0,
      });
  } catch (err) {
    console.error(`[usage] could not record the usage of ${subject.kind} ${subject.jobId ?? ""}`, err);
  }
}

/** `usage` of an OpenAI-shaped completion or chunk: prompt and completion tokens, if it reports them. */
export function tokensOf(usage: unknown): { tokens_in: number; tokens_out: number } | null {
  if (!usage || typeof usage !== "object") return null;
  const u = usage as Record<string, unknown>;
  const input = typeof u.prompt_tokens === "number" ? u.prompt_tokens : typeof u.input_tokens === "number" ? u.input_tokens : null;
  const output = typeof u.completion_tokens === "number" ? u.completion_tokens : typeof u.output_tokens === "number" ? u.output_tokens : null;
  if (input === null && output === null) return null;
  return { tokens_in: Math.max(0, Math.floor(input ?? 0)), tokens_out: Math.max(0, Math.floor(output ?? 0)) };
}

import { applyD1Migrations, env } from "cloudflare:test";

// The same SQL files drizzle-kit generated and `wrangler d1 migrations apply` uses.
await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] }).TEST_MIGRATIONS);

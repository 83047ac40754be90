import { createWorkerFetch } from "./app";
import { runScheduledSweep } from "./storage/retention";

export { JobObject } from "./jobs/job-object";
export { UserQueue } from "./queue/user-queue";
export { RateLimiter } from "./ratelimit/limiter";
export { ConnectionObject } from "./sockets/connection-object";
export { ChatThreads } from "./threads/chat-threads";
export { UserDatabase } from "./sqlite/user-database";
export { VectorCollection } from "./vectors/vector-collection";

export default {
  fetch: createWorkerFetch(),
  // The cron trigger (wrangler.toml [triggers]): deletes temp/ objects past TEMP_RETENTION_SECONDS.
  scheduled: (_controller, env, ctx) => ctx.waitUntil(runScheduledSweep(env)),
} satisfies ExportedHandler<import("./config/env").Env>;

import { createApp } from "./app";

export { JobObject } from "./jobs/job-object";
export { UserQueue } from "./queue/user-queue";
export { ConnectionObject } from "./sockets/connection-object";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<import("./config/env").Env>;

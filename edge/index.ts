import { createApp } from "./app";

export { JobObject } from "./jobs/job-object";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<import("./config/env").Env>;

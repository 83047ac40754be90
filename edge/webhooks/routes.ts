import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import { WebhookDeliveryListSchema } from "../../schema/accounts";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { findJob } from "../jobs/job-rows";
import { validationHook } from "../openapi/hook";
import { commonErrors, IdParam, notFoundError } from "../openapi/responses";
import { listDeliveries, presentDelivery } from "./deliveries";

const listRoute = createRoute({
  method: "get",
  path: "/api/jobs/{id}/webhooks",
  tags: ["jobs"],
  summary: "The job's webhook deliveries: one per event, with every attempt's status",
  request: { params: IdParam },
  responses: {
    200: { description: "Oldest first", content: { "application/json": { schema: WebhookDeliveryListSchema } } },
    ...notFoundError,
    ...commonErrors,
  },
});

export function webhookRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(listRoute, async (c) => {
    const userId = c.get("userId");
    const { id } = c.req.valid("param");
    const database = db(c.env.DB);
    const job = await findJob(database, userId, id);
    if (!job) throw ApiError.notFound(`Job '${id}'`);
    const rows = await listDeliveries(database, userId, id);
    return c.json({ deliveries: rows.map(presentDelivery) } satisfies z.infer<typeof WebhookDeliveryListSchema>, 200);
  });
  return app;
}

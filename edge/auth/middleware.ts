import { createMiddleware } from "hono/factory";
import { getConfig } from "../config/config";
import type { AppEnv } from "../app-env";
import { authenticate } from "./authenticate";

/** Puts the authenticated user id on the context as `userId`; rejects the request otherwise. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set("userId", await authenticate(c.req.raw, getConfig(c.env)));
  await next();
});

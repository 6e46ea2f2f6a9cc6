import type { FastifyInstance } from "fastify";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { route, pageQuery } from "../openapi.ts";
import { parse } from "../validation.ts";

export function registerAuditRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/audit-log", { ...route({ summary: "Settings changes, newest first", tags: ["audit"], role: "viewer", querystring: pageQuery }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    return ctx.services.tx.run((repos) => repos.audit.list(caller.storeId, q.limit, q.cursor ?? null));
  });
}

import type { FastifyInstance } from "fastify";
import { requireRole } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { doc, pageQuery } from "../openapi.ts";
import { parse } from "../validation.ts";

export function registerAuditRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/audit-log", { schema: doc({ summary: "Settings changes, newest first", tags: ["audit"], role: "viewer", querystring: pageQuery }) }, async (request) => {
    const caller = await requireRole(request, ctx.services, "viewer");
    const q = parse(pageQuery, request.query);
    return ctx.services.tx.run((repos) => repos.audit.list(caller.storeId, q.limit, q.cursor ?? null));
  });
}

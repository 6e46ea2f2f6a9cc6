import type { FastifyInstance } from "fastify";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route, pageQuery } from "../openapi.ts";
import { auditPage } from "../responses/audit.ts";
import { parse } from "../validation.ts";

export function registerAuditRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/audit-log", { ...route({
    operationId: "listAuditLog", summary: "Settings changes, newest first", tags: ["audit"], role: "viewer", querystring: pageQuery,
    responses: { 200: json("A page of audit entries", auditPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    return ctx.services.tx.run((repos) => repos.audit.list(caller.storeId, q.limit, q.cursor ?? null));
  });
}

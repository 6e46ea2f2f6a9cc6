import type { FastifyInstance } from "fastify";
import type { HttpContext } from "../context.ts";
import { json, route, text } from "../openapi.ts";
import { healthView, readyView, unavailableView } from "../responses/operations.ts";

export function registerHealthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { registry, httpRequests, httpDuration } = ctx.metrics;
  app.addHook("onResponse", async (request, reply) => {
    // Route patterns, never raw URLs: ids in labels would make the series unbounded.
    const labels = { method: request.method, route: request.routeOptions.url ?? "unmatched" };
    httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get("/healthz", { ...route({ operationId: "getHealth", summary: "Liveness", tags: ["operations"], role: "none", responses: { 200: json("The process answers", healthView) } }) }, async () => ({ status: "ok" }));
  app.get("/readyz", { ...route({
    operationId: "getReadiness", summary: "Readiness: the database answers", tags: ["operations"], role: "none",
    responses: { 200: json("Ready to serve", readyView), 503: json("The database does not answer", unavailableView) },
  }) }, async (_request, reply) => {
    try {
      await ctx.ping();
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });
  app.get("/metrics", { ...route({
    operationId: "getMetrics", summary: "Prometheus metrics", tags: ["operations"], role: "none",
    responses: { 200: text("Metrics in the Prometheus text format", "text/plain") },
  }) }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

import type { FastifyInstance } from "fastify";
import type { HttpContext } from "../context.ts";
import { route } from "../openapi.ts";

export function registerHealthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { registry, httpRequests, httpDuration } = ctx.metrics;
  app.addHook("onResponse", async (request, reply) => {
    // Route patterns, never raw URLs: ids in labels would make the series unbounded.
    const labels = { method: request.method, route: request.routeOptions.url ?? "unmatched" };
    httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get("/healthz", { ...route({ summary: "Liveness", tags: ["operations"], role: "none" }) }, async () => ({ status: "ok" }));
  app.get("/readyz", { ...route({ summary: "Readiness: the database answers", tags: ["operations"], role: "none" }) }, async (_request, reply) => {
    try {
      await ctx.ping();
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });
  app.get("/metrics", { ...route({ summary: "Prometheus metrics", tags: ["operations"], role: "none" }) }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

import type { FastifyInstance } from "fastify";
import { Registry, collectDefaultMetrics, Histogram } from "prom-client";
import type { HttpContext } from "../context.ts";
import { route } from "../openapi.ts";

export function registerHealthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: "pointbook_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook("onResponse", async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
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

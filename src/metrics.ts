import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The process's Prometheus metrics, one registry per server (tests build several servers in one
 * process). Labels never name a store or a member: their number would be unbounded.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  dueWorkSeconds: Histogram;
  dueWorkFailures: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: "pointbook_http_requests_total", help: "HTTP requests answered, by route and status",
      labelNames: ["method", "route", "status"], registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "pointbook_http_request_duration_seconds", help: "HTTP request duration by route",
      labelNames: ["method", "route"], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    dueWorkSeconds: new Histogram({
      name: "pointbook_due_work_seconds", help: "Duration of one scheduler tick (due work for every store on wall time)",
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300], registers: [registry],
    }),
    dueWorkFailures: new Counter({
      name: "pointbook_due_work_failures_total", help: "Stores whose due work failed in a tick (retried at the next)", registers: [registry],
    }),
  };
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

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
  /** Ledger entries that moved points, by type, counted as their events are dispatched (committed ones only). */
  ledgerEntries: Counter<"type">;
  /** Outgoing events not yet handed on; `pendingOutgoing` is read at each scrape. */
  outgoingPending: Gauge;
  webhookDeliveries: Counter<"result">;
  notifications: Counter<"channel" | "result">;
  /** Platform webhooks received, by platform and result (applied, ignored, duplicate, failed, refused). */
  platformWebhooks: Counter<"platform" | "result">;
}

/** `pendingOutgoing`: how many outgoing events wait to be handed on, read when /metrics is scraped. */
export function createMetrics(options: { pendingOutgoing?: () => Promise<number> } = {}): Metrics {
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
    ledgerEntries: new Counter({
      name: "pointbook_ledger_entries_total", help: "Ledger entries that moved points, by entry type", labelNames: ["type"], registers: [registry],
    }),
    outgoingPending: new Gauge({
      name: "pointbook_outgoing_events_pending", help: "Outgoing events written but not yet handed on to webhooks and notifications", registers: [registry],
      async collect() {
        if (options.pendingOutgoing) this.set(await options.pendingOutgoing().catch(() => Number.NaN));
      },
    }),
    webhookDeliveries: new Counter({
      name: "pointbook_webhook_deliveries_total", help: "Webhook delivery attempts by result (delivered, failed, dead)", labelNames: ["result"], registers: [registry],
    }),
    notifications: new Counter({
      name: "pointbook_notifications_total", help: "Member messages by channel and result (sent, failed, skipped)", labelNames: ["channel", "result"], registers: [registry],
    }),
    platformWebhooks: new Counter({
      name: "pointbook_platform_webhooks_total", help: "Shopify and WooCommerce webhooks received, by platform and result (applied, ignored, duplicate, failed, refused)",
      labelNames: ["platform", "result"], registers: [registry],
    }),
  };
}

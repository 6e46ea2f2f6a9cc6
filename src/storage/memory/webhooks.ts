import type { WebhookDeliveryRecord, WebhookEndpointRecord, WebhookRepository } from "../../core/ports/webhooks.ts";
import type { OutgoingEvent } from "../../core/outgoing/events.ts";
import { foreignKeyViolation, uniqueViolation } from "./errors.ts";
import { peek, type WebhookDeliveryRow, type WebhookEndpointRow } from "./state.ts";
import { requireStoreRow, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, fromJsonb, page, timestamp } from "./values.ts";

const toEndpoint = (r: WebhookEndpointRow): WebhookEndpointRecord => ({
  id: r.id, url: r.url, events: [...r.events], description: r.description, enabled: r.enabled, secret: r.secret,
  previousSecret: r.previousSecret, previousSecretUntil: r.previousSecretUntil,
  createdAt: r.createdAt, updatedAt: r.updatedAt,
});

const toDelivery = (r: WebhookDeliveryRow): WebhookDeliveryRecord => ({
  id: r.id, endpointId: r.endpointId, eventId: r.eventId, event: fromJsonb(r.event), status: r.status, attempts: r.attempts,
  lastStatus: r.lastStatus, lastError: r.lastError, nextAttemptAt: r.nextAttemptAt,
  deliveredAt: r.deliveredAt, createdAt: r.createdAt,
});

const live = (r: WebhookEndpointRow | undefined): r is WebhookEndpointRow => r !== undefined && r.deletedAt === null;

/** Transactions run one at a time here, so a claim never meets another claimant; the lease still decides. */
export function webhookRepository(tx: MemoryTx): WebhookRepository {
  const { requiredJsonb } = tx.state.documents;
  return {
    async insertEndpoint(storeId, e) {
      requireStoreRow(tx, storeId, "webhook_endpoints");
      const t = tenantFor(tx, storeId);
      if (t.webhookEndpoints.has(e.id)) throw uniqueViolation("webhook_endpoints", `id=${e.id}`);
      tx.put(t.webhookEndpoints, e.id, {
        id: e.id, url: e.url, events: requiredJsonb(e.events, "webhook_endpoints", "events"), description: e.description, enabled: e.enabled,
        secret: e.secret, previousSecret: e.previousSecret, previousSecretUntil: e.previousSecretUntil,
        createdAt: timestamp(e.createdAt, "created_at"), updatedAt: timestamp(e.updatedAt, "updated_at"), deletedAt: null,
      });
    },
    async getEndpoint(storeId, id) {
      const row = peek(tx.state, storeId).webhookEndpoints.get(id);
      return live(row) ? toEndpoint(row) : null;
    },
    async listEndpoints(storeId, limit, cursor) {
      const rows = firstN(peek(tx.state, storeId).webhookEndpoints.values(), (r) => live(r) && (cursor === null || compareText(r.id, cursor) > 0), (a, b) => compareText(a.id, b.id), limit + 1);
      return page(rows, limit, toEndpoint, (r) => r.id);
    },
    async updateEndpoint(storeId, e) {
      const t = peek(tx.state, storeId);
      const row = t.webhookEndpoints.get(e.id);
      if (!live(row)) return;
      tx.put(t.webhookEndpoints, e.id, {
        ...row, url: e.url, events: requiredJsonb(e.events, "webhook_endpoints", "events"), description: e.description, enabled: e.enabled,
        secret: e.secret, previousSecret: e.previousSecret, previousSecretUntil: e.previousSecretUntil,
        updatedAt: timestamp(e.updatedAt, "updated_at"),
      });
    },
    async deleteEndpoint(storeId, id, at) {
      const t = peek(tx.state, storeId);
      const row = t.webhookEndpoints.get(id);
      if (!live(row)) return false;
      tx.put(t.webhookEndpoints, id, { ...row, deletedAt: timestamp(at, "deleted_at"), updatedAt: timestamp(at, "updated_at") });
      return true;
    },
    async enabledEndpoints(storeId) {
      return [...peek(tx.state, storeId).webhookEndpoints.values()].filter((r) => live(r) && r.enabled)
        .sort((a, b) => compareText(a.id, b.id)).map(toEndpoint);
    },
    async insertDeliveries(storeId, deliveries) {
      if (deliveries.length === 0) return;
      const t = tenantFor(tx, storeId);
      for (const d of deliveries) {
        if (!t.webhookEndpoints.has(d.endpointId)) throw foreignKeyViolation("webhook_deliveries", `endpoint_id=${d.endpointId}`);
        if ([...t.webhookDeliveries.values()].some((r) => r.endpointId === d.endpointId && r.eventId === d.eventId)) continue;
        if (t.webhookDeliveries.has(d.id)) throw uniqueViolation("webhook_deliveries", `id=${d.id}`);
        tx.put(t.webhookDeliveries, d.id, {
          id: d.id, endpointId: d.endpointId, eventId: d.eventId, event: requiredJsonb<OutgoingEvent>(d.event, "webhook_deliveries", "event"),
          status: d.status, attempts: d.attempts, lastStatus: null, lastError: null, nextAttemptAt: d.nextAttemptAt,
          deliveredAt: null, createdAt: timestamp(d.createdAt, "created_at"), leaseUntil: null,
        });
      }
    },
    async claimDue(now, leaseUntil, limit, storeIds) {
      const due: Array<{ storeId: string; row: WebhookDeliveryRow; endpoint: WebhookEndpointRow }> = [];
      for (const [storeId, t] of tx.state.tenants) {
        if (storeIds && !storeIds.includes(storeId)) continue;
        for (const row of t.webhookDeliveries.values()) {
          const endpoint = t.webhookEndpoints.get(row.endpointId);
          if (!live(endpoint) || !endpoint.enabled) continue;
          if (row.status !== "pending" && row.status !== "failed") continue;
          if (row.nextAttemptAt === null || row.nextAttemptAt.getTime() > now.getTime()) continue;
          if (row.leaseUntil !== null && row.leaseUntil.getTime() > now.getTime()) continue;
          due.push({ storeId, row, endpoint });
        }
      }
      due.sort((a, b) => a.row.nextAttemptAt!.getTime() - b.row.nextAttemptAt!.getTime() || compareText(a.row.id, b.row.id));
      return due.slice(0, Math.max(0, limit)).map(({ storeId, row, endpoint }) => {
        const leased = { ...row, leaseUntil: timestamp(leaseUntil, "lease_until") };
        tx.put(tenantFor(tx, storeId).webhookDeliveries, row.id, leased);
        return { storeId, delivery: toDelivery(leased), endpoint: toEndpoint(endpoint), leaseUntil };
      });
    },
    async recordAttempt(storeId, id, leaseUntil, a) {
      const t = peek(tx.state, storeId);
      const row = t.webhookDeliveries.get(id);
      if (!row || row.leaseUntil === null || row.leaseUntil.getTime() !== leaseUntil.getTime()) return false;
      tx.put(t.webhookDeliveries, id, {
        ...row, status: a.status, attempts: a.attempts, lastStatus: a.lastStatus, lastError: a.lastError,
        nextAttemptAt: a.nextAttemptAt, deliveredAt: a.deliveredAt, leaseUntil: null,
      });
      return true;
    },
    async getDelivery(storeId, id) {
      const row = peek(tx.state, storeId).webhookDeliveries.get(id);
      return row ? toDelivery(row) : null;
    },
    async listDeliveries(storeId, endpointId, limit, cursor) {
      const rows = firstN(peek(tx.state, storeId).webhookDeliveries.values(),
        (r) => r.endpointId === endpointId && (cursor === null || compareText(r.id, cursor) < 0), (a, b) => compareText(b.id, a.id), limit + 1);
      return page(rows, limit, toDelivery, (r) => r.id);
    },
    async replay(storeId, id, now) {
      const t = peek(tx.state, storeId);
      const row = t.webhookDeliveries.get(id);
      if (!row) return null;
      const replayed = { ...row, status: "pending" as const, nextAttemptAt: timestamp(now, "next_attempt_at"), leaseUntil: null };
      tx.put(t.webhookDeliveries, id, replayed);
      return toDelivery(replayed);
    },
  };
}

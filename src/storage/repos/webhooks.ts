import type { OutgoingEvent } from "../../core/outgoing/events.ts";
import type { DeliveryStatus, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookRepository } from "../../core/ports/webhooks.ts";
import { json, type Sql, write } from "../sql.ts";

interface EndpointRow {
  store_id: string;
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event: OutgoingEvent;
  status: DeliveryStatus;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

const toEndpoint = (r: EndpointRow): WebhookEndpointRecord => ({
  id: r.id, url: r.url, events: r.events, description: r.description, enabled: r.enabled, secret: r.secret,
  previousSecret: r.previous_secret, previousSecretUntil: r.previous_secret_until, createdAt: r.created_at, updatedAt: r.updated_at,
});

const toDelivery = (r: DeliveryRow): WebhookDeliveryRecord => ({
  id: r.id, endpointId: r.endpoint_id, eventId: r.event_id, event: r.event, status: r.status, attempts: r.attempts,
  lastStatus: r.last_status, lastError: r.last_error, nextAttemptAt: r.next_attempt_at, deliveredAt: r.delivered_at, createdAt: r.created_at,
});

const DELIVERY_COLUMNS = "id, endpoint_id, event_id, event, status, attempts, last_status, last_error, next_attempt_at, delivered_at, created_at";

export function webhookRepository(sql: Sql): WebhookRepository {
  return {
    async insertEndpoint(storeId, e) {
      await sql.query(
        `INSERT INTO webhook_endpoints (store_id, id, url, events, description, enabled, secret, previous_secret, previous_secret_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11)`,
        [storeId, e.id, e.url, json(e.events), e.description, e.enabled, e.secret, e.previousSecret, e.previousSecretUntil, e.createdAt, e.updatedAt]);
    },
    async getEndpoint(storeId, id) {
      const [row] = await sql.query<EndpointRow>(
        "SELECT * FROM webhook_endpoints WHERE store_id = $1 AND id = $2 AND deleted_at IS NULL", [storeId, id]);
      return row ? toEndpoint(row) : null;
    },
    async listEndpoints(storeId, limit, cursor) {
      const rows = await sql.query<EndpointRow>(
        `SELECT * FROM webhook_endpoints WHERE store_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR id > $2)
         ORDER BY id LIMIT $3`, [storeId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toEndpoint);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async updateEndpoint(storeId, e) {
      await write(sql,
        `UPDATE webhook_endpoints SET url = $3, events = $4::jsonb, description = $5, enabled = $6, secret = $7,
           previous_secret = $8, previous_secret_until = $9, updated_at = $10
         WHERE store_id = $1 AND id = $2 AND deleted_at IS NULL`,
        [storeId, e.id, e.url, json(e.events), e.description, e.enabled, e.secret, e.previousSecret, e.previousSecretUntil, e.updatedAt]);
    },
    async deleteEndpoint(storeId, id, at) {
      const rows = await sql.query<{ id: string }>(
        "UPDATE webhook_endpoints SET deleted_at = $3, updated_at = $3 WHERE store_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id",
        [storeId, id, at]);
      return rows.length > 0;
    },
    async enabledEndpoints(storeId) {
      const rows = await sql.query<EndpointRow>(
        "SELECT * FROM webhook_endpoints WHERE store_id = $1 AND deleted_at IS NULL AND enabled ORDER BY id", [storeId]);
      return rows.map(toEndpoint);
    },
    async insertDeliveries(storeId, deliveries) {
      if (deliveries.length === 0) return;
      await write(sql,
        `INSERT INTO webhook_deliveries (store_id, id, endpoint_id, event_id, event, status, attempts, next_attempt_at, created_at)
         SELECT $1, x.id, x.endpoint_id, x.event_id, x.event, x.status, x.attempts, x.next_attempt_at, x.created_at
         FROM jsonb_to_recordset($2::jsonb) AS x(id text, endpoint_id text, event_id text, event jsonb, status text, attempts integer, next_attempt_at timestamptz, created_at timestamptz)
         ON CONFLICT (store_id, endpoint_id, event_id) DO NOTHING`,
        [storeId, json(deliveries.map((d) => ({
          id: d.id, endpoint_id: d.endpointId, event_id: d.eventId, event: d.event, status: d.status, attempts: d.attempts,
          next_attempt_at: d.nextAttemptAt, created_at: d.createdAt,
        })))]);
    },
    async claimDue(now, leaseUntil, limit, storeIds) {
      // Claimed rows get a lease in this statement; SKIP LOCKED lets another worker take the next ones.
      const rows = await sql.query<DeliveryRow & { store_id: string; endpoint: EndpointRow }>(
        `WITH due AS (
           SELECT d.store_id, d.id FROM webhook_deliveries d
           JOIN webhook_endpoints e ON e.store_id = d.store_id AND e.id = d.endpoint_id
           WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= $1
             AND (d.lease_until IS NULL OR d.lease_until <= $1)
             AND e.deleted_at IS NULL AND e.enabled
             AND ($4::text[] IS NULL OR d.store_id = ANY($4::text[]))
           ORDER BY d.next_attempt_at, d.id
           LIMIT $3
           FOR UPDATE OF d SKIP LOCKED
         )
         UPDATE webhook_deliveries w SET lease_until = $2
         FROM due, webhook_endpoints e
         WHERE w.store_id = due.store_id AND w.id = due.id AND e.store_id = w.store_id AND e.id = w.endpoint_id
         RETURNING w.store_id, w.id, w.endpoint_id, w.event_id, w.event, w.status, w.attempts, w.last_status, w.last_error,
           w.next_attempt_at, w.delivered_at, w.created_at, to_jsonb(e.*) AS endpoint`,
        [now, leaseUntil, limit, storeIds ? [...storeIds] : null]);
      return rows.map((r) => ({
        storeId: r.store_id,
        delivery: toDelivery(r),
        endpoint: toEndpoint({ ...r.endpoint, previous_secret_until: dateOrNull(r.endpoint.previous_secret_until), created_at: new Date(r.endpoint.created_at), updated_at: new Date(r.endpoint.updated_at) }),
        leaseUntil,
      })).sort((a, b) => (a.delivery.nextAttemptAt?.getTime() ?? 0) - (b.delivery.nextAttemptAt?.getTime() ?? 0));
    },
    async recordAttempt(storeId, id, leaseUntil, a) {
      const rows = await sql.query<{ id: string }>(
        `UPDATE webhook_deliveries SET status = $4, attempts = $5, last_status = $6, last_error = $7, next_attempt_at = $8,
           delivered_at = $9, lease_until = NULL
         WHERE store_id = $1 AND id = $2 AND lease_until = $3 RETURNING id`,
        [storeId, id, leaseUntil, a.status, a.attempts, a.lastStatus, a.lastError, a.nextAttemptAt, a.deliveredAt]);
      return rows.length > 0;
    },
    async getDelivery(storeId, id) {
      const [row] = await sql.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE store_id = $1 AND id = $2`, [storeId, id]);
      return row ? toDelivery(row) : null;
    },
    async listDeliveries(storeId, endpointId, limit, cursor) {
      // Delivery ids are time-ordered: id order is creation order.
      const rows = await sql.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
         WHERE store_id = $1 AND endpoint_id = $2 AND ($3::text IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4`, [storeId, endpointId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toDelivery);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async replay(storeId, id, now) {
      const [row] = await sql.query<DeliveryRow>(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, lease_until = NULL
         WHERE store_id = $1 AND id = $2 RETURNING ${DELIVERY_COLUMNS}`, [storeId, id, now]);
      return row ? toDelivery(row) : null;
    },
  };
}

/** A timestamptz read back from to_jsonb is ISO text. */
function dateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : new Date(value);
}

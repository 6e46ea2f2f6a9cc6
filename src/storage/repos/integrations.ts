import type { Platform, PlatformOrderState } from "../../core/integrations/platform-order.ts";
import { emptyOrderState } from "../../core/integrations/platform-order.ts";
import type { IntegrationRecord, IntegrationRepository, PlatformDeliveryRecord, PlatformDeliveryResult } from "../../core/ports/integrations.ts";
import { json, type Sql } from "../sql.ts";

interface IntegrationRow {
  platform: Platform;
  address: string;
  webhook_secret: string;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  delivery_id: string;
  topic: string;
  result: PlatformDeliveryResult;
  error: string | null;
  received_at: Date;
}

const toIntegration = (r: IntegrationRow): IntegrationRecord => ({
  platform: r.platform, address: r.address, webhookSecret: r.webhook_secret, createdAt: r.created_at, updatedAt: r.updated_at,
});

const toDelivery = (r: DeliveryRow): PlatformDeliveryRecord => ({
  deliveryId: r.delivery_id, topic: r.topic, result: r.result, error: r.error, receivedAt: r.received_at,
});

export function integrationRepository(sql: Sql): IntegrationRepository {
  return {
    async upsert(storeId, r) {
      await sql.query(
        `INSERT INTO integrations (store_id, platform, address, webhook_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (store_id, platform) DO UPDATE SET address = EXCLUDED.address, webhook_secret = EXCLUDED.webhook_secret, updated_at = EXCLUDED.updated_at`,
        [storeId, r.platform, r.address, r.webhookSecret, r.createdAt, r.updatedAt]);
    },
    async get(storeId, platform) {
      const [row] = await sql.query<IntegrationRow>("SELECT * FROM integrations WHERE store_id = $1 AND platform = $2", [storeId, platform]);
      return row ? toIntegration(row) : null;
    },
    async list(storeId) {
      return (await sql.query<IntegrationRow>("SELECT * FROM integrations WHERE store_id = $1 ORDER BY platform", [storeId])).map(toIntegration);
    },
    async claimDelivery(storeId, platform, d) {
      const rows = await sql.query<{ delivery_id: string }>(
        `INSERT INTO platform_deliveries (store_id, platform, delivery_id, topic, result, error, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING RETURNING delivery_id`,
        [storeId, platform, d.deliveryId, d.topic, d.result, d.error, d.receivedAt]);
      return rows.length > 0;
    },
    async setDeliveryResult(storeId, platform, deliveryId, result, error) {
      await sql.query("UPDATE platform_deliveries SET result = $4, error = $5 WHERE store_id = $1 AND platform = $2 AND delivery_id = $3",
        [storeId, platform, deliveryId, result, error]);
    },
    async purgeDeliveries(before, limit) {
      const rows = await sql.query(
        `DELETE FROM platform_deliveries WHERE (store_id, platform, delivery_id) IN (
           SELECT store_id, platform, delivery_id FROM platform_deliveries WHERE received_at < $1 LIMIT $2)
         RETURNING delivery_id`,
        [before, limit]);
      return rows.length;
    },
    async recentDeliveries(storeId, platform, limit) {
      const rows = await sql.query<DeliveryRow>(
        "SELECT * FROM platform_deliveries WHERE store_id = $1 AND platform = $2 ORDER BY received_at DESC, delivery_id DESC LIMIT $3",
        [storeId, platform, limit]);
      return rows.map(toDelivery);
    },
    async lockOrder(storeId, platform, orderId) {
      // Created empty when new and locked either way, in one statement: two first deliveries of
      // one order (a refund racing its order) take turns instead of both starting from nothing.
      const [row] = await sql.query<{ state: PlatformOrderState }>(
        `INSERT INTO platform_orders (store_id, platform, order_id, state, updated_at) VALUES ($1, $2, $3, $4::jsonb, now())
         ON CONFLICT (store_id, platform, order_id) DO UPDATE SET state = platform_orders.state RETURNING state`,
        [storeId, platform, orderId, json(emptyOrderState())]);
      return row!.state;
    },
    async saveOrder(storeId, platform, orderId, state, at) {
      await sql.query(
        `INSERT INTO platform_orders (store_id, platform, order_id, state, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (store_id, platform, order_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
        [storeId, platform, orderId, json(state), at]);
    },
    async lockCustomer(storeId, platform, customerId) {
      // Created when new and locked either way (see lockOrder); `seen` tells a new row from a kept one.
      const [row] = await sql.query<{ version: Date | null; seen: boolean }>(
        `INSERT INTO platform_customers (store_id, platform, customer_id, version) VALUES ($1, $2, $3, NULL)
         ON CONFLICT (store_id, platform, customer_id) DO UPDATE SET version = platform_customers.version
         RETURNING version, (xmax <> 0) AS seen`,
        [storeId, platform, customerId]);
      return row!.seen ? { version: row!.version ? new Date(row!.version).toISOString() : null } : undefined;
    },
    async saveCustomer(storeId, platform, customerId, version) {
      await sql.query(
        `INSERT INTO platform_customers (store_id, platform, customer_id, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store_id, platform, customer_id) DO UPDATE SET version = EXCLUDED.version`,
        [storeId, platform, customerId, version]);
    },
  };
}

import { emptyOrderState } from "../../core/integrations/platform-order.ts";
import type { IntegrationRepository } from "../../core/ports/integrations.ts";
import { peek } from "./state.ts";
import { requireStoreRow, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { timestamp } from "./values.ts";

const key = (platform: string, id: string) => `${platform}\u0000${id}`;
const copy = <T>(value: T): T => structuredClone(value);

/** Transactions run one at a time here, so the locks of the SQL version have nothing to wait for. */
export function integrationRepository(tx: MemoryTx): IntegrationRepository {
  return {
    async upsert(storeId, r) {
      requireStoreRow(tx, storeId, "integrations");
      const t = tenantFor(tx, storeId).platforms;
      const before = t.integrations.get(r.platform);
      tx.put(t.integrations, r.platform, {
        ...copy(r), createdAt: before ? before.createdAt : timestamp(r.createdAt, "created_at"), updatedAt: timestamp(r.updatedAt, "updated_at"),
      });
    },
    async get(storeId, platform) {
      const row = peek(tx.state, storeId).platforms.integrations.get(platform);
      return row ? copy(row) : null;
    },
    async list(storeId) {
      return [...peek(tx.state, storeId).platforms.integrations.values()].sort((a, b) => (a.platform < b.platform ? -1 : 1)).map(copy);
    },
    async claimDelivery(storeId, platform, d) {
      requireStoreRow(tx, storeId, "platform_deliveries");
      const t = tenantFor(tx, storeId).platforms;
      if (t.deliveries.has(key(platform, d.deliveryId))) return false;
      tx.put(t.deliveries, key(platform, d.deliveryId), { ...copy(d), receivedAt: timestamp(d.receivedAt, "received_at"), platform });
      return true;
    },
    async setDeliveryResult(storeId, platform, deliveryId, result, error) {
      const t = peek(tx.state, storeId).platforms;
      const row = t.deliveries.get(key(platform, deliveryId));
      if (row) tx.put(t.deliveries, key(platform, deliveryId), { ...row, result, error });
    },
    async purgeDeliveries(before, limit) {
      let purged = 0;
      for (const t of tx.state.tenants.values()) {
        for (const [k, row] of [...t.platforms.deliveries]) {
          if (purged >= limit) return purged;
          if (row.receivedAt.getTime() < before.getTime()) {
            tx.delete(t.platforms.deliveries, k);
            purged++;
          }
        }
      }
      return purged;
    },
    async recentDeliveries(storeId, platform, limit) {
      return [...peek(tx.state, storeId).platforms.deliveries.values()]
        .filter((d) => d.platform === platform)
        .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.deliveryId < b.deliveryId ? 1 : -1))
        .slice(0, limit)
        .map(({ platform: _, ...d }) => copy(d));
    },
    async lockOrder(storeId, platform, orderId) {
      requireStoreRow(tx, storeId, "platform_orders");
      const t = tenantFor(tx, storeId).platforms;
      const row = t.orders.get(key(platform, orderId));
      if (row) return copy(row);
      tx.put(t.orders, key(platform, orderId), emptyOrderState());
      return emptyOrderState();
    },
    async saveOrder(storeId, platform, orderId, state) {
      requireStoreRow(tx, storeId, "platform_orders");
      tx.put(tenantFor(tx, storeId).platforms.orders, key(platform, orderId), copy(state));
    },
    async lockCustomer(storeId, platform, customerId) {
      const row = peek(tx.state, storeId).platforms.customers.get(key(platform, customerId));
      return row ? copy(row) : undefined;
    },
    async saveCustomer(storeId, platform, customerId, version) {
      requireStoreRow(tx, storeId, "platform_customers");
      tx.put(tenantFor(tx, storeId).platforms.customers, key(platform, customerId), { version });
    },
  };
}

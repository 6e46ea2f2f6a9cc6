import { newId } from "../../core/ids.ts";
import type { HistoryRepository } from "../../core/ports/history.ts";
import type { OrderUpdate } from "../../core/ports/history.ts";
import type { Order } from "../../core/orders/order.ts";
import { peek, type EntryRow, type MemoryState } from "./state.ts";
import { requireStoreRow } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, fromJsonb } from "./values.ts";
import { entryRows } from "./tally.ts";

const byId = <T extends { id: string }>(rows: Iterable<T>) => [...rows].sort((a, b) => compareText(a.id, b.id));

/** Order updates kept for replays, beside the state's tables (written through the transaction's undo log). */
const updateLogs = new WeakMap<MemoryState, Map<string, Omit<OrderUpdate, "memberId" | "body"> & { storeId: string; order: Order }>>();
function updatesOf(state: MemoryState) {
  let log = updateLogs.get(state);
  if (!log) updateLogs.set(state, (log = new Map()));
  return log;
}

/** The same reads as the SQL adapter's, from the tables in memory (copies: callers may change them). */
export function historyRepository(tx: MemoryTx): HistoryRepository {
  const { requiredJsonb } = tx.state.documents;
  return {
    // Transactions in memory run one at a time: nothing changes the state under a reading one.
    async snapshot() {},
    async logOrderUpdate(storeId, u) {
      requireStoreRow(tx, storeId, "order_updates");
      const id = newId("ou");
      tx.put(updatesOf(tx.state), `${storeId}\u0000${id}`, { storeId, id, orderId: u.orderId, at: u.at, order: requiredJsonb(u.order, "order_updates", "body") });
    },
    async orderUpdates(storeId) {
      return byId([...updatesOf(tx.state).values()].filter((u) => u.storeId === storeId))
        .map((u) => ({ id: u.id, orderId: u.orderId, at: u.at, memberId: u.order.memberId ?? null, body: JSON.stringify(u.order) }));
    },
    async members(storeId) {
      return [...peek(tx.state, storeId).members.values()].sort((a, b) => compareText(a.memberId, b.memberId)).map((m) => ({
        memberId: m.memberId, email: m.email, phone: m.phone, birthday: m.birthday, tags: fromJsonb(m.tags), isMember: m.isMember,
        language: m.language, manualTier: m.manualTier, createdAt: m.createdAt,
      }));
    },
    async events(storeId) {
      return byId(peek(tx.state, storeId).events.values()).map((e) => ({
        id: e.id, type: e.type, memberId: e.memberId, occurredAt: e.occurredAt, channel: e.channel,
        properties: fromJsonb(e.properties), recordedAt: e.recordedAt, member: fromJsonb(e.member),
      }));
    },
    async orders(storeId) {
      return byId(peek(tx.state, storeId).orders.values()).map((o) => ({
        id: o.id, eligibility: fromJsonb(o.eligibility), origin: fromJsonb(o.origin), createdAt: o.createdAt, updatedAt: o.updatedAt,
      }));
    },
    async orderBodies(storeId, orderIds) {
      const orders = peek(tx.state, storeId).orders;
      return new Map(orderIds.flatMap((id) => {
        const row = orders.get(id);
        return row ? [[id, fromJsonb(row.body)] as const] : [];
      }));
    },
    async redemptions(storeId) {
      return byId(peek(tx.state, storeId).redemptions.values()).map((r) => ({
        id: r.id, memberId: r.memberId, methodId: r.methodId, type: r.type, points: r.points, orderId: r.orderId, channel: r.channel, cart: fromJsonb(r.cart),
      }));
    },
    async inputEntries(storeId) {
      const t = peek(tx.state, storeId);
      const logged = new Set<string>();
      for (const u of updatesOf(tx.state).values()) if (u.storeId === storeId) logged.add(u.orderId);
      const wanted = (e: EntryRow) => e.type !== "mature" && e.type !== "expire" && !(e.sourceType === "order" && e.sourceRef !== null && logged.has(e.sourceRef));
      return byId([...entryRows(tx.state, t).values()].filter(wanted)).map((e) => {
        const lot = e.type === "import" && e.lotId ? t.lots.get(e.lotId) : undefined;
        return {
          id: e.id, memberId: e.memberId, type: e.type, points: e.points, delta: e.delta, balanceAfter: e.balanceAfter, at: e.at,
          actor: e.actor, reason: e.reason, sourceType: e.sourceType, sourceRef: e.sourceRef,
          lot: lot ? { earnedAt: lot.earnedAt, availableAt: lot.availableAt, expiresAt: lot.expiresAt } : null,
        };
      });
    },
  };
}

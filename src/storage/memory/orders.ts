import type { OrderAward, OrderRecord, OrderRepository } from "../../core/ports/repositories.ts";
import { notNullViolation, sameRowTwice } from "./errors.ts";
import { toHold, toRedemption } from "./rows.ts";
import { peek, type AwardRow, type OrderRow, type Tenant } from "./state.ts";
import { putOrder, requireStoreRow, rowsOf, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, integer, optionalTimestamp, parseTimestamp, timestamp, type Documents } from "./values.ts";

/**
 * An order's documents and its awards' are handed out as stored, frozen (values.ts), not copied:
 * every order update reads the order and its awards, and copying the order's lines each time was
 * a few percent of a replay. Callers make new records to change one, never change one in place
 * (the adapter test holds that a change in place is refused).
 */
const toOrder = (r: OrderRow): OrderRecord => ({
  id: r.id, memberId: r.memberId, order: r.body, eligibility: r.eligibility, origin: r.origin,
  createdAt: r.createdAt, updatedAt: r.updatedAt,
});

const toAward = (r: AwardRow): OrderAward => ({
  orderId: r.orderId, ruleId: r.ruleId, ruleVersion: r.ruleVersion, memberId: r.memberId, lotIds: r.lotIds, initial: r.initial,
  awarded: r.awarded, reversed: r.reversed, capCut: r.capCut, factors: r.factors, earnedAt: r.earnedAt,
  availableAt: r.availableAt, expiresAt: r.expiresAt, explanation: r.explanation,
});

/** An award's jsonb column written: the stored value itself when the new one is the same. */
function keep<T>(docs: Documents, stored: T | undefined, value: T, column: string): T {
  return stored === undefined ? docs.requiredJsonb(value, "order_awards", column) : docs.requiredJsonbOver(stored, value, "order_awards", column);
}

const awardsOf = (t: Tenant, orderId: string) => [...(t.awards.get(orderId)?.values() ?? [])].sort((a, b) => compareText(a.ruleId, b.ruleId));

/** `placed_at` is a column of its own, parsed from the order's text. */
function placedAt(order: OrderRecord["order"]): Date {
  const at = parseTimestamp(order.placedAt, "placed_at");
  if (at === null) throw notNullViolation("orders", "placed_at");
  return at;
}

export function orderRepository(tx: MemoryTx): OrderRepository {
  const { jsonb, requiredJsonb, jsonbOver, requiredJsonbOver } = tx.state.documents;
  return {
    async lock(storeId, orderId, p) {
      requireStoreRow(tx, storeId, "orders");
      const t = tenantFor(tx, storeId);
      const existing = t.orders.get(orderId);
      if (existing) return { record: toOrder(existing), created: false };
      const at = timestamp(p.at, "created_at");
      const row: OrderRow = {
        id: orderId, memberId: p.memberId, channel: p.order.channel, body: requiredJsonb(p.order, "orders", "body"),
        placedAt: placedAt(p.order), sourceUpdatedAt: parseTimestamp(p.order.updatedAt, "source_updated_at"),
        eligibility: null, origin: null, createdAt: at, updatedAt: at,
      };
      putOrder(tx, t, row);
      return { record: toOrder(row), created: true };
    },
    async save(storeId, r) {
      const t = peek(tx.state, storeId);
      const row = t.orders.get(r.id);
      if (!row) return;
      putOrder(tx, t, {
        ...row, memberId: r.memberId, channel: r.order.channel, body: requiredJsonbOver(row.body, r.order, "orders", "body"),
        placedAt: placedAt(r.order), sourceUpdatedAt: parseTimestamp(r.order.updatedAt, "source_updated_at"),
        updatedAt: timestamp(r.updatedAt, "updated_at"), eligibility: jsonbOver(row.eligibility, r.eligibility), origin: row.origin ?? jsonb(r.origin ?? null),
      });
    },
    async get(storeId, orderId) {
      const row = peek(tx.state, storeId).orders.get(orderId);
      return row ? toOrder(row) : null;
    },
    async awards(storeId, orderId) {
      return awardsOf(peek(tx.state, storeId), orderId).map(toAward);
    },
    async awardsAndSpends(storeId, orderId) {
      const t = peek(tx.state, storeId);
      const redemptions = [...rowsOf(t.redemptions, t.orderRedemptions.get(orderId))]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id));
      const holdIds = new Set(redemptions.flatMap((r) => (r.type === "cashback" && r.holdId !== null ? [r.holdId] : [])));
      return {
        awards: awardsOf(t, orderId).map(toAward),
        redemptions: redemptions.map(toRedemption),
        holds: [...rowsOf(t.holds, holdIds)].map(toHold),
      };
    },
    async saveAwards(storeId, awards, at) {
      if (awards.length === 0) return;
      const t = tenantFor(tx, storeId);
      const when = timestamp(at, "updated_at");
      const seen = new Set<string>();
      for (const a of awards) {
        const key = `${a.orderId}\u0000${a.ruleId}`;
        if (seen.has(key)) throw sameRowTwice("order_awards");
        seen.add(key);
        const byRule = tx.inner(t.awards, a.orderId, () => new Map<string, AwardRow>());
        const before = byRule.get(a.ruleId);
        tx.put(byRule, a.ruleId, {
          orderId: a.orderId, ruleId: a.ruleId, ruleVersion: a.ruleVersion, memberId: a.memberId,
          // An award written back keeps its stored documents when they are the same (handed out as stored, above).
          lotIds: keep(tx.state.documents, before?.lotIds, a.lotIds, "lot_ids"), initial: integer(a.initial, "initial"), awarded: integer(a.awarded, "awarded"),
          reversed: integer(a.reversed, "reversed"), capCut: integer(a.capCut, "cap_cut"), factors: keep(tx.state.documents, before?.factors, a.factors, "factors"),
          earnedAt: timestamp(a.earnedAt, "earned_at"), availableAt: timestamp(a.availableAt, "available_at"),
          expiresAt: optionalTimestamp(a.expiresAt, "expires_at"), explanation: keep(tx.state.documents, before?.explanation, a.explanation, "explanation"),
          createdAt: before?.createdAt ?? when, updatedAt: when,
        });
      }
    },
  };
}

import type { ExportPage, ExportRepository } from "../../core/ports/repositories.ts";
import { peek, type Tenant } from "./state.ts";
import { entryRows } from "./tally.ts";
import { rowsOf } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, fromJsonb, parseTimestamp, sumAmounts } from "./values.ts";

type Range = { from?: Date; to?: Date };

const inRange = (at: Date, range: Range) =>
  (range.from === undefined || at.getTime() >= range.from.getTime()) && (range.to === undefined || at.getTime() < range.to.getTime());

/** Keyset pages in key order; the next cursor is the last key when the page came back full. */
function keyset<T>(rows: Iterable<T>, keyOf: (row: T) => string, keep: (row: T) => boolean, after: string | null, limit: number, toRow: (row: T) => Record<string, unknown>): ExportPage {
  const picked = firstN(rows, (r) => (after === null || compareText(keyOf(r), after) > 0) && keep(r), (a, b) => compareText(keyOf(a), keyOf(b)), limit);
  return { rows: picked.map(toRow), next: picked.length === limit ? keyOf(picked[picked.length - 1]!) : null };
}


function orderFigures(t: Tenant, orderId: string) {
  let earned = 0;
  let reversed = 0;
  for (const a of t.awards.get(orderId)?.values() ?? []) {
    earned += a.awarded - a.reversed;
    reversed += a.reversed;
  }
  let redeemed = 0;
  for (const r of rowsOf(t.redemptions, t.orderRedemptions.get(orderId))) if (r.status === "held" || r.status === "completed") redeemed += r.points - r.returned;
  return { earned, reversed, redeemed };
}

/** The same columns, names and types as the SQL export's rows. */
export function exportRepository(tx: MemoryTx): ExportRepository {
  return {
    async members(storeId, range, after, limit) {
      return keyset(peek(tx.state, storeId).members.values(), (m) => m.memberId, (m) => inRange(m.createdAt, range), after, limit, (m) => ({
        member_id: m.memberId, email: m.email, phone: m.phone, birthday: m.birthday, tier: m.tier, is_member: m.isMember, language: m.language,
        tags: fromJsonb(m.tags), balance: m.balance, pending: m.pending, held: m.held, debt: m.debt,
        created_at: m.createdAt, updated_at: m.updatedAt,
      }));
    },
    async ledger(storeId, range, after, limit) {
      // Entry ids start with a time-ordered part, so id order is the order entries were written in.
      return keyset(entryRows(tx.state, peek(tx.state, storeId)).values(), (e) => e.id, (e) => inRange(e.at, range), after, limit, (e) => ({
        id: e.id, member_id: e.memberId, seq: e.seq, type: e.type, points: e.points, balance_after: e.balanceAfter, at: e.at,
        actor: e.actor, reason: e.reason, source_type: e.sourceType, source_ref: e.sourceRef, lot_id: e.lotId, hold_id: e.holdId,
      }));
    },
    async orders(storeId, range, after, limit) {
      const t = peek(tx.state, storeId);
      return keyset(t.orders.values(), (o) => o.id, (o) => inRange(o.placedAt, range), after, limit, (o) => {
        const figures = orderFigures(t, o.id);
        return {
          id: o.id, member_id: o.memberId, channel: o.channel, placed_at: o.placedAt,
          paid_at: parseTimestamp(o.body.paidAt, "paid_at"), fulfilled_at: parseTimestamp(o.body.fulfilledAt, "fulfilled_at"),
          delivered_at: parseTimestamp(o.body.deliveredAt, "delivered_at"), canceled_at: parseTimestamp(o.body.canceledAt, "canceled_at"),
          subtotal: sumAmounts(o.body.lines), discounts: o.body.discounts ?? 0,
          points_earned: figures.earned, points_reversed: figures.reversed, points_redeemed: figures.redeemed,
        };
      });
    },
  };
}

import type { TierRepository } from "../../core/ports/repositories.ts";
import type { Tier } from "../../core/tiers/schema.ts";
import { peek, type TierRow } from "./state.ts";
import { programChanged, requireStoreRow, rowsOf, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, fromJsonb, optionalTimestamp, sumAmounts, timestamp } from "./values.ts";

const toTier = (r: TierRow): Tier => ({ code: r.code, name: r.name, rank: r.rank, multiplier: r.multiplier, qualification: fromJsonb(r.qualification) });


export function tierRepository(tx: MemoryTx): TierRepository {
  const { jsonb } = tx.state.documents;
  return {
    async list(storeId) {
      return [...peek(tx.state, storeId).tiers.values()].sort((a, b) => a.rank - b.rank || compareText(a.code, b.code)).map(toTier);
    },
    async get(storeId, code) {
      const row = peek(tx.state, storeId).tiers.get(code);
      return row ? toTier(row) : null;
    },
    async upsert(storeId, tier, at) {
      requireStoreRow(tx, storeId, "tiers");
      const t = tenantFor(tx, storeId);
      const when = timestamp(at, "updated_at");
      const before = t.tiers.get(tier.code);
      tx.put(t.tiers, tier.code, {
        code: tier.code, name: tier.name, rank: tier.rank, multiplier: tier.multiplier, qualification: jsonb(tier.qualification),
        createdAt: before?.createdAt ?? when, updatedAt: when,
      });
      programChanged(tx, storeId);
    },
    async remove(storeId, code) {
      tx.delete(peek(tx.state, storeId).tiers, code);
      programChanged(tx, storeId);
    },
    async pointsEarned(storeId, memberId, from, to) {
      const t = peek(tx.state, storeId);
      let total = 0;
      for (const l of rowsOf(t.lots, t.memberLots.get(memberId))) {
        const at = l.earnedAt.getTime();
        if ((l.sourceType === "event" || l.sourceType === "order") && at >= from.getTime() && at <= to.getTime()) total += l.points;
      }
      return total;
    },
    async amountSpent(storeId, memberId, from, to) {
      const t = peek(tx.state, storeId);
      let total = 0;
      for (const o of rowsOf(t.orders, t.memberOrders.get(memberId))) {
        const at = o.placedAt.getTime();
        if (at < from.getTime() || at > to.getTime()) continue;
        if (o.body.canceledAt !== null && o.body.canceledAt !== undefined) continue;
        total += sumAmounts(o.body.lines) - sumAmounts(o.body.refunds);
      }
      return Math.max(0, total);
    },
    async tierState(storeId, memberIds) {
      const t = peek(tx.state, storeId);
      const out = new Map<string, { tier: string | null; manualTier: string | null }>();
      for (const id of new Set(memberIds)) {
        const m = t.members.get(id);
        if (m) out.set(id, { tier: m.tier, manualTier: m.manualTier });
      }
      return out;
    },
    async lastCheck(storeId) {
      return tx.state.stores.get(storeId)?.tiersCheckedAt ?? null;
    },
    async setLastCheck(storeId, at) {
      const row = tx.state.stores.get(storeId);
      if (row) tx.put(tx.state.stores, storeId, { ...row, tiersCheckedAt: optionalTimestamp(at, "tiers_checked_at") });
    },
    async membersToCheck(storeId, all, after, limit) {
      return firstN(peek(tx.state, storeId).members.values(), (m) => (all || m.tier !== null) && (after === null || compareText(m.memberId, after) > 0),
        (a, b) => compareText(a.memberId, b.memberId), limit).map((m) => m.memberId);
    },
    async setTier(storeId, memberId, tier, manualTier, at) {
      const t = peek(tx.state, storeId);
      const row = t.members.get(memberId);
      if (row) tx.put(t.members, memberId, { ...row, tier, manualTier: manualTier === undefined ? row.manualTier : manualTier, updatedAt: timestamp(at, "updated_at") });
    },
  };
}

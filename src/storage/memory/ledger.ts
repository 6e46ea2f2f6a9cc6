import type { MemberBook } from "../../core/ledger/book.ts";
import type { Hold, Lot } from "../../core/ledger/types.ts";
import type { LedgerRepository } from "../../core/ports/repositories.ts";
import { checkViolation, foreignKeyViolation, uniqueViolation } from "./errors.ts";
import { toEntry, toHold, toLot } from "./rows.ts";
import { peek, type LotRow, type Tenant } from "./state.ts";
import { newMemberRow, putHold, putLot, requireStoreRow, rowsOf, rowsOfAll, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { dayRange, earliestDue, expiresAt, holdTimesOutAt, indexedRows, maturesAt, soonestDue, type DueIndex } from "./due.ts";
import { compareText, firstN, integer, optionalTimestamp, timestamp } from "./values.ts";
import { entryRows, tallyEntries } from "./tally.ts";

const LOT_STATUSES = new Set(["pending", "available"]);
const HOLD_STATUSES = new Set(["held", "captured", "released"]);
const DAY_MS = 86_400_000;

function checkLot(points: number, remaining: number, status: string): void {
  if (!(points > 0)) throw checkViolation("lots", "points > 0");
  if (!(remaining >= 0 && remaining <= points)) throw checkViolation("lots", "remaining >= 0 AND remaining <= points");
  if (!LOT_STATUSES.has(status)) throw checkViolation("lots", "status IN ('pending', 'available')");
}

function checkHold(points: number, status: string): void {
  if (!(points > 0)) throw checkViolation("holds", "points > 0");
  if (!HOLD_STATUSES.has(status)) throw checkViolation("holds", "status IN ('held', 'captured', 'released')");
}

function newLotRow(tx: MemoryTx, t: Tenant, l: Lot): LotRow {
  if (t.lots.has(l.id)) throw uniqueViolation("lots", `id=${l.id}`);
  const row: LotRow = {
    id: l.id, memberId: l.memberId, points: integer(l.points, "points"), remaining: integer(l.remaining, "remaining"), status: l.status,
    earnedAt: timestamp(l.earnedAt, "earned_at"), availableAt: timestamp(l.availableAt, "available_at"),
    expiresAt: optionalTimestamp(l.expiresAt, "expires_at"), sourceType: l.source.type, sourceRef: l.source.ref,
    remindedAt: null, createdAt: tx.startedAt,
  };
  checkLot(row.points, row.remaining, row.status);
  return row;
}

/**
 * Lots due a reminder at `now`: soonest expiry first, then by id. Only lots expiring in the window
 * can be due, so only the days it spans are read; the order is total, so it does not depend on
 * the order they are read in.
 */
function remindable(t: Tenant, reminderDays: number, now: Date, limit: number): LotRow[] {
  const from = now.getTime();
  const to = from + integer(reminderDays, "days") * DAY_MS; // both databases run on UTC, where a day is 24 hours
  const due = (l: LotRow) =>
    l.status === "available" && l.remaining > 0 && l.remindedAt === null && l.expiresAt !== null && l.expiresAt.getTime() > from && l.expiresAt.getTime() <= to;
  const [first, last] = dayRange(from, to);
  return firstN(indexedRows(t.lots, t.expiringLots, first, last), due, (a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime() || compareText(a.id, b.id), limit);
}

/**
 * `firstN` over every open lot or hold, soonest `due` first, ties in scan order: what the indexes
 * answer, and the answer itself when rows due at one instant straddle the limit.
 */
function soonestByScan<T>(rows: Iterable<T>, due: (row: T) => number | null, by: number, limit: number): T[] {
  return firstN(rows, (r) => { const at = due(r); return at !== null && at <= by; }, (a, b) => due(a)! - due(b)!, limit);
}

export function ledgerRepository(tx: MemoryTx): LedgerRepository {
  const { jsonb, requiredJsonb } = tx.state.documents;
  return {
    async save(storeId, books: readonly MemberBook[]) {
      // Plain loops over each book's changes (a replay saves a book for every input): the order
      // of writes is the SQL's, lots, holds, entries, allocations, members, then the checks.
      const all = books.map((b) => b.changes());
      const t = tenantFor(tx, storeId);
      for (const x of all) for (const l of x.newLots) putLot(tx, t, newLotRow(tx, t, l));
      for (const x of all) {
        for (const l of x.changedLots) {
          const row = t.lots.get(l.id);
          if (!row) continue;
          const next = { ...row, remaining: integer(l.remaining, "remaining"), status: l.status };
          checkLot(next.points, next.remaining, next.status);
          putLot(tx, t, next);
        }
      }
      for (const x of all) {
        for (const h of x.newHolds) {
          if (t.holds.has(h.id)) throw uniqueViolation("holds", `id=${h.id}`);
          checkHold(h.points, h.status);
          putHold(tx, t, {
            id: h.id, memberId: h.memberId, points: integer(h.points, "points"), status: h.status, expiresAt: timestamp(h.expiresAt, "expires_at"),
            entryId: h.entryId, sourceType: h.source.type, sourceRef: h.source.ref,
            allocations: requiredJsonb<Hold["allocations"]>(h.allocations, "holds", "allocations"), createdAt: tx.startedAt,
          });
        }
      }
      for (const x of all) {
        for (const h of x.changedHolds) {
          const row = t.holds.get(h.id);
          if (!row) continue;
          checkHold(row.points, h.status);
          putHold(tx, t, { ...row, status: h.status });
        }
      }
      // A scratch database of a replay tallies its entries and keeps no allocations (tally.ts).
      const tallied = tx.state.entries === "tallied";
      if (tallied) tallyEntries(tx, t, all.flatMap((x) => x.entries));
      else for (const x of all) {
        for (const e of x.entries) {
          if (t.entries.has(e.id)) throw uniqueViolation("entries", `id=${e.id}`);
          const seqs = tx.inner(t.memberEntries, e.memberId, () => new Map<number, string>());
          if (seqs.has(e.seq)) throw uniqueViolation("entries", `member_id=${e.memberId}, seq=${e.seq}`);
          tx.put(t.entries, e.id, {
            id: e.id, memberId: e.memberId, seq: integer(e.seq, "seq"), type: e.type, points: integer(e.points, "points"),
            delta: integer(e.delta, "delta"), balanceAfter: integer(e.balanceAfter, "balance_after"), at: timestamp(e.at, "at"),
            actor: e.actor, reason: e.reason, sourceType: e.source.type, sourceRef: e.source.ref, lotId: e.lotId, holdId: e.holdId,
            explanation: jsonb(e.explanation), createdAt: tx.startedAt,
          });
          tx.put(seqs, e.seq, e.id);
        }
      }
      // `ord` numbers the allocations of this call, as the SQL's one INSERT does.
      let ord = 0;
      if (!tallied) for (const x of all) {
        for (const a of x.allocations) {
          const key = `${a.entryId}\u0000${ord}`;
          if (t.allocations.has(key)) throw uniqueViolation("allocations", `entry_id=${a.entryId}, ord=${ord}`);
          tx.put(t.allocations, key, { entryId: a.entryId, ord, memberId: x.state.memberId, lotId: a.lotId, points: integer(a.points, "points") });
          ord++;
        }
      }
      // An upsert, as the SQL writes it: a member not there yet (never, after lockBooks) is created.
      for (const x of all) {
        if (x.entries.length === 0) continue;
        const s = x.state;
        if (!(s.debt >= 0)) throw checkViolation("members", "debt >= 0");
        let row = t.members.get(s.memberId);
        if (!row) {
          requireStoreRow(tx, storeId, "members");
          row = newMemberRow(s.memberId, tx.startedAt);
        }
        tx.put(t.members, s.memberId, {
          ...row, balance: integer(s.balance, "balance"), pending: integer(s.pending, "pending"), held: integer(s.held, "held"),
          debt: integer(s.debt, "debt"), seq: integer(s.seq, "seq"),
        });
      }
      // Checked when the whole save is written, as the SQL's one statement checks its foreign keys.
      for (const x of all) for (const l of x.newLots) if (!t.members.has(l.memberId)) throw foreignKeyViolation("lots", `member_id=${l.memberId}`);
    },

    async activity(storeId, memberId, limit, cursor) {
      const t = peek(tx.state, storeId);
      const seqs = t.memberEntries.get(memberId);
      const entries = entryRows(tx.state, t);
      const rows = firstN(seqs?.keys() ?? [], (seq) => cursor === null || seq < cursor, (a, b) => b - a, limit + 1).map((seq) => entries.get(seqs!.get(seq)!)!);
      const data = rows.slice(0, limit).map(toEntry);
      return { data, nextCursor: rows.length > limit ? String(data[data.length - 1]!.seq) : null };
    },

    async dueMembers(storeId, until, limit) {
      // Each kind of due work is taken soonest first up to `limit` rows, as each SQL part walks its index.
      const t = peek(tx.state, storeId);
      const by = until.getTime();
      const lots = (due: (l: LotRow) => number | null, index: DueIndex) =>
        soonestDue(t.lots, index, due, by, limit) ?? soonestByScan(rowsOfAll(t.lots, t.openLots), due, by, limit);
      const holds = soonestDue(t.holds, t.expiringHolds, holdTimesOutAt, by, limit) ?? soonestByScan(rowsOfAll(t.holds, t.openHolds), holdTimesOutAt, by, limit);
      const ids = new Set([
        ...lots(maturesAt, t.maturingLots).map((l) => l.memberId),
        ...lots(expiresAt, t.expiringLots).map((l) => l.memberId),
        ...holds.map((h) => h.memberId),
      ]);
      return [...ids].sort(compareText).slice(0, limit);
    },

    async nextDueAt(storeId, until) {
      const t = peek(tx.state, storeId);
      const by = until.getTime();
      const next = [
        earliestDue(t.lots, t.maturingLots, maturesAt, by),
        earliestDue(t.lots, t.expiringLots, expiresAt, by),
        earliestDue(t.holds, t.expiringHolds, holdTimesOutAt, by),
      ].filter((at) => at !== null);
      return next.length === 0 ? null : new Date(Math.min(...next));
    },

    async holdsByIds(storeId, holdIds) {
      return [...rowsOf(peek(tx.state, storeId).holds, new Set(holdIds))].map(toHold);
    },

    async lotsToRemind(storeId, reminderDays, now, limit) {
      return remindable(peek(tx.state, storeId), reminderDays, now, limit).map(toLot);
    },

    async markReminded(storeId, lotIds, at) {
      const t = peek(tx.state, storeId);
      const when = timestamp(at, "reminded_at");
      for (const row of [...rowsOf(t.lots, new Set(lotIds))]) putLot(tx, t, { ...row, remindedAt: when });
    },

    async claimReminders(storeId, reminderDays, now, limit) {
      const t = peek(tx.state, storeId);
      const claimed = remindable(t, reminderDays, now, limit).map((row) => ({ ...row, remindedAt: timestamp(now, "reminded_at") }));
      for (const row of claimed) putLot(tx, t, row);
      return claimed.map((row) => ({ lot: toLot(row), balance: t.members.get(row.memberId)?.balance ?? 0 }));
    },
  };
}

import type { MemberBook } from "../../core/ledger/book.ts";
import type { LedgerRepository } from "../../core/ports/repositories.ts";
import { json, type Sql, write } from "../sql.ts";
import { toEntry, toHold, toLot, type EntryRow, type HoldRow, type LotRow } from "./rows.ts";

/**
 * Persists a book's changes. Rows go in as one JSON array per table (jsonb_to_recordset), so a
 * write costs a handful of statements however many lots and entries it touched. The UPDATEs also
 * list their keys as an array: the planner guesses 100 rows for jsonb_to_recordset and would
 * otherwise hash-join against a scan of the whole store's members or lots to change one row.
 */
export function ledgerRepository(sql: Sql): LedgerRepository {
  return {
    async save(storeId, books: readonly MemberBook[]) {
      const all = books.map((b) => b.changes());
      const c = {
        newLots: all.flatMap((x) => x.newLots),
        changedLots: all.flatMap((x) => x.changedLots),
        newHolds: all.flatMap((x) => x.newHolds),
        changedHolds: all.flatMap((x) => x.changedHolds),
        entries: all.flatMap((x) => x.entries),
        allocations: all.flatMap((x) => x.allocations.map((a) => ({ ...a, memberId: x.state.memberId }))),
        states: all.filter((x) => x.entries.length > 0).map((x) => x.state),
      };
      if (c.newLots.length > 0) {
        await write(sql, 
          `INSERT INTO lots (store_id, id, member_id, points, remaining, status, earned_at, available_at, expires_at, source_type, source_ref)
           SELECT $1, x.id, x.member_id, x.points, x.remaining, x.status, x.earned_at, x.available_at, x.expires_at, x.source_type, x.source_ref
           FROM jsonb_to_recordset($2::jsonb) AS x(id text, member_id text, points bigint, remaining bigint, status text,
             earned_at timestamptz, available_at timestamptz, expires_at timestamptz, source_type text, source_ref text)`,
          [storeId, json(c.newLots.map((l) => ({
            id: l.id, member_id: l.memberId, points: l.points, remaining: l.remaining, status: l.status,
            earned_at: l.earnedAt, available_at: l.availableAt, expires_at: l.expiresAt,
            source_type: l.source.type, source_ref: l.source.ref,
          })))],
        );
      }
      if (c.changedLots.length > 0) {
        await write(sql, 
          `UPDATE lots SET remaining = x.remaining, status = x.status
           FROM jsonb_to_recordset($2::jsonb) AS x(id text, remaining bigint, status text)
           WHERE lots.store_id = $1 AND lots.id = ANY($3::text[]) AND lots.id = x.id`,
          [storeId, json(c.changedLots.map((l) => ({ id: l.id, remaining: l.remaining, status: l.status }))), c.changedLots.map((l) => l.id)],
        );
      }
      if (c.newHolds.length > 0) {
        await write(sql, 
          `INSERT INTO holds (store_id, id, member_id, points, status, expires_at, entry_id, source_type, source_ref, allocations)
           SELECT $1, x.id, x.member_id, x.points, x.status, x.expires_at, x.entry_id, x.source_type, x.source_ref, x.allocations
           FROM jsonb_to_recordset($2::jsonb) AS x(id text, member_id text, points bigint, status text,
             expires_at timestamptz, entry_id text, source_type text, source_ref text, allocations jsonb)`,
          [storeId, json(c.newHolds.map((h) => ({
            id: h.id, member_id: h.memberId, points: h.points, status: h.status, expires_at: h.expiresAt,
            entry_id: h.entryId, source_type: h.source.type, source_ref: h.source.ref, allocations: h.allocations,
          })))],
        );
      }
      if (c.changedHolds.length > 0) {
        await write(sql, 
          `UPDATE holds SET status = x.status FROM jsonb_to_recordset($2::jsonb) AS x(id text, status text)
           WHERE holds.store_id = $1 AND holds.id = ANY($3::text[]) AND holds.id = x.id`,
          [storeId, json(c.changedHolds.map((h) => ({ id: h.id, status: h.status }))), c.changedHolds.map((h) => h.id)],
        );
      }
      if (c.entries.length > 0) {
        await write(sql, 
          `INSERT INTO entries (store_id, id, member_id, seq, type, points, delta, balance_after, at, actor, reason,
             source_type, source_ref, lot_id, hold_id, explanation)
           SELECT $1, x.id, x.member_id, x.seq, x.type, x.points, x.delta, x.balance_after, x.at, x.actor, x.reason,
             x.source_type, x.source_ref, x.lot_id, x.hold_id, x.explanation
           FROM jsonb_to_recordset($2::jsonb) AS x(id text, member_id text, seq bigint, type text, points bigint,
             delta bigint, balance_after bigint, at timestamptz, actor text, reason text, source_type text,
             source_ref text, lot_id text, hold_id text, explanation jsonb)`,
          [storeId, json(c.entries.map((e) => ({
            id: e.id, member_id: e.memberId, seq: e.seq, type: e.type, points: e.points, delta: e.delta,
            balance_after: e.balanceAfter, at: e.at, actor: e.actor, reason: e.reason, source_type: e.source.type,
            source_ref: e.source.ref, lot_id: e.lotId, hold_id: e.holdId, explanation: e.explanation,
          })))],
        );
      }
      if (c.allocations.length > 0) {
        await write(sql, 
          `INSERT INTO allocations (store_id, entry_id, ord, member_id, lot_id, points)
           SELECT $1, x.entry_id, x.ord, x.member_id, x.lot_id, x.points
           FROM jsonb_to_recordset($2::jsonb) AS x(entry_id text, ord integer, member_id text, lot_id text, points bigint)`,
          [storeId, json(c.allocations.map((a, i) => ({ entry_id: a.entryId, ord: i, member_id: a.memberId, lot_id: a.lotId, points: a.points })))],
        );
      }
      if (c.states.length > 0) {
        await write(sql, 
          // Every member was locked earlier in this transaction, so each row conflicts and is updated,
          // found through the primary key whatever the planner knows of the table (an UPDATE … FROM
          // joined by a plan of its choosing, and without statistics it scanned the store's members).
          `INSERT INTO members (store_id, member_id, balance, pending, held, debt, seq, created_at, updated_at)
           SELECT $1, x.member_id, x.balance, x.pending, x.held, x.debt, x.seq, now(), now()
           FROM jsonb_to_recordset($2::jsonb) AS x(member_id text, balance bigint, pending bigint, held bigint, debt bigint, seq bigint)
           ON CONFLICT (store_id, member_id) DO UPDATE SET balance = EXCLUDED.balance, pending = EXCLUDED.pending,
             held = EXCLUDED.held, debt = EXCLUDED.debt, seq = EXCLUDED.seq`,
          [storeId, json(c.states.map((m) => ({ member_id: m.memberId, balance: m.balance, pending: m.pending, held: m.held, debt: m.debt, seq: m.seq })))],
        );
      }
    },

    async activity(storeId, memberId, limit, cursor) {
      const rows = await sql.query<EntryRow>(
        `SELECT * FROM entries WHERE store_id = $1 AND member_id = $2 AND ($3::bigint IS NULL OR seq < $3)
         ORDER BY seq DESC LIMIT $4`,
        [storeId, memberId, cursor, limit + 1],
      );
      const page = rows.slice(0, limit).map(toEntry);
      return { data: page, nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null };
    },

    async dueMembers(storeId, until, limit) {
      // Each part walks its partial index in due order and stops after `limit` rows, so a call
      // costs the same at the start of a million due lots as at the end (members whose work is
      // settled drop out of the indexes; there is no cursor to scan past).
      const rows = await sql.query<{ member_id: string }>(
        `SELECT member_id FROM (
           (SELECT member_id FROM lots WHERE store_id = $1 AND status = 'pending' AND available_at <= $2
             ORDER BY available_at LIMIT $3)
           UNION
           (SELECT member_id FROM lots WHERE store_id = $1 AND status = 'available' AND remaining > 0
             AND expires_at IS NOT NULL AND expires_at <= $2 ORDER BY expires_at LIMIT $3)
           UNION
           (SELECT member_id FROM holds WHERE store_id = $1 AND status = 'held' AND expires_at <= $2
             ORDER BY expires_at LIMIT $3)
         ) due ORDER BY member_id LIMIT $3`,
        [storeId, until, limit],
      );
      return rows.map((r) => r.member_id);
    },

    async nextDueAt(storeId, until) {
      const [row] = await sql.query<{ at: Date | null }>(
        `SELECT min(at) AS at FROM (
           SELECT min(available_at) AS at FROM lots WHERE store_id = $1 AND status = 'pending' AND available_at <= $2
           UNION ALL
           SELECT min(expires_at) FROM lots WHERE store_id = $1 AND status = 'available' AND remaining > 0 AND expires_at <= $2
           UNION ALL
           SELECT min(expires_at) FROM holds WHERE store_id = $1 AND status = 'held' AND expires_at <= $2
         ) due`,
        [storeId, until],
      );
      return row?.at ?? null;
    },

    async holdsByIds(storeId, holdIds) {
      if (holdIds.length === 0) return [];
      const rows = await sql.query<HoldRow>("SELECT * FROM holds WHERE store_id = $1 AND id = ANY($2::text[])", [storeId, [...holdIds]]);
      return rows.map(toHold);
    },
    async lotsToRemind(storeId, reminderDays, now, limit) {
      const rows = await sql.query<LotRow>(
        `SELECT * FROM lots WHERE store_id = $1 AND status = 'available' AND remaining > 0 AND reminded_at IS NULL
           AND expires_at > $2 AND expires_at <= $2::timestamptz + make_interval(days => $3::int)
         ORDER BY expires_at, id LIMIT $4`,
        [storeId, now, reminderDays, limit],
      );
      return rows.map(toLot);
    },

    async markReminded(storeId, lotIds, at) {
      await write(sql, "UPDATE lots SET reminded_at = $3 WHERE store_id = $1 AND id = ANY($2::text[])", [storeId, [...lotIds], at]);
    },

    async claimReminders(storeId, reminderDays, now, limit) {
      // SKIP LOCKED: lots another transaction is claiming (or spending) are left to it or to the next
      // run, never waited on; a lot claimed and committed meanwhile fails the re-checked
      // `reminded_at IS NULL`, so no two transactions both claim one.
      // The member's balance comes with each lot, for the reminder to state.
      const rows = await sql.query<LotRow & { member_balance: number }>(
        `UPDATE lots SET reminded_at = $2 FROM members m
         WHERE lots.store_id = $1 AND m.store_id = $1 AND m.member_id = lots.member_id AND lots.reminded_at IS NULL AND lots.id IN (
           SELECT id FROM lots WHERE store_id = $1 AND status = 'available' AND remaining > 0 AND reminded_at IS NULL
             AND expires_at > $2 AND expires_at <= $2::timestamptz + make_interval(days => $3::int)
           ORDER BY expires_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING lots.*, m.balance AS member_balance`,
        [storeId, now, reminderDays, limit],
      );
      // RETURNING has no order; reminders go out soonest expiry first, as they were picked.
      const at = (l: { expiresAt: Date | null }) => l.expiresAt?.getTime() ?? 0;
      return rows.map((r) => ({ lot: toLot(r), balance: Number(r.member_balance) }))
        .sort((a, b) => at(a.lot) - at(b.lot) || (a.lot.id < b.lot.id ? -1 : 1));
    },
  };
}

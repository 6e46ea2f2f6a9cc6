import type { LoadedBook, MemberRepository } from "../../core/ports/repositories.ts";
import type { MemberAttributes } from "../../core/ports/records.ts";
import { json, type Sql } from "../sql.ts";
import { toBalance, toHold, toLot, toMember, fromJsonRow, type HoldRow, type Json, type LotRow, type MemberRow } from "./rows.ts";
import { toStore, type StoreRow } from "./stores.ts";

export function memberRepository(sql: Sql): MemberRepository {
  async function loadBooks(storeId: string, rows: MemberRow[], extraLotIds: readonly string[]): Promise<Map<string, LoadedBook>> {
    const ids = rows.map((r) => r.member_id);
    const books = new Map<string, LoadedBook>();
    for (const r of rows) books.set(r.member_id, { member: toMember(r), balance: toBalance(r), lots: [], holds: [] });
    if (ids.length === 0) return books;
    // One statement: the members' open lots and held holds, the lots those holds drew on (maybe
    // empty now: releasing needs them) and the extra lots asked for. Member by member (lateral
    // subqueries the planner may not flatten: OFFSET 0), so each member is one look-up in a partial
    // index whatever the planner knows of the tables; a plain `member_id = ANY(…)`, without
    // statistics, scanned all of the store's open lots.
    const [row] = await sql.query<{ lots: Json[]; holds: Json[] }>(
      `WITH h AS (
         SELECT h.* FROM unnest($2::text[]) AS m(id) CROSS JOIN LATERAL (
           SELECT * FROM holds WHERE store_id = $1 AND member_id = m.id AND status = 'held' OFFSET 0) h),
       open AS (
         SELECT l.* FROM unnest($2::text[]) AS m(id) CROSS JOIN LATERAL (
           SELECT * FROM lots WHERE store_id = $1 AND member_id = m.id AND (remaining > 0 OR status = 'pending') OFFSET 0) l)
       SELECT
         (SELECT coalesce(jsonb_agg(to_jsonb(h)), '[]'::jsonb) FROM h) AS holds,
         (SELECT coalesce(jsonb_agg(to_jsonb(l)), '[]'::jsonb) FROM (
            SELECT * FROM open
            UNION ALL
            SELECT l.* FROM (
                SELECT unnest($3::text[]) AS id
                UNION SELECT a ->> 'lotId' FROM h, jsonb_array_elements(h.allocations) a) x
              CROSS JOIN LATERAL (SELECT * FROM lots WHERE store_id = $1 AND id = x.id OFFSET 0) l
            WHERE l.member_id = ANY($2::text[]) AND NOT (l.remaining > 0 OR l.status = 'pending')) l) AS lots`,
      [storeId, ids, [...extraLotIds]],
    );
    const holds = row!.holds.map((h) => fromJsonRow<HoldRow>(h, ["expires_at"]));
    for (const l of row!.lots) {
      const lot = fromJsonRow<LotRow>(l, ["earned_at", "available_at", "expires_at"]);
      books.get(lot.member_id)?.lots.push(toLot(lot));
    }
    for (const h of holds) books.get(h.member_id)?.holds.push(toHold(h));
    return books;
  }

  return {
    async ensure(storeId, memberId, now) {
      const rows = await sql.query(
        `INSERT INTO members (store_id, member_id, created_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (store_id, member_id) DO NOTHING RETURNING member_id`,
        [storeId, memberId, now],
      );
      return rows.length > 0;
    },
    async ensureMany(storeId, memberIds, now) {
      // Inserted in id order, like lockBooks locks: two batches creating the same new members wait
      // for each other on the unique index instead of deadlocking.
      await sql.query(
        `INSERT INTO members (store_id, member_id, created_at, updated_at)
         SELECT $1, m, $3, $3 FROM unnest($2::text[]) AS m ORDER BY m ON CONFLICT (store_id, member_id) DO NOTHING`,
        [storeId, [...memberIds], now],
      );
    },
    async upsert(storeId, memberId, a: MemberAttributes, now) {
      const [row] = await sql.query<MemberRow>(
        `INSERT INTO members (store_id, member_id, email, phone, birthday, tier, tags, is_member, language, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::jsonb, '[]'::jsonb), COALESCE($8, true), $9, $10, $10)
         ON CONFLICT (store_id, member_id) DO UPDATE SET
           email = CASE WHEN $11 THEN EXCLUDED.email ELSE members.email END,
           phone = CASE WHEN $12 THEN EXCLUDED.phone ELSE members.phone END,
           birthday = CASE WHEN $13 THEN EXCLUDED.birthday ELSE members.birthday END,
           tier = CASE WHEN $14 THEN EXCLUDED.tier ELSE members.tier END,
           tags = CASE WHEN $7::jsonb IS NOT NULL THEN EXCLUDED.tags ELSE members.tags END,
           is_member = COALESCE($8, members.is_member),
           language = CASE WHEN $15 THEN EXCLUDED.language ELSE members.language END,
           updated_at = EXCLUDED.updated_at
         RETURNING *`,
        [
          storeId, memberId, a.email ?? null, a.phone ?? null, a.birthday ?? null, a.tier ?? null,
          a.tags === undefined ? null : json(a.tags), a.isMember ?? null, a.language ?? null, now,
          a.email !== undefined, a.phone !== undefined, a.birthday !== undefined, a.tier !== undefined, a.language !== undefined,
        ],
      );
      return toMember(row!);
    },
    async get(storeId, memberId) {
      const [row] = await sql.query<MemberRow>("SELECT * FROM members WHERE store_id = $1 AND member_id = $2", [storeId, memberId]);
      return row ? toMember(row) : null;
    },
    async lockBooks(storeId, memberIds, extraLotIds = []) {
      const sorted = [...new Set(memberIds)].sort();
      // Locked one by one in id order (the array's order: a lateral subquery per id, each one
      // primary-key look-up whatever the planner knows), so concurrent writers never deadlock.
      const rows = await sql.query<MemberRow>(
        `SELECT m.* FROM unnest($2::text[]) WITH ORDINALITY AS k(id, n) CROSS JOIN LATERAL (
           SELECT * FROM members WHERE store_id = $1 AND member_id = k.id FOR UPDATE) m
         ORDER BY k.n`,
        [storeId, sorted],
      );
      return loadBooks(storeId, rows, extraLotIds);
    },
    async createAndLockBooks(storeId, memberIds, now, extraLotIds = []) {
      const sorted = [...new Set(memberIds)].sort();
      // An upsert that changes nothing still locks the row it meets, so the missing members are
      // created and every one is locked in id order (the input's), in one round trip.
      const rows = await sql.query<MemberRow>(
        `INSERT INTO members (store_id, member_id, created_at, updated_at)
         SELECT $1, k.id, $3, $3 FROM unnest($2::text[]) WITH ORDINALITY AS k(id, n) ORDER BY k.n
         ON CONFLICT (store_id, member_id) DO UPDATE SET updated_at = members.updated_at
         RETURNING *`,
        [storeId, sorted, now],
      );
      return loadBooks(storeId, rows, extraLotIds);
    },
    async readStoreAndBook(storeId, memberId) {
      const [row] = await sql.query<{ store: Json; member: Json | null; lots: Json[]; holds: Json[] }>(
        `SELECT to_jsonb(s) AS store,
           (SELECT to_jsonb(m) FROM members m WHERE m.store_id = $1 AND m.member_id = $2) AS member,
           (SELECT coalesce(jsonb_agg(to_jsonb(l)), '[]'::jsonb) FROM (
             -- Open lots by the partial index, and lots that open holds drew on (maybe empty now).
             SELECT * FROM lots WHERE store_id = $1 AND member_id = $2 AND (remaining > 0 OR status = 'pending')
             UNION
             SELECT * FROM lots WHERE store_id = $1 AND id IN (
               SELECT a ->> 'lotId' FROM holds h, jsonb_array_elements(h.allocations) a
               WHERE h.store_id = $1 AND h.member_id = $2 AND h.status = 'held')) l) AS lots,
           (SELECT coalesce(jsonb_agg(to_jsonb(h)), '[]'::jsonb) FROM holds h
             WHERE h.store_id = $1 AND h.member_id = $2 AND h.status = 'held') AS holds
         FROM stores s WHERE s.id = $1`,
        [storeId, memberId],
      );
      if (!row) return { store: null, book: null };
      const store = toStore(fromJsonRow<StoreRow>(row.store, ["clock_now", "created_at"]));
      if (!row.member) return { store, book: null };
      const member = fromJsonRow<MemberRow>(row.member, ["created_at", "updated_at"]);
      return {
        store,
        book: {
          member: toMember(member), balance: toBalance(member),
          lots: row.lots.map((l) => toLot(fromJsonRow<LotRow>(l, ["earned_at", "available_at", "expires_at"]))),
          holds: row.holds.map((h) => toHold(fromJsonRow<HoldRow>(h, ["expires_at"]))),
        },
      };
    },
    async readBook(storeId, memberId) {
      const rows = await sql.query<MemberRow>("SELECT * FROM members WHERE store_id = $1 AND member_id = $2", [storeId, memberId]);
      return (await loadBooks(storeId, rows, [])).get(memberId) ?? null;
    },
  };
}

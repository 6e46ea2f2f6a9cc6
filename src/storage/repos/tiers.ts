import type { TierRepository } from "../../core/ports/repositories.ts";
import type { Tier } from "../../core/tiers/schema.ts";
import { json, type Sql, write } from "../sql.ts";
import { programChanged } from "./stores.ts";

interface TierRow { code: string; name: string; rank: number; multiplier: number; qualification: Tier["qualification"] }
const toTier = (r: TierRow): Tier => ({ code: r.code, name: r.name, rank: r.rank, multiplier: Number(r.multiplier), qualification: r.qualification });

export function tierRepository(sql: Sql): TierRepository {
  return {
    async list(storeId) {
      return (await sql.query<TierRow>("SELECT * FROM tiers WHERE store_id = $1 ORDER BY rank, code", [storeId])).map(toTier);
    },
    async get(storeId, code) {
      const [row] = await sql.query<TierRow>("SELECT * FROM tiers WHERE store_id = $1 AND code = $2", [storeId, code]);
      return row ? toTier(row) : null;
    },
    async upsert(storeId, tier, at) {
      await sql.query(
        `INSERT INTO tiers (store_id, code, name, rank, multiplier, qualification, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $7)
         ON CONFLICT (store_id, code) DO UPDATE SET name = EXCLUDED.name, rank = EXCLUDED.rank,
           multiplier = EXCLUDED.multiplier, qualification = EXCLUDED.qualification, updated_at = EXCLUDED.updated_at`,
        [storeId, tier.code, tier.name, tier.rank, tier.multiplier, json(tier.qualification), at]);
      await programChanged(sql, storeId);
    },
    async remove(storeId, code) {
      await sql.query("DELETE FROM tiers WHERE store_id = $1 AND code = $2", [storeId, code]);
      await programChanged(sql, storeId);
    },
    async pointsEarned(storeId, memberId, from, to) {
      const [row] = await sql.query<{ total: number | null }>(
        `SELECT sum(points) AS total FROM lots WHERE store_id = $1 AND member_id = $2
           AND source_type IN ('event', 'order') AND earned_at >= $3 AND earned_at <= $4`,
        [storeId, memberId, from, to]);
      return Number(row?.total ?? 0);
    },
    async lastCheck(storeId) {
      const [row] = await sql.query<{ tiers_checked_at: Date | null }>("SELECT tiers_checked_at FROM stores WHERE id = $1", [storeId]);
      return row?.tiers_checked_at ?? null;
    },
    async setLastCheck(storeId, at) {
      await sql.query("UPDATE stores SET tiers_checked_at = $2 WHERE id = $1", [storeId, at]);
    },
    async membersToCheck(storeId, all, after, limit) {
      const rows = await sql.query<{ member_id: string }>(
        `SELECT member_id FROM members WHERE store_id = $1 AND ($2 OR tier IS NOT NULL) AND ($3::text IS NULL OR member_id > $3)
         ORDER BY member_id LIMIT $4`,
        [storeId, all, after, limit]);
      return rows.map((r) => r.member_id);
    },
    async amountSpent(storeId, memberId, from, to) {
      const [row] = await sql.query<{ total: number | null }>(
        `SELECT sum(
           (SELECT COALESCE(sum((l->>'amount')::bigint), 0) FROM jsonb_array_elements(o.body->'lines') l)
           - (SELECT COALESCE(sum((r->>'amount')::bigint), 0) FROM jsonb_array_elements(o.body->'refunds') r)
         ) AS total
         FROM orders o WHERE o.store_id = $1 AND o.member_id = $2 AND o.placed_at >= $3 AND o.placed_at <= $4
           AND o.body->>'canceledAt' IS NULL`,
        [storeId, memberId, from, to]);
      return Math.max(0, Number(row?.total ?? 0));
    },
    async tierState(storeId, memberIds) {
      const rows = await sql.query<{ member_id: string; tier: string | null; manual_tier: string | null }>(
        "SELECT member_id, tier, manual_tier FROM members WHERE store_id = $1 AND member_id = ANY($2::text[])", [storeId, [...memberIds]]);
      return new Map(rows.map((r) => [r.member_id, { tier: r.tier, manualTier: r.manual_tier }]));
    },
    async setTier(storeId, memberId, tier, manualTier, at) {
      await write(sql, 
        `UPDATE members SET tier = $3, manual_tier = CASE WHEN $5 THEN $4 ELSE manual_tier END, updated_at = $6
         WHERE store_id = $1 AND member_id = $2`,
        [storeId, memberId, tier, manualTier ?? null, manualTier !== undefined, at]);
    },
  };
}

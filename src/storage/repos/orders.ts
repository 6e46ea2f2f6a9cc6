import type { OrderAward, OrderRecord, OrderRepository } from "../../core/ports/repositories.ts";
import type { Order } from "../../core/orders/order.ts";
import type { OrderEligibility } from "../../core/orders/eligibility.ts";
import type { OrderOrigin } from "../../core/orders/origin.ts";
import { json, type Sql, write } from "../sql.ts";
import { fromJsonRow, toHold, toRedemption, type HoldRow, type Json, type RedemptionRow } from "./rows.ts";

interface OrderRow { id: string; member_id: string | null; body: Order; eligibility: OrderEligibility | null; origin: OrderOrigin | null; created_at: Date; updated_at: Date }
const toOrder = (r: OrderRow): OrderRecord => ({
  id: r.id, memberId: r.member_id, order: r.body, eligibility: r.eligibility, origin: r.origin, createdAt: r.created_at, updatedAt: r.updated_at,
});

interface AwardRow {
  order_id: string; rule_id: string; rule_version: number; member_id: string; lot_ids: string[]; initial: number; awarded: number;
  reversed: number; cap_cut: number; factors: number[]; earned_at: Date; available_at: Date; expires_at: Date | null; explanation: Record<string, unknown>;
}
const toAward = (r: AwardRow): OrderAward => ({
  orderId: r.order_id, ruleId: r.rule_id, ruleVersion: r.rule_version, memberId: r.member_id, lotIds: r.lot_ids, initial: r.initial,
  awarded: r.awarded, reversed: r.reversed, capCut: r.cap_cut, factors: r.factors, earnedAt: r.earned_at, availableAt: r.available_at,
  expiresAt: r.expires_at, explanation: r.explanation,
});

export function orderRepository(sql: Sql): OrderRepository {
  return {
    async lock(storeId, orderId, p) {
      const inserted = await sql.query(
        `INSERT INTO orders (store_id, id, member_id, channel, body, placed_at, source_updated_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $8) ON CONFLICT (store_id, id) DO NOTHING RETURNING id`,
        [storeId, orderId, p.memberId, p.order.channel, json(p.order), p.order.placedAt, p.order.updatedAt ?? null, p.at]);
      const [row] = await sql.query<OrderRow>("SELECT * FROM orders WHERE store_id = $1 AND id = $2 FOR UPDATE", [storeId, orderId]);
      return { record: toOrder(row!), created: inserted.length > 0 };
    },
    async save(storeId, r) {
      await write(sql, 
        `UPDATE orders SET member_id = $3, channel = $4, body = $5::jsonb, placed_at = $6, source_updated_at = $7, updated_at = $8,
           eligibility = $9::jsonb, origin = COALESCE(origin, $10::jsonb)
         WHERE store_id = $1 AND id = $2`,
        [storeId, r.id, r.memberId, r.order.channel, json(r.order), r.order.placedAt, r.order.updatedAt ?? null, r.updatedAt,
          json(r.eligibility), json(r.origin ?? null)]);
    },
    async get(storeId, orderId, lock = false) {
      const [row] = await sql.query<OrderRow>(`SELECT * FROM orders WHERE store_id = $1 AND id = $2${lock ? " FOR UPDATE" : ""}`, [storeId, orderId]);
      return row ? toOrder(row) : null;
    },
    async awards(storeId, orderId) {
      return (await sql.query<AwardRow>("SELECT * FROM order_awards WHERE store_id = $1 AND order_id = $2 ORDER BY rule_id", [storeId, orderId])).map(toAward);
    },
    async awardsAndSpends(storeId, orderId) {
      // The redemptions' row locks are taken first, in the CTE; awards change only under the order's lock, held already.
      const [row] = await sql.query<{ awards: Json[]; redemptions: Json[]; holds: Json[] }>(
        `WITH r AS (SELECT * FROM redemptions WHERE store_id = $1 AND order_id = $2 ORDER BY created_at, id FOR UPDATE)
         SELECT
           (SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.created_at, r.id), '[]'::jsonb) FROM r) AS redemptions,
           (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.rule_id), '[]'::jsonb) FROM order_awards a WHERE a.store_id = $1 AND a.order_id = $2) AS awards,
           (SELECT coalesce(jsonb_agg(to_jsonb(h)), '[]'::jsonb) FROM holds h
             WHERE h.store_id = $1 AND h.id IN (SELECT r.hold_id FROM r WHERE r.type = 'cashback' AND r.hold_id IS NOT NULL)) AS holds`,
        [storeId, orderId]);
      return {
        awards: row!.awards.map((a) => toAward(fromJsonRow<AwardRow>(a, ["earned_at", "available_at", "expires_at"]))),
        redemptions: row!.redemptions.map((r) => toRedemption(fromJsonRow<RedemptionRow>(r, ["created_at", "updated_at"]))),
        holds: row!.holds.map((h) => toHold(fromJsonRow<HoldRow>(h, ["expires_at"]))),
      };
    },
    async saveAwards(storeId, awards, at) {
      if (awards.length === 0) return;
      await write(sql, 
        `INSERT INTO order_awards (store_id, order_id, rule_id, rule_version, member_id, lot_ids, initial, awarded, reversed, cap_cut,
           factors, earned_at, available_at, expires_at, explanation, created_at, updated_at)
         SELECT $1, x.order_id, x.rule_id, x.rule_version, x.member_id, x.lot_ids, x.initial, x.awarded, x.reversed, x.cap_cut,
           x.factors, x.earned_at, x.available_at, x.expires_at, x.explanation, $3, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(order_id text, rule_id text, rule_version integer, member_id text, lot_ids jsonb,
           initial bigint, awarded bigint, reversed bigint, cap_cut bigint, factors jsonb, earned_at timestamptz,
           available_at timestamptz, expires_at timestamptz, explanation jsonb)
         ON CONFLICT (store_id, order_id, rule_id) DO UPDATE SET rule_version = EXCLUDED.rule_version, member_id = EXCLUDED.member_id,
           lot_ids = EXCLUDED.lot_ids, initial = EXCLUDED.initial, awarded = EXCLUDED.awarded, reversed = EXCLUDED.reversed,
           cap_cut = EXCLUDED.cap_cut, factors = EXCLUDED.factors, earned_at = EXCLUDED.earned_at, available_at = EXCLUDED.available_at,
           expires_at = EXCLUDED.expires_at, explanation = EXCLUDED.explanation, updated_at = EXCLUDED.updated_at`,
        [storeId, json(awards.map((a) => ({
          order_id: a.orderId, rule_id: a.ruleId, rule_version: a.ruleVersion, member_id: a.memberId, lot_ids: a.lotIds, initial: a.initial,
          awarded: a.awarded, reversed: a.reversed, cap_cut: a.capCut, factors: a.factors, earned_at: a.earnedAt, available_at: a.availableAt,
          expires_at: a.expiresAt, explanation: a.explanation,
        }))), at]);
    },
  };
}

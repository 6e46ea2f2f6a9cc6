import { newId } from "../../core/ids.ts";
import type { RedemptionRepository } from "../../core/ports/repositories.ts";
import type { CouponRecord, EntitlementRecord, RedeemMethodRecord } from "../../core/ports/records.ts";
import { json, type Sql, write } from "../sql.ts";
import { toRedemption, type RedemptionRow } from "./rows.ts";

interface MethodRow { id: string; type: string; config: Record<string, unknown>; created_at: Date; updated_at: Date }
const toMethod = (r: MethodRow): RedeemMethodRecord => ({ id: r.id, type: r.type, config: r.config, createdAt: r.created_at, updatedAt: r.updated_at });

interface CouponRow {
  code: string; member_id: string; method_id: string; redemption_id: string; kind: CouponRecord["kind"]; discount: CouponRecord["discount"];
  conditions: CouponRecord["conditions"]; usable_by: CouponRecord["usableBy"]; products: string[] | null; stackable: boolean;
  expires_at: Date | null; used_at: Date | null; used_order_id: string | null; used_by: string | null; created_at: Date;
}
const toCoupon = (r: CouponRow): CouponRecord => ({
  code: r.code, memberId: r.member_id, methodId: r.method_id, redemptionId: r.redemption_id, kind: r.kind, discount: r.discount,
  conditions: r.conditions, usableBy: r.usable_by, products: r.products, stackable: r.stackable, expiresAt: r.expires_at,
  usedAt: r.used_at, usedOrderId: r.used_order_id, usedBy: r.used_by, createdAt: r.created_at,
});

interface EntitlementRow {
  id: string; member_id: string; redemption_id: string; sku: string; units: number; units_remaining: number; expires_at: Date | null; created_at: Date;
}
const toEntitlement = (r: EntitlementRow): EntitlementRecord => ({
  id: r.id, memberId: r.member_id, redemptionId: r.redemption_id, sku: r.sku, units: r.units, unitsRemaining: r.units_remaining,
  expiresAt: r.expires_at, createdAt: r.created_at,
});

export function redemptionRepository(sql: Sql): RedemptionRepository {
  return {
    async insertMethod(storeId, m) {
      await sql.query(
        "INSERT INTO redeem_methods (store_id, id, type, config, created_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6)",
        [storeId, m.id, m.type, json(m.config), m.createdAt, m.updatedAt],
      );
    },
    async getMethod(storeId, id) {
      const [row] = await sql.query<MethodRow>(
        "SELECT * FROM redeem_methods WHERE store_id = $1 AND id = $2 AND deleted_at IS NULL", [storeId, id]);
      return row ? toMethod(row) : null;
    },
    async listMethods(storeId, limit, cursor) {
      const rows = await sql.query<MethodRow>(
        `SELECT * FROM redeem_methods WHERE store_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR id > $2)
         ORDER BY id LIMIT $3`, [storeId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toMethod);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async updateMethod(storeId, m) {
      await sql.query("UPDATE redeem_methods SET config = $3::jsonb, updated_at = $4 WHERE store_id = $1 AND id = $2",
        [storeId, m.id, json(m.config), m.updatedAt]);
    },
    async deleteMethod(storeId, id, at) {
      await sql.query("UPDATE redeem_methods SET deleted_at = $3 WHERE store_id = $1 AND id = $2", [storeId, id, at]);
    },
    async insertRedemption(storeId, r) {
      await write(sql, 
        `INSERT INTO redemptions (store_id, id, member_id, method_id, type, status, points, discount, order_id, hold_id, entitlement_id, code, returned, channel, cart, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17)`,
        [storeId, r.id, r.memberId, r.methodId, r.type, r.status, r.points, r.discount, r.orderId, r.holdId, r.entitlementId, r.code, r.returned, r.channel,
          r.cart === null ? null : json(r.cart), r.createdAt, r.updatedAt],
      );
    },
    async getRedemption(storeId, id, lock) {
      const [row] = await sql.query<RedemptionRow>(
        `SELECT * FROM redemptions WHERE store_id = $1 AND id = $2${lock ? " FOR UPDATE" : ""}`, [storeId, id]);
      return row ? toRedemption(row) : null;
    },
    async updateRedemption(storeId, r) {
      await write(sql, "UPDATE redemptions SET status = $3, updated_at = $4, returned = $5 WHERE store_id = $1 AND id = $2",
        [storeId, r.id, r.status, r.updatedAt, r.returned]);
    },
    async redemptionsByHold(storeId, holdIds) {
      if (holdIds.length === 0) return [];
      const rows = await sql.query<RedemptionRow>(
        "SELECT * FROM redemptions WHERE store_id = $1 AND hold_id = ANY($2::text[])", [storeId, [...holdIds]]);
      return rows.map(toRedemption);
    },
    async redemptionsForOrder(storeId, orderId, lock = true) {
      const rows = await sql.query<RedemptionRow>(
        `SELECT * FROM redemptions WHERE store_id = $1 AND order_id = $2 ORDER BY created_at, id${lock ? " FOR UPDATE" : ""}`, [storeId, orderId]);
      return rows.map(toRedemption);
    },
    async insertCoupon(storeId, c) {
      await write(sql, 
        `INSERT INTO coupons (store_id, code, member_id, method_id, redemption_id, kind, discount, conditions, usable_by, products, stackable, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10::jsonb, $11, $12, $13)`,
        [storeId, c.code, c.memberId, c.methodId, c.redemptionId, c.kind, json(c.discount), json(c.conditions), c.usableBy, json(c.products), c.stackable, c.expiresAt, c.createdAt]);
    },
    async getCoupon(storeId, code, lock) {
      const [row] = await sql.query<CouponRow>(`SELECT * FROM coupons WHERE store_id = $1 AND code = $2${lock ? " FOR UPDATE" : ""}`, [storeId, code]);
      return row ? toCoupon(row) : null;
    },
    async markCouponUsed(storeId, code, orderId, by, at) {
      await write(sql, "UPDATE coupons SET used_at = $3, used_order_id = $4, used_by = $5 WHERE store_id = $1 AND code = $2", [storeId, code, at, orderId, by]);
    },
    async pointsForOrder(storeId, orderId) {
      const [row] = await sql.query<{ total: number | null }>(
        "SELECT sum(points - returned) AS total FROM redemptions WHERE store_id = $1 AND order_id = $2 AND status IN ('held', 'completed')",
        [storeId, orderId]);
      return Number(row?.total ?? 0);
    },
    async insertEntitlement(storeId, e) {
      await write(sql, 
        `INSERT INTO entitlements (store_id, id, member_id, redemption_id, sku, units, units_remaining, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [storeId, e.id, e.memberId, e.redemptionId, e.sku, e.units, e.unitsRemaining, e.expiresAt, e.createdAt],
      );
    },
    async getEntitlement(storeId, id, lock) {
      const [row] = await sql.query<EntitlementRow>(
        `SELECT * FROM entitlements WHERE store_id = $1 AND id = $2${lock ? " FOR UPDATE" : ""}`, [storeId, id]);
      return row ? toEntitlement(row) : null;
    },
    async listEntitlements(storeId, memberId, limit, cursor) {
      const rows = await sql.query<EntitlementRow>(
        `SELECT * FROM entitlements WHERE store_id = $1 AND member_id = $2 AND ($3::text IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4`, [storeId, memberId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toEntitlement);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async consumeEntitlement(storeId, id, units, actor, at) {
      await write(sql, "UPDATE entitlements SET units_remaining = units_remaining - $3 WHERE store_id = $1 AND id = $2", [storeId, id, units]);
      await write(sql, "INSERT INTO entitlement_uses (store_id, id, entitlement_id, units, actor, at) VALUES ($1, $2, $3, $4, $5, $6)",
        [storeId, newId("use"), id, units, actor, at]);
    },
  };
}

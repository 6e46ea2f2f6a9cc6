import { newId } from "../../core/ids.ts";
import type { RedemptionRepository } from "../../core/ports/repositories.ts";
import type { CouponRecord, EntitlementRecord, RedeemMethodRecord, RedemptionRecord } from "../../core/ports/records.ts";
import { checkViolation, uniqueViolation } from "./errors.ts";
import { toRedemption } from "./rows.ts";
import { peek, type CouponRow, type EntitlementRow, type MethodRow } from "./state.ts";
import { putRedemption, requireStoreRow, rowsOf, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, fromJsonb, integer, optionalInteger, optionalTimestamp, page, timestamp } from "./values.ts";

const REDEMPTION_STATUSES = new Set(["held", "completed", "released", "returned"]);

const toMethod = (r: MethodRow): RedeemMethodRecord => ({
  // The settings as stored (frozen when normalised): read at every redemption, changed by no caller.
  id: r.id, type: r.type, config: r.config, createdAt: r.createdAt, updatedAt: r.updatedAt,
});

const toCoupon = (r: CouponRow): CouponRecord => ({
  code: r.code, memberId: r.memberId, methodId: r.methodId, redemptionId: r.redemptionId, kind: r.kind, discount: fromJsonb(r.discount),
  conditions: fromJsonb(r.conditions), usableBy: r.usableBy, products: fromJsonb(r.products), stackable: r.stackable,
  expiresAt: r.expiresAt, usedAt: r.usedAt, usedOrderId: r.usedOrderId, usedBy: r.usedBy,
  createdAt: r.createdAt,
});

const toEntitlement = (r: EntitlementRow): EntitlementRecord => ({
  id: r.id, memberId: r.memberId, redemptionId: r.redemptionId, sku: r.sku, units: r.units, unitsRemaining: r.unitsRemaining,
  expiresAt: r.expiresAt, createdAt: r.createdAt,
});

function checkEntitlement(units: number, remaining: number): void {
  if (!(units > 0)) throw checkViolation("entitlements", "units > 0");
  if (!(remaining >= 0 && remaining <= units)) throw checkViolation("entitlements", "units_remaining >= 0 AND units_remaining <= units");
}

const byCreation = (a: RedemptionRecord, b: RedemptionRecord) => a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id);

export function redemptionRepository(tx: MemoryTx): RedemptionRepository {
  const { jsonb, requiredJsonb } = tx.state.documents;
  return {
    async insertMethod(storeId, m) {
      requireStoreRow(tx, storeId, "redeem_methods");
      const t = tenantFor(tx, storeId);
      if (t.methods.has(m.id)) throw uniqueViolation("redeem_methods", `id=${m.id}`);
      tx.put(t.methods, m.id, {
        id: m.id, type: m.type, config: requiredJsonb(m.config, "redeem_methods", "config"),
        createdAt: timestamp(m.createdAt, "created_at"), updatedAt: timestamp(m.updatedAt, "updated_at"), deletedAt: null,
      });
    },
    async getMethod(storeId, id) {
      const row = peek(tx.state, storeId).methods.get(id);
      return row && row.deletedAt === null ? toMethod(row) : null;
    },
    async listMethods(storeId, limit, cursor) {
      const rows = firstN(peek(tx.state, storeId).methods.values(), (r) => r.deletedAt === null && (cursor === null || compareText(r.id, cursor) > 0),
        (a, b) => compareText(a.id, b.id), limit + 1);
      return page(rows, limit, toMethod, (r) => r.id);
    },
    async updateMethod(storeId, m) {
      const t = peek(tx.state, storeId);
      const row = t.methods.get(m.id);
      if (row) tx.put(t.methods, m.id, { ...row, config: requiredJsonb(m.config, "redeem_methods", "config"), updatedAt: timestamp(m.updatedAt, "updated_at") });
    },
    async deleteMethod(storeId, id, at) {
      const t = peek(tx.state, storeId);
      const row = t.methods.get(id);
      if (row) tx.put(t.methods, id, { ...row, deletedAt: timestamp(at, "deleted_at") });
    },
    async insertRedemption(storeId, r) {
      const t = tenantFor(tx, storeId);
      if (t.redemptions.has(r.id)) throw uniqueViolation("redemptions", `id=${r.id}`);
      if (!REDEMPTION_STATUSES.has(r.status)) throw checkViolation("redemptions", "status IN ('held', 'completed', 'released', 'returned')");
      putRedemption(tx, t, {
        id: r.id, memberId: r.memberId, methodId: r.methodId, type: r.type, status: r.status, points: integer(r.points, "points"),
        discount: optionalInteger(r.discount, "discount"), orderId: r.orderId, holdId: r.holdId, entitlementId: r.entitlementId, code: r.code,
        returned: integer(r.returned, "returned"), channel: r.channel, cart: jsonb(r.cart),
        createdAt: timestamp(r.createdAt, "created_at"), updatedAt: timestamp(r.updatedAt, "updated_at"),
      });
    },
    async getRedemption(storeId, id) {
      const row = peek(tx.state, storeId).redemptions.get(id);
      return row ? toRedemption(row) : null;
    },
    async updateRedemption(storeId, r) {
      const t = peek(tx.state, storeId);
      const row = t.redemptions.get(r.id);
      if (!row) return;
      if (!REDEMPTION_STATUSES.has(r.status)) throw checkViolation("redemptions", "status IN ('held', 'completed', 'released', 'returned')");
      putRedemption(tx, t, { ...row, status: r.status, updatedAt: timestamp(r.updatedAt, "updated_at"), returned: integer(r.returned, "returned") });
    },
    async redemptionsByHold(storeId, holdIds) {
      const t = peek(tx.state, storeId);
      const ids = new Set([...new Set(holdIds)].flatMap((h) => [...(t.holdRedemptions.get(h) ?? [])]));
      return [...rowsOf(t.redemptions, ids)].map(toRedemption);
    },
    async redemptionsForOrder(storeId, orderId) {
      const t = peek(tx.state, storeId);
      return [...rowsOf(t.redemptions, t.orderRedemptions.get(orderId))].sort(byCreation).map(toRedemption);
    },
    async insertCoupon(storeId, c) {
      requireStoreRow(tx, storeId, "coupons");
      const t = tenantFor(tx, storeId);
      if (t.coupons.has(c.code)) throw uniqueViolation("coupons", `code=${c.code}`);
      if (c.kind !== "coupon" && c.kind !== "product") throw checkViolation("coupons", "kind IN ('coupon', 'product')");
      if (c.usableBy !== "owner" && c.usableBy !== "anyone") throw checkViolation("coupons", "usable_by IN ('owner', 'anyone')");
      // Only the issue is written: a code is always stored unused.
      tx.put(t.coupons, c.code, {
        code: c.code, memberId: c.memberId, methodId: c.methodId, redemptionId: c.redemptionId, kind: c.kind,
        discount: requiredJsonb(c.discount, "coupons", "discount"), conditions: requiredJsonb(c.conditions, "coupons", "conditions"),
        usableBy: c.usableBy, products: jsonb(c.products), stackable: c.stackable, expiresAt: optionalTimestamp(c.expiresAt, "expires_at"),
        usedAt: null, usedOrderId: null, usedBy: null, createdAt: timestamp(c.createdAt, "created_at"),
      });
    },
    async getCoupon(storeId, code) {
      const row = peek(tx.state, storeId).coupons.get(code);
      return row ? toCoupon(row) : null;
    },
    async markCouponUsed(storeId, code, orderId, by, at) {
      const t = peek(tx.state, storeId);
      const row = t.coupons.get(code);
      if (row) tx.put(t.coupons, code, { ...row, usedAt: timestamp(at, "used_at"), usedOrderId: orderId, usedBy: by });
    },
    async pointsForOrder(storeId, orderId) {
      const t = peek(tx.state, storeId);
      let total = 0;
      for (const r of rowsOf(t.redemptions, t.orderRedemptions.get(orderId))) if (r.status === "held" || r.status === "completed") total += r.points - r.returned;
      return total;
    },
    async insertEntitlement(storeId, e) {
      const t = tenantFor(tx, storeId);
      if (t.entitlements.has(e.id)) throw uniqueViolation("entitlements", `id=${e.id}`);
      checkEntitlement(e.units, e.unitsRemaining);
      tx.put(t.entitlements, e.id, {
        id: e.id, memberId: e.memberId, redemptionId: e.redemptionId, sku: e.sku, units: integer(e.units, "units"),
        unitsRemaining: integer(e.unitsRemaining, "units_remaining"), expiresAt: optionalTimestamp(e.expiresAt, "expires_at"),
        createdAt: timestamp(e.createdAt, "created_at"),
      });
    },
    async getEntitlement(storeId, id) {
      const row = peek(tx.state, storeId).entitlements.get(id);
      return row ? toEntitlement(row) : null;
    },
    async listEntitlements(storeId, memberId, limit, cursor) {
      const rows = firstN(peek(tx.state, storeId).entitlements.values(), (r) => r.memberId === memberId && (cursor === null || compareText(r.id, cursor) < 0),
        (a, b) => compareText(b.id, a.id), limit + 1);
      return page(rows, limit, toEntitlement, (r) => r.id);
    },
    async consumeEntitlement(storeId, id, units, actor, at) {
      const t = tenantFor(tx, storeId);
      const row = t.entitlements.get(id);
      if (row) {
        const next = { ...row, unitsRemaining: integer(row.unitsRemaining - units, "units_remaining") };
        checkEntitlement(next.units, next.unitsRemaining);
        tx.put(t.entitlements, id, next);
      }
      if (!(units > 0)) throw checkViolation("entitlement_uses", "units > 0");
      const useId = newId("use");
      tx.put(t.entitlementUses, useId, { id: useId, entitlementId: id, units: integer(units, "units"), actor, at: timestamp(at, "at") });
    },
  };
}

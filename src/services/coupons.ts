import { DomainError, notFound } from "../core/errors.ts";
import type { CouponRecord } from "../core/ports/records.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { normalizeCouponCode } from "../core/redemption/coupon-code.ts";
import { couponRefusal, fieldsNeeded, type CouponCart } from "../core/redemption/coupon-use.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";

export function couponView(c: CouponRecord) {
  return {
    code: c.code, kind: c.kind, discount: c.discount, conditions: c.conditions, owner: c.memberId, usableBy: c.usableBy,
    products: c.products, stackable: c.stackable, expiresAt: c.expiresAt, used: c.usedAt !== null, usedAt: c.usedAt,
    usedOrderId: c.usedOrderId, createdAt: c.createdAt,
  };
}

/** A code and whether it can be used on the checkout described by `check`. */
export async function checkCoupon(services: Services, storeId: string, rawCode: string, check: CouponCart) {
  return services.tx.run(async (repos) => {
    const store = await requireStore(repos, storeId);
    const coupon = await repos.redemptions.getCoupon(storeId, normalizeCouponCode(rawCode), false);
    if (!coupon) throw notFound("coupon");
    const refusal = couponRefusal(coupon, check, storeNow(store, services.clock));
    return { ...couponView(coupon), valid: refusal === null, ...(refusal ? { reason: { code: refusal.code, message: refusal.message } } : {}) };
  });
}

/**
 * Marks a code used on an order; a code is used once. The cart must say what the code's conditions
 * need, and a cart that does not meet them leaves the code unused.
 */
export async function useCoupon(repos: Repositories, services: Services, storeId: string, rawCode: string, input: { orderId: string } & CouponCart, actor: Actor) {
  const store = await requireStore(repos, storeId);
  const code = normalizeCouponCode(rawCode);
  const coupon = await repos.redemptions.getCoupon(storeId, code, true);
  if (!coupon) throw notFound("coupon");
  const now = storeNow(store, services.clock);
  const missing = fieldsNeeded(coupon, input);
  if (missing.length > 0) throw new DomainError("validation_failed", missing.map((e) => `${e.path}: ${e.message}`).join("; "), { errors: missing });
  const refusal = couponRefusal(coupon, input, now);
  if (refusal?.kind === "conditions") {
    throw new DomainError("coupon_conditions_not_met", `the cart does not meet the code's conditions: the code ${refusal.message}`, { reason: refusal.code });
  }
  if (refusal) throw new DomainError("invalid_state", `the code cannot be used: ${refusal.message}`, { reason: refusal.code });
  await repos.redemptions.markCouponUsed(storeId, code, input.orderId, actor.id, now);
  return { ...couponView({ ...coupon, usedAt: now, usedOrderId: input.orderId, usedBy: actor.id }), valid: false };
}

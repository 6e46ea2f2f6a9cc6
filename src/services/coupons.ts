import { DomainError, notFound } from "../core/errors.ts";
import type { CouponRecord } from "../core/ports/records.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { normalizeCouponCode } from "../core/redemption/coupon-code.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";

export function couponView(c: CouponRecord) {
  return {
    code: c.code, kind: c.kind, discount: c.discount, conditions: c.conditions, owner: c.memberId, usableBy: c.usableBy,
    products: c.products, stackable: c.stackable, expiresAt: c.expiresAt, used: c.usedAt !== null, usedAt: c.usedAt,
    usedOrderId: c.usedOrderId, createdAt: c.createdAt,
  };
}

export interface CouponCheck {
  memberId?: string;
  subtotal?: number;
  quantity?: number;
  /** Whether the cart already carries another discount (a non-stackable coupon then does not apply). */
  otherDiscounts?: boolean;
  /** The cart's SKUs: a coupon limited to some products needs at least one of them. */
  skus?: string[];
}

type Refusal = { code: string; message: string };

/** Why a coupon cannot be used on this checkout, or null when it can. */
export function couponRefusal(c: CouponRecord, check: CouponCheck, now: Date): Refusal | null {
  if (c.usedAt) return { code: "used", message: `already used on order ${c.usedOrderId}` };
  if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) return { code: "expired", message: `expired at ${c.expiresAt.toISOString()}` };
  if (c.usableBy === "owner" && check.memberId !== undefined && check.memberId !== c.memberId) return { code: "not_owner", message: "only the member who redeemed it can use this code" };
  if (c.conditions.minSubtotal !== undefined && check.subtotal !== undefined && check.subtotal < c.conditions.minSubtotal) {
    return { code: "below_min_subtotal", message: `needs a subtotal of at least ${c.conditions.minSubtotal}` };
  }
  if (c.conditions.minQuantity !== undefined && check.quantity !== undefined && check.quantity < c.conditions.minQuantity) {
    return { code: "below_min_quantity", message: `needs at least ${c.conditions.minQuantity} items` };
  }
  if (!c.stackable && check.otherDiscounts) return { code: "not_stackable", message: "cannot be combined with other discounts" };
  if (c.products && check.skus !== undefined && !check.skus.some((s) => c.products!.includes(s))) {
    return { code: "no_eligible_products", message: `applies only to ${c.products.join(", ")}` };
  }
  return null;
}

/** A code and whether it can be used on the checkout described by `check`. */
export async function checkCoupon(services: Services, storeId: string, rawCode: string, check: CouponCheck) {
  return services.tx.run(async (repos) => {
    const store = await requireStore(repos, storeId);
    const coupon = await repos.redemptions.getCoupon(storeId, normalizeCouponCode(rawCode), false);
    if (!coupon) throw notFound("coupon");
    const refusal = couponRefusal(coupon, check, storeNow(store, services.clock));
    return { ...couponView(coupon), valid: refusal === null, ...(refusal ? { reason: refusal } : {}) };
  });
}

/** Marks a code used on an order; a code is used once, and a second use is refused. */
export async function useCoupon(repos: Repositories, services: Services, storeId: string, rawCode: string, input: { orderId: string } & CouponCheck, actor: Actor) {
  const store = await requireStore(repos, storeId);
  const code = normalizeCouponCode(rawCode);
  const coupon = await repos.redemptions.getCoupon(storeId, code, true);
  if (!coupon) throw notFound("coupon");
  const now = storeNow(store, services.clock);
  // Using an owner-only code needs to know who is using it.
  if (coupon.usableBy === "owner" && input.memberId === undefined) {
    throw new DomainError("validation_failed", "this code can only be used by its owner: give memberId", { errors: [{ path: "memberId", message: "is required for an owner-only code" }] });
  }
  const refusal = couponRefusal(coupon, input, now);
  if (refusal) throw new DomainError("invalid_state", `the code cannot be used: ${refusal.message}`, { reason: refusal.code });
  await repos.redemptions.markCouponUsed(storeId, code, input.orderId, actor.id, now);
  return { ...couponView({ ...coupon, usedAt: now, usedOrderId: input.orderId, usedBy: actor.id }), valid: false };
}

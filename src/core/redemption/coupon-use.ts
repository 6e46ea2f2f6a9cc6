import type { FieldError } from "../errors.ts";
import type { CouponRecord } from "../ports/records.ts";

/** The checkout a code is checked against or used on. */
export interface CouponCart {
  memberId?: string;
  subtotal?: number;
  quantity?: number;
  /** Whether the cart already carries another discount (a non-stackable code then does not apply). */
  otherDiscounts?: boolean;
  /** The cart's SKUs: a code limited to some products needs at least one of them. */
  products?: string[];
}

export type CouponRefusal =
  | { kind: "state"; code: "used" | "expired" | "not_owner" | "not_stackable"; message: string }
  | { kind: "conditions"; code: "below_min_subtotal" | "below_min_quantity" | "no_eligible_products"; message: string };

/**
 * The fields using this code must give: one per condition it carries, so that a condition is never
 * passed by leaving its field out. A product code names the product it makes free, which is no
 * condition on the cart.
 */
export function fieldsNeeded(c: CouponRecord, cart: CouponCart): FieldError[] {
  const errors: FieldError[] = [];
  if (c.usableBy === "owner" && cart.memberId === undefined) errors.push({ path: "memberId", message: "is required for an owner-only code" });
  if (c.conditions.minSubtotal !== undefined && cart.subtotal === undefined) {
    errors.push({ path: "subtotal", message: `is required: the code needs a subtotal of at least ${c.conditions.minSubtotal}` });
  }
  if (c.conditions.minQuantity !== undefined && cart.quantity === undefined) {
    errors.push({ path: "quantity", message: `is required: the code needs at least ${c.conditions.minQuantity} items` });
  }
  if (c.kind === "coupon" && c.products && cart.products === undefined) {
    errors.push({ path: "products", message: `is required: the code applies only to ${c.products.join(", ")}` });
  }
  return errors;
}

/** Why the code cannot be used on this cart, or null when it can; what the cart does not say is not checked. */
export function couponRefusal(c: CouponRecord, cart: CouponCart, now: Date): CouponRefusal | null {
  if (c.usedAt) return { kind: "state", code: "used", message: `already used on order ${c.usedOrderId}` };
  if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) return { kind: "state", code: "expired", message: `expired at ${c.expiresAt.toISOString()}` };
  if (c.usableBy === "owner" && cart.memberId !== undefined && cart.memberId !== c.memberId) {
    return { kind: "state", code: "not_owner", message: "only the member who redeemed it can use this code" };
  }
  if (c.conditions.minSubtotal !== undefined && cart.subtotal !== undefined && cart.subtotal < c.conditions.minSubtotal) {
    return { kind: "conditions", code: "below_min_subtotal", message: `needs a subtotal of at least ${c.conditions.minSubtotal}` };
  }
  if (c.conditions.minQuantity !== undefined && cart.quantity !== undefined && cart.quantity < c.conditions.minQuantity) {
    return { kind: "conditions", code: "below_min_quantity", message: `needs at least ${c.conditions.minQuantity} items` };
  }
  if (!c.stackable && cart.otherDiscounts) return { kind: "state", code: "not_stackable", message: "cannot be combined with other discounts" };
  if (c.products && cart.products !== undefined && !cart.products.some((s) => c.products!.includes(s))) {
    return { kind: "conditions", code: "no_eligible_products", message: `applies only to ${c.products.join(", ")}` };
  }
  return null;
}

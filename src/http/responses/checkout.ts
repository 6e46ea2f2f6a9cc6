import { z } from "zod";
import type { QuoteReason } from "../../core/redemption/quote.ts";
import type { CouponRefusal } from "../../core/redemption/coupon-use.ts";
import type { CouponRecord } from "../../core/ports/records.ts";
import { enumOf, instantOut, named } from "./common.ts";

export const quoteView = named("CheckoutQuote", z.object({
  balance: z.number().int(),
  maxPoints: z.number().int().describe("The most points the member may use on this cart"),
  maxDiscount: z.number().int().describe("What those points buy, in minor units"),
  pointsPerUnit: z.number().describe("Points worth one unit of the store's currency (10: 10 points = $1)"),
  methodId: z.string().nullable(),
  subtotal: z.number().int(),
  eligibleSubtotal: z.number().int(),
  payable: z.number().int().describe("Left to pay on eligible lines after discounts and store credits"),
  reason: z.string().optional().describe("Why maxPoints is zero"),
  reasonCode: enumOf<QuoteReason | "program_disabled" | "no_method">({
    below_min_subtotal: true, below_min_balance: true, no_points: true, not_stackable_with_discounts: true, no_eligible_products: true,
    nothing_to_pay: true, order_limit_reached: true, program_disabled: true, no_method: true,
  }).optional(),
}));

const couponFields = {
  code: z.string(),
  kind: enumOf<CouponRecord["kind"]>({ coupon: true, product: true }),
  discount: z.looseObject({ type: z.string() }).describe("percent, fixed or free_shipping, or `{type: \"product\", sku}` for a product code"),
  conditions: z.object({ minSubtotal: z.number().int().optional(), minQuantity: z.number().int().optional() }),
  owner: z.string().describe("The member who redeemed it"),
  usableBy: enumOf<CouponRecord["usableBy"]>({ owner: true, anyone: true }),
  products: z.array(z.string()).nullable(),
  stackable: z.boolean(),
  expiresAt: instantOut.nullable(),
  used: z.boolean(),
  usedAt: instantOut.nullable(),
  usedOrderId: z.string().nullable(),
  createdAt: instantOut,
};

export const couponView = named("Coupon", z.object({
  ...couponFields,
  valid: z.boolean().describe("Whether it can be used on the checkout described by the query"),
  reason: z.object({
    code: enumOf<CouponRefusal["code"]>({
      used: true, expired: true, not_owner: true, not_stackable: true, below_min_subtotal: true, below_min_quantity: true, no_eligible_products: true,
    }),
    message: z.string(),
  }).optional().describe("Why it cannot"),
}));

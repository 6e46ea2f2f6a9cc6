import { z } from "zod";
import { count, money, mulDivFloor, positiveCount, positiveMoney, positivePoints } from "../limits.ts";
import { iconSchema } from "../icon.ts";

const common = {
  name: z.string().min(1).max(200),
  description: z.string().max(2_000).optional(),
  icon: iconSchema.optional(),
  channels: z.array(z.string().min(1).max(50)).min(1).default(["online"]),
  enabled: z.boolean().default(true),
};

/** Points for an entitlement (add-on packs, credits): completes at once and grants units. */
export const catalogMethodSchema = z
  .object({
    type: z.literal("catalog"),
    ...common,
    points: positivePoints,
    grant: z
      .object({
        sku: z.string().min(1).max(200),
        units: positiveCount,
        /** Calendar months in the store's zone ("valid for 1 year" = 12: 2027-03-01 → 2028-03-01). */
        validMonths: z.number().int().positive().max(1_200).optional(),
        validDays: z.number().int().positive().max(36_500).nullable().default(null),
      })
      .strict()
      .refine((g) => g.validMonths === undefined || g.validDays === null, { message: "give validMonths or validDays, not both", path: ["validMonths"] }),
  })
  .strict();

/** Points as money at checkout (`points` pts = `amount` minor units): held, then captured or released. */
export const cashbackMethodSchema = z
  .object({
    type: z.literal("cashback"),
    ...common,
    points: positivePoints,
    amount: positiveMoney,
    minSubtotal: money.optional(),
    minBalance: count.optional(),
    maxPointsPerOrder: positivePoints.optional(),
    maxDiscount: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("fixed"), amount: positiveMoney }).strict(),
        z.object({ type: z.literal("percent"), percent: z.number().positive().max(100) }).strict(),
      ])
      .optional(),
    stackWithDiscounts: z.boolean().default(true),
    eligibleProducts: z.array(z.string()).optional(),
    excludeProducts: z.array(z.string()).optional(),
  })
  .strict();

const discountSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("percent"), percent: z.number().positive().max(100) }).strict(),
  z.object({ type: z.literal("fixed"), amount: positiveMoney }).strict(),
  z.object({ type: z.literal("free_shipping"), maxAmount: positiveMoney.optional() }).strict(),
]);

const couponCommon = {
  ...common,
  points: positivePoints,
  conditions: z
    .object({ minSubtotal: money.optional(), minQuantity: positiveCount.optional() })
    .strict()
    .default({}),
  usableBy: z.enum(["owner", "anyone"]).default("owner"),
  stackable: z.boolean().default(false),
  validDays: z.number().int().positive().max(36_500).nullable().default(30),
};

/** Points for a discount code: percent or fixed off, or free shipping, on some or all products. */
export const couponMethodSchema = z
  .object({ type: z.literal("coupon"), ...couponCommon, discount: discountSchema, products: z.array(z.string().min(1)).min(1).optional() })
  .strict();

/** Points for one product: a code that makes that product free. */
export const productMethodSchema = z
  .object({ type: z.literal("product"), ...couponCommon, product: z.object({ sku: z.string().min(1).max(200), name: z.string().max(200).optional() }).strict() })
  .strict();

export const redeemMethodSchema = z.discriminatedUnion("type", [catalogMethodSchema, cashbackMethodSchema, couponMethodSchema, productMethodSchema]);

export type RedeemMethod = z.infer<typeof redeemMethodSchema>;
export type CatalogMethod = z.infer<typeof catalogMethodSchema>;
export type CashbackMethod = z.infer<typeof cashbackMethodSchema>;
export type CouponMethod = z.infer<typeof couponMethodSchema>;
export type ProductMethod = z.infer<typeof productMethodSchema>;
export type CouponDiscount = z.infer<typeof discountSchema>;

/** Discount for P points: floor(P × amount / points) minor units, never rounded up. */
export function cashbackDiscount(method: Pick<CashbackMethod, "points" | "amount">, points: number): number {
  return mulDivFloor(points, method.amount, method.points);
}

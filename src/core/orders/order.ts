import { z } from "zod";
import { isoInstant, money, positiveCount } from "../limits.ts";

const minor = money;
const instant = isoInstant;

export const orderLineSchema = z
  .object({
    sku: z.string().min(1).max(200),
    quantity: positiveCount,
    /** The line's total in minor units (quantity × unit price, before order-level discounts). */
    amount: minor,
    giftCard: z.boolean().default(false),
    pointsEligible: z.boolean().default(true),
    tags: z.array(z.string().max(100)).max(50).optional(),
  })
  .strict();

export const refundSchema = z
  .object({
    id: z.string().min(1).max(200),
    lines: z.array(z.object({ sku: z.string().min(1).max(200), quantity: positiveCount, amount: minor }).strict()).max(1_000).default([]),
    /** Refunded money; when there are no lines it is spread over the order's lines by amount. */
    amount: minor,
    at: instant,
  })
  .strict();

export const orderSchema = z
  .object({
    memberId: z.string().min(1).max(200).nullable().default(null),
    /** A guest checkout ("become a member" ticked, not signed in): earns as a non-member's order. */
    guest: z.boolean().optional(),
    channel: z.string().min(1).max(50).default("online"),
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    lines: z.array(orderLineSchema).max(1_000).default([]),
    discounts: minor.default(0),
    credits: minor.default(0),
    shipping: minor.default(0),
    fees: minor.default(0),
    tags: z.array(z.string().max(100)).max(50).default([]),
    status: z.string().max(50).optional(),
    placedAt: instant,
    paidAt: instant.nullable().optional(),
    fulfilledAt: instant.nullable().optional(),
    deliveredAt: instant.nullable().optional(),
    canceledAt: instant.nullable().optional(),
    refunds: z.array(refundSchema).max(1_000).default([]),
    /** The sender's version of the order; an update older than the stored one is ignored. */
    updatedAt: instant.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.refunds.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: "custom", path: ["refunds", i, "id"], message: "refund ids must be unique" });
      seen.add(r.id);
    });
  });

export type Order = z.infer<typeof orderSchema>;
export type OrderLine = z.infer<typeof orderLineSchema>;

export type AwardOn = "placed" | "paid" | "fulfilled" | "delivered";

/** The timestamp an order rule waits for; null while the order has not reached it. */
export function awardTimestamp(order: Order, awardOn: AwardOn): Date | null {
  const value = { placed: order.placedAt, paid: order.paidAt, fulfilled: order.fulfilledAt, delivered: order.deliveredAt }[awardOn];
  return value ? new Date(value) : null;
}

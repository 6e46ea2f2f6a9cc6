import { z } from "zod";
import { orderSchema } from "../../core/orders/order.ts";
import { instantOut, named } from "./common.ts";

// The order as it was sent (defaults filled), less the sender's version stamp.
const { updatedAt: _senderVersion, ...orderFields } = orderSchema.shape;

export const orderView = named("Order", z.object({
  id: z.string(),
  ...orderFields,
  eligibility: z.object({ isMember: z.boolean(), tier: z.string().nullable(), guest: z.boolean() }).nullable()
    .describe("Who the member was when the order was placed: what its rules judged"),
  import: z.object({ id: z.string(), award: z.boolean() }).optional().describe("An order brought in by a CSV import, and whether it may earn"),
  points: z.object({ earned: z.number().int(), pending: z.number().int(), reversed: z.number().int(), redeemed: z.number().int() }),
  awards: z.array(z.object({
    ruleId: z.string(),
    ruleVersion: z.number().int(),
    points: z.number().int(),
    reversed: z.number().int(),
    status: z.enum(["pending", "available"]),
    earnedAt: instantOut,
    availableAt: instantOut,
    expiresAt: instantOut.nullable(),
    explanation: z.record(z.string(), z.unknown()),
  })),
}));

import { z } from "zod";
import type { RedemptionRecord } from "../../core/ports/records.ts";
import { enumOf, instantOut, named, page } from "./common.ts";

export const entitlementView = named("Entitlement", z.object({
  id: z.string(),
  sku: z.string(),
  units: z.number().int(),
  unitsRemaining: z.number().int(),
  expiresAt: instantOut.nullable(),
  createdAt: instantOut,
}));

export const entitlementPage = page(entitlementView);

export const redemptionView = named("Redemption", z.object({
  id: z.string(),
  memberId: z.string(),
  methodId: z.string(),
  type: z.enum(["catalog", "cashback", "coupon", "product"]),
  status: enumOf<RedemptionRecord["status"]>({ held: true, completed: true, released: true, returned: true }),
  points: z.number().int(),
  discount: z.number().int().optional().describe("Cashback: the discount the points buy, in minor units"),
  orderId: z.string().optional(),
  code: z.string().optional().describe("Coupon and product methods: the code to use at checkout"),
  returned: z.number().int().optional().describe("Points given back after completion (order refunded or canceled)"),
  entitlement: entitlementView.optional().describe("Catalog methods: what was granted"),
  createdAt: instantOut,
  updatedAt: instantOut,
}));

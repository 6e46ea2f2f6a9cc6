import { z } from "zod";
import { cashbackMethodSchema, catalogMethodSchema, couponMethodSchema, productMethodSchema } from "../../core/redemption/methods.ts";
import { instantOut, named, page } from "./common.ts";

const stored = { id: z.string(), createdAt: instantOut, updatedAt: instantOut };

/** The method as defined (SPEC §3 Redeem methods), with its id. */
export const redeemMethodView = named("RedeemMethod", z.discriminatedUnion("type", [
  catalogMethodSchema.safeExtend(stored),
  cashbackMethodSchema.safeExtend(stored),
  couponMethodSchema.safeExtend(stored),
  productMethodSchema.safeExtend(stored),
]));

export const redeemMethodPage = page(redeemMethodView);

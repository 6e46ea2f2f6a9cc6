import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { money, positiveCount } from "../../core/limits.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { couponView, quoteView } from "../responses/checkout.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { quoteCheckout } from "../../services/checkout.ts";
import { checkCoupon, useCoupon } from "../../services/coupons.ts";

const minor = money;

export const cartSchema = z
  .object({
    // The same line shape as an order's, so a storefront can send its lines unchanged.
    lines: z.array(z.object({
      sku: z.string().min(1).max(200), quantity: positiveCount, amount: minor,
      giftCard: z.boolean().optional(), pointsEligible: z.boolean().optional(), tags: z.array(z.string().max(100)).max(50).optional(),
    }).strict()).min(1).max(1_000),
    discounts: minor.default(0),
    credits: minor.default(0),
    shipping: minor.default(0),
  })
  .strict();

const quoteBody = cartSchema.extend({
  memberId: z.string().min(1).max(200),
  channel: z.string().min(1).max(50).optional(),
  methodId: z.string().min(1).max(200).optional(),
  orderId: z.string().min(1).max(200).optional(),
}).strict();

const codeParam = z.object({ code: z.string().min(1).max(100) });
const couponQuery = z.object({
  memberId: z.string().min(1).max(200).optional(),
  subtotal: z.coerce.number().pipe(money).optional(),
  quantity: z.coerce.number().pipe(positiveCount).optional(),
  otherDiscounts: z.enum(["true", "false"]).optional(),
  /** The cart's SKUs, comma-separated: a coupon limited to products needs one of them. */
  products: z.string().max(10_000).optional(),
  /** The former name of `products`. */
  skus: z.string().max(10_000).optional(),
});
const cartSkus = z.array(z.string().min(1).max(200)).max(1_000);
/** Using a code: the fields its conditions need are required (SPEC §3 coupon). */
const useBody = z.object({
  orderId: z.string().min(1).max(200),
  memberId: z.string().min(1).max(200).optional(),
  subtotal: money.optional(),
  quantity: positiveCount.optional(),
  otherDiscounts: z.boolean().optional(),
  /** The cart's SKUs: a code limited to products needs one of them. */
  products: cartSkus.optional(),
  /** The former name of `products`. */
  skus: cartSkus.optional(),
}).strict();

/** `skus` is the former name of `products`; what either lists is in the cart. */
function cartProducts(products: string[] | undefined, skus: string[] | undefined): { products?: string[] } {
  return products === undefined && skus === undefined ? {} : { products: [...(products ?? []), ...(skus ?? [])] };
}
const splitList = (list: string | undefined) => list?.split(",").map((s) => s.trim()).filter((s) => s !== "");

export function registerCheckoutRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/checkout/quote", { ...route({
    operationId: "quoteCheckout", summary: "The most points (and discount) a member may use on a cart, and why when zero", tags: ["checkout"],
    role: "points_manager", body: quoteBody,
    responses: { 200: json("The quote; nothing is held", quoteView) },
    errors: { 422: "`methodId` names no enabled cashback method on the channel" },
  }) }, async (request) => {
    const caller = callerOf(request);
    return quoteCheckout(ctx.services, caller.storeId, parse(quoteBody, request.body));
  });

  app.get("/v1/coupons/:code", { ...route({
    operationId: "getCoupon", summary: "A coupon code and whether it can be used on a checkout", tags: ["checkout"], role: "viewer",
    params: codeParam, querystring: couponQuery,
    responses: { 200: json("The code, and whether it is valid for the checkout described", couponView) },
    errors: { 404: "No such code in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { code } = parse(codeParam, request.params);
    const q = parse(couponQuery, request.query);
    const { products, skus, otherDiscounts, ...rest } = q;
    return checkCoupon(ctx.services, caller.storeId, code, {
      ...rest,
      ...(otherDiscounts === undefined ? {} : { otherDiscounts: otherDiscounts === "true" }),
      ...cartProducts(splitList(products), splitList(skus)),
    });
  });

  app.post("/v1/coupons/:code/use", { ...route({
    operationId: "useCoupon", summary: "Mark a coupon code used on an order (once), if the cart meets its conditions", tags: ["checkout"],
    role: "points_manager", params: codeParam, body: useBody, idempotent: true,
    responses: { 200: json("The code, now used", couponView) },
    errors: {
      404: "No such code in this store",
      409: "The cart does not meet the code's conditions (coupon_conditions_not_met), or the code is used, expired or not the member's (invalid_state)",
    },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { code } = parse(codeParam, request.params);
    const { products, skus, ...body } = parse(useBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: (repos) => useCoupon(repos, ctx.services, caller.storeId, code, { ...body, ...cartProducts(products, skus) }, caller.actor),
    });
  });
}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route, pageQuery } from "../openapi.ts";
import { entitlementPage, entitlementView, redemptionView } from "../responses/redemptions.ts";
import { idParam, memberIdParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { cartSchema } from "./checkout.ts";
import { consumeEntitlement, finishRedemption, getRedemption, listEntitlements, redeem } from "../../services/redemptions.ts";

const redeemBody = z
  .object({
    memberId: z.string().min(1).max(200),
    methodId: z.string().min(1).max(200),
    points: z.number().int().positive().max(1_000_000_000).optional(),
    orderId: z.string().min(1).max(200).optional(),
    channel: z.string().min(1).max(50).optional(),
    cart: cartSchema.optional(),
  })
  .strict();

const consumeBody = z.object({ units: z.number().int().positive().max(1_000_000_000) }).strict();

export function registerRedemptionRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const tags = ["redemptions"];
  app.post("/v1/redemptions", { ...route({
    operationId: "createRedemption", summary: "Spend points on a redeem method", tags, role: "points_manager", body: redeemBody, idempotent: true,
    responses: { 201: json("The redemption: held (cashback) or completed", redemptionView) },
    errors: {
      404: "No such member or redeem method",
      409: "Not enough points (insufficient_points, with `available`), the program is disabled (program_disabled), the method is disabled (invalid_state), or past the order's limit (exceeds_order_limit)",
    },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(redeemBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => redeem(repos, ctx.services, caller.storeId, body, caller.actor),
    });
  });

  app.get("/v1/redemptions/:id", { ...route({
    operationId: "getRedemption", summary: "One redemption", tags, role: "viewer", params: idParam,
    responses: { 200: json("The redemption", redemptionView) },
    errors: { 404: "No such redemption in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    return getRedemption(ctx.services, caller.storeId, parse(idParam, request.params).id);
  });

  for (const action of ["capture", "release"] as const) {
    const summary = action === "capture" ? "Capture held points (the order was paid)" : "Release held points (the order was canceled)";
    app.post(`/v1/redemptions/:id/${action}`, { ...route({
      operationId: `${action}Redemption`, summary, tags, role: "points_manager", params: idParam, idempotent: true,
      responses: { 200: json(`The redemption, ${action === "capture" ? "completed" : "released"}`, redemptionView) },
      errors: { 404: "No such redemption in this store", 409: "The redemption is not held (invalid_state), or its hold timed out (expired)" },
    }) }, async (request, reply) => {
      const caller = callerOf(request);
      const { id } = parse(idParam, request.params);
      return write(request, reply, ctx.services, {
        storeId: caller.storeId,
        status: 200,
        run: (repos) => finishRedemption(repos, ctx.services, caller.storeId, id, action, caller.actor),
      });
    });
  }

  app.get("/v1/members/:memberId/entitlements", { ...route({
    operationId: "listMemberEntitlements", summary: "A member's entitlements", tags: ["entitlements"], role: "viewer", params: memberIdParam, querystring: pageQuery,
    responses: { 200: json("A page of entitlements", entitlementPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { memberId } = parse(memberIdParam, request.params);
    const q = parse(pageQuery, request.query);
    return listEntitlements(ctx.services, caller.storeId, memberId, { limit: q.limit, cursor: q.cursor ?? null });
  });

  app.post("/v1/entitlements/:id/consume", { ...route({
    operationId: "consumeEntitlement", summary: "Use units of an entitlement", tags: ["entitlements"], role: "points_manager",
    params: idParam, body: consumeBody, idempotent: true,
    responses: { 200: json("The entitlement after use", entitlementView) },
    errors: { 404: "No such entitlement in this store", 409: "Fewer units remain than asked (insufficient_units), or it expired (expired)" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    const { units } = parse(consumeBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: (repos) => consumeEntitlement(repos, ctx.services, caller.storeId, id, units, caller.actor),
    });
  });
}

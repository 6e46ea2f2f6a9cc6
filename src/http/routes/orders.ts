import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { orderView } from "../responses/orders.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { orderSchema } from "../../core/orders/order.ts";
import { getOrder, upsertOrder } from "../../services/orders.ts";

const orderParam = z.object({ orderId: z.string().min(1).max(200) });

export function registerOrderRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.put("/v1/orders/:orderId", { ...route({
    operationId: "upsertOrder", summary: "Upsert the whole order; points are reconciled to its current state", tags: ["orders"], role: "points_manager",
    params: orderParam, body: orderSchema, idempotent: true,
    responses: { 200: json("The order with its points", orderView) },
    errors: { 422: "A timestamp is in the future (occurred_in_future)" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { orderId } = parse(orderParam, request.params);
    const order = parse(orderSchema, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: (repos) => upsertOrder(repos, ctx.services, caller.storeId, orderId, order, caller.actor),
    });
  });

  app.get("/v1/orders/:orderId", { ...route({
    operationId: "getOrder", summary: "The order with the points it earned, has pending, had reversed and spent", tags: ["orders"], role: "viewer",
    params: orderParam,
    responses: { 200: json("The order with its points", orderView) },
    errors: { 404: "No such order in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    return getOrder(ctx.services, caller.storeId, parse(orderParam, request.params).orderId);
  });
}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, noContent, route, pageQuery } from "../openapi.ts";
import { redeemMethodPage, redeemMethodView } from "../responses/redeem-methods.ts";
import { idParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { redeemMethodSchema } from "../../core/redemption/methods.ts";
import { createMethod, deleteMethod, getMethod, listMethods, updateMethod } from "../../services/redeem-methods.ts";

const patchBody = z.record(z.string(), z.unknown());

export function registerRedeemMethodRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const tags = ["redeem methods"];
  app.get("/v1/redeem-methods", { ...route({
    operationId: "listRedeemMethods", summary: "List redeem methods", tags, role: "viewer", querystring: pageQuery,
    responses: { 200: json("A page of redeem methods", redeemMethodPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    return listMethods(ctx.services, caller.storeId, { limit: q.limit, cursor: q.cursor ?? null });
  });

  app.post("/v1/redeem-methods", { ...route({
    operationId: "createRedeemMethod", summary: "Add a redeem method (audited)", tags, role: "admin", body: redeemMethodSchema, idempotent: true,
    responses: { 201: json("The method", redeemMethodView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(redeemMethodSchema, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => createMethod(repos, ctx.services, caller.storeId, body, caller.actor),
    });
  });

  app.get("/v1/redeem-methods/:id", { ...route({
    operationId: "getRedeemMethod", summary: "One redeem method", tags, role: "viewer", params: idParam,
    responses: { 200: json("The method", redeemMethodView) },
    errors: { 404: "No such method in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    return getMethod(ctx.services, caller.storeId, parse(idParam, request.params).id);
  });

  app.patch("/v1/redeem-methods/:id", { ...route({
    operationId: "updateRedeemMethod", summary: "Change a redeem method (audited); the type cannot change", tags, role: "admin",
    description: "The body holds the fields to change; the method they make is checked as a whole.",
    params: idParam, body: patchBody,
    responses: { 200: json("The method after the change", redeemMethodView) },
    errors: { 404: "No such method in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return updateMethod(ctx.services, caller.storeId, id, parse(patchBody, request.body), caller.actor);
  });

  app.delete("/v1/redeem-methods/:id", { ...route({
    operationId: "deleteRedeemMethod", summary: "Delete a redeem method; what it issued stays valid", tags, role: "admin", params: idParam,
    responses: { 204: noContent("Deleted") },
    errors: { 404: "No such method in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    await deleteMethod(ctx.services, caller.storeId, parse(idParam, request.params).id, caller.actor);
    return reply.code(204).send();
  });
}

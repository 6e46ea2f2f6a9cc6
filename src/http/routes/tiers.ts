import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, noContent, route } from "../openapi.ts";
import { countView } from "../responses/common.ts";
import { tierPage, tierView } from "../responses/tiers.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { tierSchema } from "../../core/tiers/schema.ts";
import { assignTier, deleteTier, getTier, listTiers, saveTier } from "../../services/tiers.ts";

const codeParam = z.object({ code: z.string().min(1).max(50) });
/** PATCH as documented: any of the tier's fields but its code. */
const tierPatchDoc = z.record(z.string(), z.unknown());
const assignBody = z.object({ memberIds: z.array(z.string().min(1).max(200)).min(1).max(100_000) }).strict();

export function registerTierRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const tags = ["tiers"];
  app.get("/v1/tiers", { ...route({ operationId: "listTiers", summary: "Tier definitions, lowest rank first", tags, role: "viewer", responses: { 200: json("Every tier, on one page", tierPage) } }) }, async (request) => {
    const caller = callerOf(request);
    return { data: await listTiers(ctx.services, caller.storeId), nextCursor: null };
  });

  app.post("/v1/tiers", { ...route({
    operationId: "createTier", summary: "Define a tier (audited)", tags, role: "admin", body: tierSchema, idempotent: true,
    responses: { 201: json("The tier", tierView) },
    errors: { 409: "A tier with this code exists (conflict)" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const tier = parse(tierSchema, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => saveTier(repos, ctx.services, caller.storeId, tier, caller.actor, false),
    });
  });

  app.get("/v1/tiers/:code", { ...route({
    operationId: "getTier", summary: "One tier", tags, role: "viewer", params: codeParam,
    responses: { 200: json("The tier", tierView) },
    errors: { 404: "No such tier in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    return getTier(ctx.services, caller.storeId, parse(codeParam, request.params).code);
  });

  app.patch("/v1/tiers/:code", { ...route({
    operationId: "updateTier", summary: "Change a tier (audited); the code cannot change", tags, role: "admin",
    description: "The body holds the fields to change; the tier they make is checked as a whole.",
    params: codeParam, body: tierPatchDoc, idempotent: true,
    responses: { 200: json("The tier after the change", tierView) },
    errors: { 404: "No such tier in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { code } = parse(codeParam, request.params);
    const current = await getTier(ctx.services, caller.storeId, code);
    const next = parse(tierSchema, { ...current, ...parse(z.record(z.string(), z.unknown()), request.body), code });
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 200, run: (repos) => saveTier(repos, ctx.services, caller.storeId, next, caller.actor, true) });
  });

  app.delete("/v1/tiers/:code", { ...route({
    operationId: "deleteTier", summary: "Delete a tier definition", tags, role: "admin", params: codeParam, idempotent: true,
    responses: { 204: noContent("Deleted") },
    errors: { 404: "No such tier in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { code } = parse(codeParam, request.params);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 204, run: (repos) => deleteTier(repos, ctx.services, caller.storeId, code, caller.actor) });
  });

  app.post("/v1/tiers/:code/members", { bodyLimit: 16 * 1024 * 1024, ...route({
    operationId: "assignTier", summary: "Set these members' tier by hand (a floor above automatic qualification)", tags, role: "points_manager",
    params: codeParam, body: assignBody, idempotent: true,
    responses: { 200: json("How many members were set", countView) },
    errors: { 404: "No such tier in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { code } = parse(codeParam, request.params);
    const { memberIds } = parse(assignBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: (repos) => assignTier(repos, ctx.services, caller.storeId, memberIds, code, caller.actor),
    });
  });
}

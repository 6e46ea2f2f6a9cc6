import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { route } from "../openapi.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { tierSchema } from "../../core/tiers/schema.ts";
import { assignTier, deleteTier, getTier, listTiers, saveTier } from "../../services/tiers.ts";

const codeParam = z.object({ code: z.string().min(1).max(50) });
const assignBody = z.object({ memberIds: z.array(z.string().min(1).max(200)).min(1).max(100_000) }).strict();

export function registerTierRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const tags = ["tiers"];
  app.get("/v1/tiers", { ...route({ summary: "Tier definitions, lowest rank first", tags, role: "viewer" }) }, async (request) => {
    const caller = callerOf(request);
    return { data: await listTiers(ctx.services, caller.storeId), nextCursor: null };
  });

  app.post("/v1/tiers", { ...route({ summary: "Define a tier (audited)", tags, role: "admin", body: tierSchema }) }, async (request, reply) => {
    const caller = callerOf(request);
    const tier = parse(tierSchema, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => saveTier(repos, ctx.services, caller.storeId, tier, caller.actor, false),
    });
  });

  app.get("/v1/tiers/:code", { ...route({ summary: "One tier", tags, role: "viewer" }) }, async (request) => {
    const caller = callerOf(request);
    return getTier(ctx.services, caller.storeId, parse(codeParam, request.params).code);
  });

  app.patch("/v1/tiers/:code", { ...route({ summary: "Change a tier (audited); the code cannot change", tags, role: "admin" }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { code } = parse(codeParam, request.params);
    const current = await getTier(ctx.services, caller.storeId, code);
    const next = parse(tierSchema, { ...current, ...parse(z.record(z.string(), z.unknown()), request.body), code });
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 200, run: (repos) => saveTier(repos, ctx.services, caller.storeId, next, caller.actor, true) });
  });

  app.delete("/v1/tiers/:code", { ...route({ summary: "Delete a tier definition", tags, role: "admin" }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { code } = parse(codeParam, request.params);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 204, run: (repos) => deleteTier(repos, ctx.services, caller.storeId, code, caller.actor) });
  });

  app.post("/v1/tiers/:code/members", { bodyLimit: 16 * 1024 * 1024, ...route({ summary: "Set these members' tier by hand (a floor above automatic qualification)", tags, role: "points_manager", body: assignBody }) }, async (request, reply) => {
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

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { route, pageQuery } from "../openapi.ts";
import { idParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { earnRuleSchema } from "../../core/rules/schema.ts";
import { createRule, deleteRule, getRule, listRules, updateRule } from "../../services/earn-rules.ts";

const patchBody = z.record(z.string(), z.unknown());

export function registerEarnRuleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const tags = ["earn rules"];
  app.get("/v1/earn-rules", { ...route({ summary: "List earn rules (current versions)", tags, role: "viewer", querystring: pageQuery }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    return listRules(ctx.services, caller.storeId, { limit: q.limit, cursor: q.cursor ?? null });
  });

  app.post("/v1/earn-rules", { ...route({ summary: "Add an earn rule (audited)", tags, role: "admin", body: earnRuleSchema }) }, async (request, reply) => {
    const caller = callerOf(request);
    const rule = parse(earnRuleSchema, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => createRule(repos, ctx.services, caller.storeId, rule, caller.actor),
    });
  });

  app.get("/v1/earn-rules/:id", { ...route({ summary: "One earn rule", tags, role: "viewer" }) }, async (request) => {
    const caller = callerOf(request);
    return getRule(ctx.services, caller.storeId, parse(idParam, request.params).id);
  });

  app.patch("/v1/earn-rules/:id", { ...route({ summary: "Change an earn rule: a new version for events from now on (audited)", tags, role: "admin" }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    const patch = parse(patchBody, request.body);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 200, run: (repos) => updateRule(repos, ctx.services, caller.storeId, id, patch, caller.actor) });
  });

  app.delete("/v1/earn-rules/:id", { ...route({ summary: "Delete an earn rule; points it awarded stay", tags, role: "admin" }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 204, run: (repos) => deleteRule(repos, ctx.services, caller.storeId, id, caller.actor) });
  });
}

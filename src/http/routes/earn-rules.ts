import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, noContent, route, pageQuery } from "../openapi.ts";
import { earnRulePage, earnRuleView } from "../responses/earn-rules.ts";
import { idParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { earnRuleSchema } from "../../core/rules/schema.ts";
import { createRule, deleteRule, getRule, listRules, updateRule } from "../../services/earn-rules.ts";

const patchBody = z.record(z.string(), z.unknown());

export function registerEarnRuleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const tags = ["earn rules"];
  app.get("/v1/earn-rules", { ...route({
    operationId: "listEarnRules", summary: "List earn rules (current versions)", tags, role: "viewer", querystring: pageQuery,
    responses: { 200: json("A page of earn rules", earnRulePage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    return listRules(ctx.services, caller.storeId, { limit: q.limit, cursor: q.cursor ?? null });
  });

  app.post("/v1/earn-rules", { ...route({
    operationId: "createEarnRule", summary: "Add an earn rule (audited)", tags, role: "admin", body: earnRuleSchema, idempotent: true,
    responses: { 201: json("The rule, version 1", earnRuleView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const rule = parse(earnRuleSchema, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => createRule(repos, ctx.services, caller.storeId, rule, caller.actor),
    });
  });

  app.get("/v1/earn-rules/:id", { ...route({
    operationId: "getEarnRule", summary: "One earn rule", tags, role: "viewer", params: idParam,
    responses: { 200: json("The rule's current version", earnRuleView) },
    errors: { 404: "No such rule in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    return getRule(ctx.services, caller.storeId, parse(idParam, request.params).id);
  });

  app.patch("/v1/earn-rules/:id", { ...route({
    operationId: "updateEarnRule", summary: "Change an earn rule: a new version for events from now on (audited)", tags, role: "admin",
    description: "The body holds the fields to change; the rule they make is checked as a whole.",
    params: idParam, body: patchBody, idempotent: true,
    responses: { 200: json("The rule's new version", earnRuleView) },
    errors: { 404: "No such rule in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    const patch = parse(patchBody, request.body);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 200, run: (repos) => updateRule(repos, ctx.services, caller.storeId, id, patch, caller.actor) });
  });

  app.delete("/v1/earn-rules/:id", { ...route({
    operationId: "deleteEarnRule", summary: "Delete an earn rule; points it awarded stay", tags, role: "admin", params: idParam, idempotent: true,
    responses: { 204: noContent("Deleted") },
    errors: { 404: "No such rule in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 204, run: (repos) => deleteRule(repos, ctx.services, caller.storeId, id, caller.actor) });
  });
}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route, pageQuery } from "../openapi.ts";
import { ledgerEntryPage, memberView } from "../responses/members.ts";
import { memberIdParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import type { Entry } from "../../core/ledger/types.ts";
import { getMember, memberActivity, upsertMember } from "../../services/members.ts";
import { memberAttributesSchema } from "../../core/members/attributes.ts";

const memberBody = memberAttributesSchema;

export function entryView(e: Entry) {
  return {
    id: e.id,
    type: e.type,
    points: e.points,
    balanceAfter: e.balanceAfter,
    at: e.at,
    ...(e.reason !== null ? { reason: e.reason } : {}),
    ...(e.explanation !== null ? { explanation: e.explanation } : {}),
    actor: e.actor,
    source: e.source,
    ...(e.lotId ? { lotId: e.lotId } : {}),
  };
}

export function registerMemberRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.put("/v1/members/:memberId", { ...route({
    operationId: "upsertMember", summary: "Create or update a member", tags: ["members"], role: "points_manager", params: memberIdParam, body: memberBody,
    responses: { 200: json("The member with their points", memberView) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { memberId } = parse(memberIdParam, request.params);
    return upsertMember(ctx.services, caller.storeId, memberId, parse(memberBody, request.body), caller.actor);
  });

  app.get("/v1/members/:memberId", { ...route({
    operationId: "getMember", summary: "A member's balance, pending points and expiry schedule", tags: ["members"], role: "viewer", params: memberIdParam,
    responses: { 200: json("The member as of the store's now", memberView) },
    errors: { 404: "A member this store has never seen" },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { memberId } = parse(memberIdParam, request.params);
    return getMember(ctx.services, caller.storeId, memberId);
  });

  app.get("/v1/members/:memberId/activity", { ...route({
    operationId: "listMemberActivity", summary: "Ledger entries, newest first", tags: ["members"], role: "viewer", params: memberIdParam, querystring: pageQuery,
    responses: { 200: json("A page of ledger entries", ledgerEntryPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { memberId } = parse(memberIdParam, request.params);
    const q = parse(pageQuery, request.query);
    const page = await memberActivity(ctx.services, caller.storeId, memberId, { limit: q.limit, cursor: q.cursor ?? null });
    return { data: page.data.map(entryView), nextCursor: page.nextCursor };
  });
}

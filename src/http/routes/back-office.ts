import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { dashboard } from "../../services/dashboard.ts";
import { getStore } from "../../services/stores.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { dashboardView, memberSummaryPage, sessionView } from "../responses/back-office.ts";
import { parse } from "../validation.ts";

const TAGS = ["back office"];

const memberSearchQuery = z.object({
  q: z.string().max(200).default(""),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const dashboardQuery = z.object({ months: z.coerce.number().int().min(1).max(36).default(12) });

/** What the back office reads beyond the resources themselves: who is signed in, member search, the dashboard. */
export function registerBackOfficeRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/session", { ...route({
    operationId: "getSession", summary: "The calling key: its store and role (what the back office shows and allows)", tags: TAGS, role: "viewer",
    responses: { 200: json("The key and its store", sessionView) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const store = await getStore(ctx.services, caller.storeId);
    return {
      key: { id: caller.actor.id, role: caller.actor.role },
      store: { id: store.id, name: store.name, currency: store.currency, timezone: store.timezone, sandbox: store.sandbox, ...(store.sandbox ? { clock: store.clockNow } : {}) },
    };
  });

  app.get("/v1/members", { ...route({
    operationId: "searchMembers", summary: "Find members by the start of their id, email or phone; by id", tags: ["members"], role: "viewer",
    querystring: memberSearchQuery,
    responses: { 200: json("A page of members with their figures", memberSummaryPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(memberSearchQuery, request.query);
    return ctx.services.tx.run((repos) => repos.reports.searchMembers(caller.storeId, q.q.trim(), q.limit, q.cursor ?? null));
  });

  app.get("/v1/dashboard", { ...route({
    operationId: "getDashboard", summary: "Members, points outstanding and their money value, and points issued, redeemed and expired per month (store time zone)",
    tags: TAGS, role: "viewer", querystring: dashboardQuery,
    responses: { 200: json("The figures", dashboardView) },
  }) }, async (request) => {
    const caller = callerOf(request);
    return dashboard(ctx.services, caller.storeId, parse(dashboardQuery, request.query).months);
  });
}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { countView } from "../responses/common.ts";
import { ledgerEntryView } from "../responses/members.ts";
import { memberIdParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { adjustMember, bulkAdjust } from "../../services/adjustments.ts";
import { entryView } from "./members.ts";

const points = z.number().int().min(-1_000_000_000).max(1_000_000_000);
const reason = z.string().trim().min(1).max(500);

const adjustmentBody = z
  .object({
    points: points.refine((p) => p !== 0, { message: "must not be zero" }),
    reason,
    notify: z.object({ email: z.boolean().optional(), sms: z.boolean().optional() }).strict().optional(),
  })
  .strict();

const bulkBody = z
  .object({
    memberIds: z.array(z.string().min(1).max(200)).min(1).max(100_000),
    points: points.refine((p) => p > 0, { message: "bulk adjustments add points; deduct one member at a time" }),
    reason,
  })
  .strict();

export function registerAdjustmentRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/members/:memberId/adjustments", { ...route({
    operationId: "createAdjustment", summary: "Add or deduct points by hand, with a reason", tags: ["adjustments"], role: "points_manager",
    params: memberIdParam, body: adjustmentBody, idempotent: true,
    responses: { 201: json("The ledger entry made", ledgerEntryView) },
    errors: { 409: "A deduction larger than the member's spendable points (insufficient_points, with `available`)" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { memberId } = parse(memberIdParam, request.params);
    const body = parse(adjustmentBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: async (repos) => entryView(await adjustMember(repos, ctx.services, caller.storeId, memberId, body, caller.actor)),
    });
  });

  app.post("/v1/adjustments/bulk", { bodyLimit: 16 * 1024 * 1024, ...route({
    operationId: "createBulkAdjustment", summary: "Add the same points to many members, all or nothing", tags: ["adjustments"], role: "points_manager",
    body: bulkBody, idempotent: true,
    responses: { 201: json("How many members were credited", countView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(bulkBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => bulkAdjust(repos, ctx.services, caller.storeId, body, caller.actor),
    });
  });
}

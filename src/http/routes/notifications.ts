import type { FastifyInstance } from "fastify";
import type { NotificationRecord } from "../../core/ports/notifications.ts";
import { memberNotifications } from "../../services/notifications/list.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, pageQuery, route } from "../openapi.ts";
import { notificationPage } from "../responses/members.ts";
import { memberIdParam } from "../schemas.ts";
import { parse } from "../validation.ts";

/** `at`: when it was sent, else when it was made; `error`: why it failed or was skipped. */
export function notificationView(n: NotificationRecord) {
  const error = n.lastError ?? n.reason;
  return {
    id: n.id,
    scenario: n.scenario,
    channel: n.channel,
    to: n.to,
    status: n.status,
    ...(n.channel === "email" && n.subject ? { subject: n.subject } : {}),
    at: n.sentAt ?? n.createdAt,
    ...(error !== null && n.status !== "sent" ? { error } : {}),
  };
}

export function registerNotificationRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/members/:memberId/notifications", { ...route({
    operationId: "listMemberNotifications", summary: "Emails and SMS made for a member, newest first", tags: ["members"], role: "viewer",
    params: memberIdParam, querystring: pageQuery,
    responses: { 200: json("A page of messages", notificationPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { memberId } = parse(memberIdParam, request.params);
    const q = parse(pageQuery, request.query);
    const page = await memberNotifications(ctx.services, caller.storeId, memberId, { limit: q.limit, cursor: q.cursor ?? null });
    return { data: page.data.map(notificationView), nextCursor: page.nextCursor };
  });
}

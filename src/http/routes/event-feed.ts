import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { OUTGOING_TYPES } from "../../core/outgoing/events.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { outgoingEventPage } from "../responses/events.ts";
import { parse } from "../validation.ts";

const feedQuery = z.object({
  /** The `nextCursor` of the previous page; leave out to start from the first event. */
  after: z.string().regex(/^\d{1,18}$/, "a cursor from a previous page").optional(),
  type: z.enum(OUTGOING_TYPES as [string, ...string[]]).optional(),
  memberId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
}).strict();

export function registerEventFeedRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/event-feed", { ...route({
    operationId: "getEventFeed", summary: "Outgoing events, oldest first: a pull alternative to webhooks, for reconciliation", tags: ["events"],
    role: "viewer", querystring: feedQuery,
    responses: { 200: json("A page of outgoing events; pass `nextCursor` as `after` for the next", outgoingEventPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(feedQuery, request.query);
    const query = { after: q.after ?? null, type: q.type, memberId: q.memberId, limit: q.limit };
    // One statement: outside a transaction where the storage allows it.
    const feed = (repos: Repositories) => repos.outbox.feed(caller.storeId, query);
    return ctx.services.tx.read ? ctx.services.tx.read(feed) : ctx.services.tx.run(feed);
  });
}

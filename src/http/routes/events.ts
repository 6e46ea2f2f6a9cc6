import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { fromZod, problemOf } from "../errors.ts";
import { findBadString } from "../json-body.ts";
import { json, route } from "../openapi.ts";
import { eventBatchView, eventResultView } from "../responses/events.ts";
import { instant } from "../schemas.ts";
import { parse } from "../validation.ts";
import { runCommand } from "../../services/command.ts";
import { eventFingerprint, recordEvents, type EventOutcome } from "../../services/record-events.ts";

export const eventSchema = z
  .object({
    id: z.string().min(1).max(200),
    type: z.string().min(1).max(100),
    memberId: z.string().min(1).max(200),
    occurredAt: instant.optional(),
    channel: z.string().min(1).max(50).optional(),
    properties: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  // Checked here, not by the body parser, so that one bad event in a batch is refused on its own.
  .superRefine((event, ctx) => {
    const bad = findBadString(event);
    if (bad) ctx.addIssue({ code: "custom", path: bad.path.split("."), message: bad.message });
  });

const MAX_BATCH = 10_000;
const batchSchema = z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH) }).strict();
/** The batch as documented: each item an event (checked one by one, so one bad event refuses only itself). */
const batchBodyDoc = z.object({ events: z.array(eventSchema).min(1).max(MAX_BATCH) }).strict();

/** A new event is created (201); a replay answers what was recorded (200). */
const STATUS = { recorded: 201, replayed: 200 } as const;

function resultOf(outcome: EventOutcome) {
  if (outcome.kind !== "refused") return { status: STATUS[outcome.kind], ...(outcome.body as object) };
  return { eventId: outcome.eventId, status: problemOf(outcome.error).status, error: problemOf(outcome.error) };
}

export function registerEventRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/events", { ...route({
    operationId: "recordEvent", summary: "Record an event; matching earn rules award points (idempotent by event id)", tags: ["events"],
    role: "points_manager", body: eventSchema,
    responses: {
      201: json("Recorded now: what it earned", eventResultView),
      200: json("Recorded before with the same body: the same answer", eventResultView),
    },
    errors: {
      409: "The event id was recorded before with another body (idempotency_conflict)",
      422: "`occurredAt` is in the future (occurred_in_future), or a rule's `per_unit` field is not a whole number",
    },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const event = parse(eventSchema, request.body);
    const outcome = await ctx.events.record(caller.storeId, caller.actor, event);
    if (outcome.kind === "refused") throw outcome.error;
    return reply.code(STATUS[outcome.kind]).send(outcome.body);
  });

  app.post("/v1/events/batch", { bodyLimit: 16 * 1024 * 1024, ...route({
    operationId: "recordEventBatch", summary: `Record up to ${MAX_BATCH} events in one transaction; one result per event`, tags: ["events"],
    role: "points_manager", body: batchBodyDoc,
    responses: { 200: json("One result per event, in order: an invalid event is refused on its own", eventBatchView) },
  }, { checksOwnStrings: true }) }, async (request) => {
    const caller = callerOf(request);
    const { events } = parse(batchSchema, request.body);
    const checked = events.map((raw) => ({ raw, parsed: eventSchema.safeParse(raw) }));
    const valid = checked.flatMap((c, index) => (c.parsed.success ? [{ index, event: c.parsed.data, fingerprint: eventFingerprint(c.parsed.data) }] : []));
    const { outcome } = await runCommand(ctx.services, { storeId: caller.storeId, run: (repos) => recordEvents(repos, ctx.services, caller.storeId, valid, caller.actor) });
    if (!outcome.ok) throw outcome.error;
    const outcomes = outcome.value;
    const byIndex = new Map(valid.map((v, i) => [v.index, outcomes[i]!]));
    return {
      results: checked.map((c, index) => {
        const outcome = byIndex.get(index);
        if (outcome) return resultOf(outcome);
        const id = typeof (c.raw as { id?: unknown })?.id === "string" ? (c.raw as { id: string }).id : null;
        const error = c.parsed.success ? null : problemOf(fromZod(c.parsed.error));
        return { eventId: id, status: 422, error };
      }),
    };
  });
}

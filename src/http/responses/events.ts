import { z } from "zod";
import { OUTGOING_TYPES, outgoingData, type OutgoingType } from "../../core/outgoing/events.ts";
import { instantOut, named, page } from "./common.ts";
import { problem } from "./problem.ts";

export const awardView = named("Award", z.object({
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  points: z.number().int(),
  status: z.enum(["pending", "available"]),
  availableAt: instantOut,
  expiresAt: instantOut.nullable(),
  explanation: z.record(z.string(), z.unknown()).describe("The rule, its inputs and the arithmetic"),
}));

const eventResultFields = {
  eventId: z.string(),
  awards: z.array(awardView),
  skipped: z.array(z.object({ ruleId: z.string(), reason: z.string() })).optional().describe("Rules that matched the event type but gave nothing, and why"),
};

export const eventResultView = named("EventResult", z.object(eventResultFields));

export const eventBatchView = named("EventBatchResult", z.object({
  results: z.array(z.union([
    z.object({ status: z.union([z.literal(201), z.literal(200)]).describe("201 recorded now, 200 recorded before (a replay)"), ...eventResultFields }),
    z.object({ eventId: z.string().nullable(), status: z.number().int().min(400).max(499), error: problem.nullable() }),
  ])).describe("One per event, in the order sent"),
}));

const feedEvent = <T extends OutgoingType>(type: T) => z.object({
  id: z.string(),
  type: z.literal(type),
  storeId: z.string(),
  memberId: z.string().nullable(),
  occurredAt: instantOut,
  data: outgoingData[type],
});

/** An outgoing event as the feed and webhooks carry it; `data` is what its type promises. */
export const outgoingEventView = named("OutgoingEvent", z.discriminatedUnion("type", OUTGOING_TYPES.map(feedEvent) as [ReturnType<typeof feedEvent>, ...ReturnType<typeof feedEvent>[]]));

export const outgoingEventPage = page(outgoingEventView);

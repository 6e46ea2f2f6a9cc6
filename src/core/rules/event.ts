import type { RuleVersion } from "./schema.ts";

/** An event accepted for evaluation: dated, on a channel, with the rules in force when it occurred. */
export interface AcceptedEvent {
  id: string;
  type: string;
  memberId: string;
  occurredAt: Date;
  channel: string;
  properties: Record<string, unknown>;
  /** The versions of the rules for this event type in force at `occurredAt`. */
  rules: readonly RuleVersion[];
}

/** What rules may read of the member an event names. */
export interface EventMember {
  tier: string | null;
  tags: readonly string[];
  isMember: boolean;
}

/**
 * What an event's rules read of its member besides the tier, as it was when the event was
 * evaluated: kept with the recorded event, so a replay evaluates it with the member as they were.
 */
export interface EventMemberFacts {
  isMember: boolean;
  tags: string[];
}

/** What conditions, unit fields and once keys read of an event. */
export function subjectOf(e: AcceptedEvent, member: EventMember) {
  return {
    id: e.id, type: e.type, memberId: e.memberId, channel: e.channel, occurredAt: e.occurredAt.toISOString(),
    properties: e.properties, member: { tier: member.tier, tags: member.tags, isMember: member.isMember },
  };
}

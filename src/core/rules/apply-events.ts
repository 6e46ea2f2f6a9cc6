import type { Validity } from "../expiry/validity.ts";
import type { MemberBook } from "../ledger/book.ts";
import type { RecordedEvent } from "../ports/repositories.ts";
import { creditAward, type WrittenAward } from "./credit-award.ts";
import { evaluateRules, type Campaign, type RuleSkip } from "./evaluate.ts";
import { subjectOf, type AcceptedEvent, type EventMember } from "./event.ts";
import type { RuleState } from "./state.ts";

/** The program as events see it: its zone for periods and dates, campaigns, and default validity. */
export interface EventProgram {
  timezone: string;
  campaigns: readonly Campaign[];
  validity: Validity;
}

export interface ApplyEventsInput {
  program: EventProgram;
  events: readonly AcceptedEvent[];
  members: ReadonlyMap<string, EventMember>;
  /** Each named member's book, brought up to `now`; credited in place. */
  books: ReadonlyMap<string, MemberBook>;
  /** Counters and once keys of the events' rules; changed in place as the events are evaluated. */
  state: RuleState;
  /** Earn multiplier by tier code. */
  tierMultipliers: ReadonlyMap<string, number>;
  now: Date;
  actor: string;
}

/** What one event earned: every award with its explanation, and why the other rules gave nothing. */
export interface EventResult {
  eventId: string;
  awards: WrittenAward[];
  skipped?: RuleSkip[];
}

/** What to save: the books and `state` passed in hold the ledger and counter changes. */
export interface AppliedEvents {
  results: EventResult[];
  recorded: RecordedEvent[];
  /** Members who earned points, for tier requalification. */
  earners: string[];
}

/**
 * Evaluates accepted events in order and credits what they earn. Caps, counts and once keys hold
 * across the rules of one event and across the events of the batch, since `state` carries them.
 */
export function applyEvents(input: ApplyEventsInput): AppliedEvents {
  const { program, now, actor } = input;
  const results: EventResult[] = [];
  const recorded: RecordedEvent[] = [];
  for (const e of input.events) {
    const member = input.members.get(e.memberId)!;
    const { awards, skipped } = evaluateRules(e.rules, {
      eventType: e.type, occurredAt: e.occurredAt, channel: e.channel, subject: subjectOf(e, member),
      member: { memberId: e.memberId, tier: member.tier, isMember: member.isMember },
      tierMultiplier: (member.tier && input.tierMultipliers.get(member.tier)) || 1,
      campaigns: program.campaigns, timezone: program.timezone,
    }, input.state);
    const book = input.books.get(e.memberId)!;
    const written = awards.map((a) => creditAward(book, e, a, { timezone: program.timezone, validity: program.validity, now, actor }));
    const points = written.reduce((sum, w) => sum + w.points, 0);
    recorded.push({
      id: e.id, type: e.type, memberId: e.memberId, occurredAt: e.occurredAt, channel: e.channel, properties: e.properties, points, recordedAt: now,
      member: { isMember: member.isMember, tags: [...member.tags] },
    });
    results.push({ eventId: e.id, awards: written, ...(skipped.length > 0 ? { skipped } : {}) });
  }
  const earners = [...new Set(recorded.filter((r) => r.points > 0).map((r) => r.memberId))];
  return { results, recorded, earners };
}

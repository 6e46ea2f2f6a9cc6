import { computeExpiresAt, type Validity } from "../expiry/validity.ts";
import type { MemberBook } from "../ledger/book.ts";
import { addLocalDays } from "../time/zone.ts";
import type { RuleAward } from "./evaluate.ts";

/** An award as written to the member's book and reported back. */
export interface WrittenAward {
  ruleId: string;
  ruleVersion: number;
  points: number;
  status: "pending" | "available";
  availableAt: Date;
  expiresAt: Date | null;
  explanation: Record<string, unknown>;
}

export interface AwardContext {
  timezone: string;
  /** The program's validity, for rules that set none. */
  validity: Validity;
  now: Date;
  actor: string;
}

/** Credits one award of an event to the member's book: pending for `delayDays`, expiring by its validity. */
export function creditAward(book: MemberBook, event: { id: string; occurredAt: Date }, a: RuleAward, ctx: AwardContext): WrittenAward {
  const availableAt = a.delayDays > 0 ? addLocalDays(event.occurredAt, a.delayDays, ctx.timezone) : event.occurredAt;
  const expiresAt = computeExpiresAt(a.validity ?? ctx.validity, { earnedAt: event.occurredAt, availableAt }, ctx.timezone);
  const { lot } = book.credit({
    type: "earn", points: a.points, earnedAt: event.occurredAt, availableAt, expiresAt, at: ctx.now, actor: ctx.actor,
    source: { type: "event", ref: event.id }, reason: String((a.explanation.rule as { name: string }).name), explanation: a.explanation,
  });
  return {
    ruleId: a.ruleId, ruleVersion: a.version, points: a.points,
    status: lot.status === "pending" ? "pending" : "available",
    availableAt, expiresAt, explanation: a.explanation,
  };
}

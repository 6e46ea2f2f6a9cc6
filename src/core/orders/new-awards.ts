import { computeExpiresAt } from "../expiry/validity.ts";
import type { OrderAward } from "../ports/repositories.ts";
import { evaluateRules } from "../rules/evaluate.ts";
import { ORDER_EVENT, type RuleVersion } from "../rules/schema.ts";
import { addLocalDays } from "../time/zone.ts";
import { PROGRAM_DISABLED, type AwardWork } from "./award-moves.ts";
import type { OrderEligibility } from "./eligibility.ts";
import { awardTimestamp } from "./order.ts";
import type { OrderProgram } from "./terms.ts";

export interface NewAwardWork extends AwardWork {
  memberId: string;
  /** Rules that already have an award for this member on this order. */
  awarded: ReadonlySet<string>;
  subject: unknown;
}

function zeroAward(w: NewAwardWork, rv: RuleVersion, at: Date, explanation: Record<string, unknown>): OrderAward {
  return {
    orderId: w.source.ref, ruleId: rv.id, ruleVersion: rv.version, memberId: w.memberId, lotIds: [], initial: 0, awarded: 0, reversed: 0,
    capCut: 0, factors: [], earnedAt: at, availableAt: at, expiresAt: null,
    explanation: { rule: { id: rv.id, name: rv.rule.name, version: rv.version }, ...explanation, points: 0 },
  };
}

/** Awards for rules whose moment has come: pending until the rule's delay, expiring by its validity. */
export function newAwards(rules: readonly RuleVersion[], eligibility: OrderEligibility, snapshot: OrderProgram, w: NewAwardWork): OrderAward[] {
  const made: OrderAward[] = [];
  const book = w.books.get(w.memberId)!;
  for (const rv of rules) {
    if (w.awarded.has(rv.id)) continue;
    const at = awardTimestamp(w.order, rv.rule.timing?.awardOn ?? "paid");
    if (!at) continue;
    const unitsBefore = w.state.counter(w.memberId, rv.id, "lifetime").units;
    const { awards, skipped } = evaluateRules([rv], {
      eventType: ORDER_EVENT, occurredAt: at, channel: w.order.channel, subject: w.subject,
      member: { memberId: w.memberId, tier: eligibility.tier, isMember: eligibility.isMember },
      tierMultiplier: (eligibility.tier && snapshot.tierMultipliers.get(eligibility.tier)) || 1, campaigns: snapshot.program.campaigns,
      timezone: snapshot.timezone, orderBase: w.base,
    }, w.state);
    const a = awards[0];
    if (!a) {
      // The rule counted the order (every_nth, per_unit) but awarded nothing: keep a zero award so
      // that later updates of the same order (paid → fulfilled → delivered) do not count it again.
      if (w.state.counter(w.memberId, rv.id, "lifetime").units !== unitsBefore) {
        made.push(zeroAward(w, rv, at, { counted: true, reason: skipped[0]?.reason ?? null }));
      }
      continue;
    }
    const availableAt = a.delayDays > 0 ? addLocalDays(at, a.delayDays, snapshot.timezone) : at;
    const expiresAt = computeExpiresAt(a.validity ?? snapshot.program.validity, { earnedAt: at, availableAt }, snapshot.timezone);
    const { lot } = book.credit({ type: "earn", points: a.points, earnedAt: at, availableAt, expiresAt, at: w.now, actor: w.actor, source: w.source, reason: rv.rule.name, explanation: a.explanation });
    const caps = (a.explanation.caps as Array<{ cut: number }> | undefined) ?? [];
    made.push({
      orderId: w.source.ref, ruleId: rv.id, ruleVersion: rv.version, memberId: w.memberId, lotIds: [lot.id], initial: a.points, awarded: a.points,
      reversed: 0, capCut: caps.reduce((s, c) => s + c.cut, 0), factors: factorsOf(a.explanation), earnedAt: at, availableAt, expiresAt,
      explanation: a.explanation,
    });
  }
  return made;
}

/**
 * An order placed while the program was disabled lets its award moments pass without points for
 * good: a zero award settles the rule for this order, so that re-enabling never awards it.
 */
export function forgoneAwards(inForce: readonly RuleVersion[], w: NewAwardWork): OrderAward[] {
  return inForce.flatMap((rv) => {
    if (w.awarded.has(rv.id)) return [];
    const at = awardTimestamp(w.order, rv.rule.timing?.awardOn ?? "paid");
    return at ? [zeroAward(w, rv, at, { skipped: PROGRAM_DISABLED })] : [];
  });
}

function factorsOf(explanation: Record<string, unknown>): number[] {
  return ((explanation.multipliers as Array<{ factor: number }> | undefined) ?? []).map((m) => m.factor);
}

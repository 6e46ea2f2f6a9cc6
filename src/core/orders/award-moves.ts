import type { MemberBook } from "../ledger/book.ts";
import type { OrderAward, RuleVersionRow } from "../ports/repositories.ts";
import { applyFactors } from "../rules/multiply.ts";
import { periodKey } from "../rules/periods.ts";
import type { EarnRule } from "../rules/schema.ts";
import type { RuleState } from "../rules/state.ts";
import { awardTarget } from "./award-target.ts";
import { awardTimestamp, type Order } from "./order.ts";

/** Marks a zero award for a rule of an order placed while the program was disabled. */
export const PROGRAM_DISABLED = "program disabled";

export interface AwardWork {
  order: Order;
  source: { type: "order"; ref: string };
  versions: readonly RuleVersionRow[];
  books: ReadonlyMap<string, MemberBook>;
  state: RuleState;
  timezone: string;
  /** The order's money base under a rule, given the points spent on it. */
  base: (rule: EarnRule) => { base: number; detail: Record<string, unknown> };
  now: Date;
  actor: string;
}

/** What the order is worth now under the award's rule, with the factors the award was made with. */
function worthNow(rule: EarnRule, award: OrderAward, base: number): number {
  if (rule.minAmount !== undefined && base < rule.minAmount) return 0;
  if (rule.award.type !== "per_amount") return award.initial + award.capCut;
  const raw = rule.award.rounding === "proportional" ? Math.floor((base * rule.award.points) / rule.award.per) : rule.award.points * Math.floor(base / rule.award.per);
  return applyFactors(raw, award.factors);
}

/**
 * Moves existing awards to the order's current target: edits and refunds reverse or raise the
 * difference into the award's own earn and expiry dates; cancellation, a change of member or an
 * award moment no longer reached take it all back. Returns the awards that changed.
 */
export function moveAwards(awards: readonly OrderAward[], w: AwardWork): OrderAward[] {
  const canceled = Boolean(w.order.canceledAt);
  const changed: OrderAward[] = [];
  for (const loaded of awards) {
    if (loaded.explanation.skipped === PROGRAM_DISABLED) continue;
    const award = { ...loaded };
    const book = w.books.get(award.memberId)!;
    const rule = w.versions.find((v) => v.ruleId === award.ruleId && v.version === award.ruleVersion)?.rule ?? null;
    const reached = rule ? awardTimestamp(w.order, rule.timing?.awardOn ?? "paid") !== null : false;
    let target = rule && !canceled && reached && award.memberId === w.order.memberId
      ? awardTarget(worthNow(rule, award, w.base(rule).base), award, rule.limits.maxPoints?.event)
      : 0;
    const current = award.awarded - award.reversed;
    if (target === current) continue;
    const period = (kind: "day" | "month") => periodKey(kind, award.earnedAt, w.timezone);
    if (target < current) {
      reverseAward(book, award, current - target, w, canceled ? "order canceled" : "order changed or refunded");
      award.reversed += current - target;
    } else {
      // Raising an award still respects the rule's day, month and lifetime caps.
      const room = (["day", "month", "lifetime"] as const).map((p) => {
        const cap = rule?.limits.maxPoints?.[p];
        return cap === undefined ? Number.POSITIVE_INFINITY : cap - w.state.counter(award.memberId, award.ruleId, p === "lifetime" ? "lifetime" : period(p)).points;
      });
      const extra = Math.max(0, Math.min(target - current, ...room));
      if (extra === 0) continue;
      target = current + extra;
      const { lot } = book.credit({
        type: "earn", points: extra, earnedAt: award.earnedAt, availableAt: award.availableAt, expiresAt: award.expiresAt, at: w.now,
        actor: w.actor, source: w.source, reason: String((award.explanation.rule as { name?: string } | undefined)?.name ?? "order"),
        explanation: { ...award.explanation, adjustment: { from: current, to: target } },
      });
      award.awarded += extra;
      award.lotIds = [...award.lotIds, lot.id];
    }
    for (const p of ["day", "month"] as const) w.state.add(award.memberId, award.ruleId, period(p), { points: target - current, times: 0, units: 0 });
    w.state.add(award.memberId, award.ruleId, "lifetime", { points: target - current, times: 0, units: 0 });
    changed.push(award);
  }
  return changed;
}

/** Takes points back from the award's own lots (newest first), then as the ledger's reversal rules say. */
function reverseAward(book: MemberBook, award: OrderAward, points: number, w: AwardWork, reason: string): void {
  const entry = { at: w.now, actor: w.actor, source: w.source, reason, explanation: { ruleId: award.ruleId } };
  let left = points;
  for (const lotId of [...award.lotIds].reverse()) {
    const lot = book.lot(lotId);
    if (!lot || left === 0) continue;
    const take = Math.min(left, lot.remaining);
    if (take === 0) continue;
    book.reverse({ ...entry, points: take, lotId });
    left -= take;
  }
  if (left > 0) book.reverse({ ...entry, points: left, lotId: award.lotIds[0] });
}

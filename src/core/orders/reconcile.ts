import type { MemberBook } from "../ledger/book.ts";
import type { Hold } from "../ledger/types.ts";
import type { OrderAward, OrderRecord } from "../ports/repositories.ts";
import type { RedemptionRecord } from "../ports/records.ts";
import type { EarnRule } from "../rules/schema.ts";
import type { RuleState } from "../rules/state.ts";
import { moveAwards, type AwardWork } from "./award-moves.ts";
import { orderBase } from "./base.ts";
import { forgoneAwards, newAwards } from "./new-awards.ts";
import type { Order } from "./order.ts";
import { pointsDiscount, returnSpentPoints } from "./spent-points.ts";
import { orderSubject, orderTerms, type MemberAsNow, type OrderProgram, type OrderTerms } from "./terms.ts";

export interface OrderUpdate {
  orderId: string;
  /** The order as sent. */
  order: Order;
  /** The order as stored before this update, with its eligibility snapshot. */
  stored: OrderRecord;
  /** The order's member as they are now; a first eligibility snapshot reads it. */
  member: MemberAsNow | undefined;
  snapshot: OrderProgram;
  /** The order's award rows, one per rule. */
  awards: readonly OrderAward[];
  /** The books of every member the order touches, settled to `now`; changed in place. */
  books: ReadonlyMap<string, MemberBook>;
  /** Counters and once keys of the order's rules; changed in place. */
  state: RuleState;
  /** Cashback spent on the order, and the holds it was spent through. */
  spent: readonly RedemptionRecord[];
  spentHolds: readonly Hold[];
  now: Date;
  actor: string;
  /**
   * The order's terms when the caller worked them out already, from this same stored order, order,
   * member and snapshot (the loader does, to know which rule counters to load).
   */
  terms?: OrderTerms;
}

/** What an update of an order comes to, beside the changes made in the books and the rule state. */
export interface OrderChanges {
  record: OrderRecord;
  /** Award rows to insert or replace, at most one per rule. */
  awards: OrderAward[];
  /** Redemptions whose points the order gave back. */
  redemptions: RedemptionRecord[];
}

/**
 * Reconciles an order's points to its current state: awards appear when the rule's awardOn
 * timestamp is set; edits and refunds raise or reverse the difference into the same earn and
 * expiry dates; cancellation reverses everything and gives back the points spent on the order.
 * Updates commute: the result depends on the order's state, not on the order updates arrived in.
 */
export function reconcileOrder(u: OrderUpdate): OrderChanges {
  const { order, snapshot } = u;
  const terms = u.terms ?? orderTerms(u.stored, order, u.member, snapshot);
  const record = recordAfter(u.stored, order, u.now, terms);
  const discount = pointsDiscount(order, u.spent, u.books);
  const work: AwardWork = {
    order, source: { type: "order", ref: u.orderId }, versions: snapshot.versions, books: u.books, state: u.state,
    timezone: snapshot.timezone, base: (rule: EarnRule) => orderBase(order, rule, discount), now: u.now, actor: u.actor,
  };
  const changed = moveAwards(u.awards, work);

  const canceled = Boolean(order.canceledAt);
  if (u.member && !canceled) {
    const memberId = u.member.memberId;
    const fresh = {
      ...work, memberId, subject: orderSubject(u.orderId, order),
      awarded: new Set(u.awards.filter((a) => a.memberId === memberId).map((a) => a.ruleId)),
    };
    if (terms.eligibility) changed.push(...newAwards(terms.rules, terms.eligibility, snapshot, fresh));
    if (!terms.promised) changed.push(...forgoneAwards(terms.inForce, fresh));
  }

  const redemptions = returnSpentPoints(order, u.orderId, u.spent, u.spentHolds, u.books, u.now, u.actor);
  // When the order changed member, the new member's award replaces the old one's row (the ledger keeps both).
  return { record, awards: [...new Map(changed.map((a) => [a.ruleId, a])).values()], redemptions };
}

/** The order as stored after an update: as sent, with its member then, and its eligibility snapshot (taken at its first update). */
export function recordAfter(stored: OrderRecord, order: Order, now: Date, terms: Pick<OrderTerms, "eligibility">): OrderRecord {
  return { ...stored, memberId: order.memberId, order, updatedAt: now, eligibility: terms.eligibility };
}

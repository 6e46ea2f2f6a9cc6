import type { Hold } from "../ledger/types.ts";
import type { ProgramSettings } from "../program/settings.ts";
import type { OnceKey, OrderAward, OrderRecord, RuleVersionRow } from "../ports/repositories.ts";
import type { RedemptionRecord } from "../ports/records.ts";
import { onceKeyOf } from "../rules/once.ts";
import { periodKey } from "../rules/periods.ts";
import { rulesInForce } from "../rules/in-force.ts";
import { ORDER_EVENT, type RuleVersion } from "../rules/schema.ts";
import { orderEligibility, type OrderEligibility } from "./eligibility.ts";
import { awardTimestamp, type Order } from "./order.ts";
import { mayEarn } from "./origin.ts";

/** What of the store an order's points depend on. */
export interface OrderProgram {
  timezone: string;
  program: Pick<ProgramSettings, "enabled" | "validity" | "campaigns">;
  /** Every version of the store's order rules: an award is moved under the version that made it. */
  versions: readonly RuleVersionRow[];
  tierMultipliers: ReadonlyMap<string, number>;
}

export type MemberAsNow = { memberId: string; isMember: boolean; tier: string | null };

export interface OrderTerms {
  eligibility: OrderEligibility | null;
  /** Whether the order was placed while the program was enabled, and so earns at its award moments. */
  promised: boolean;
  /** The order rules in force at the order's placedAt, which govern it for life like an event's occurredAt. */
  inForce: readonly RuleVersion[];
  /** The rules that may award the order: those in force, unless the program made no promise. */
  rules: readonly RuleVersion[];
}

/**
 * Audiences see the member as they were when the order was first recorded, not as they are now.
 * An order placed while the program was enabled keeps its promise and earns at its award moment
 * even if the program has been disabled since; one placed while it was disabled never earns.
 * An order imported as history never earns, whatever its later updates say.
 */
export function orderTerms(
  stored: OrderRecord, order: Order, member: MemberAsNow | undefined, snapshot: Pick<OrderProgram, "program" | "versions">,
  inForce: readonly RuleVersion[] = orderRulesInForce(order, snapshot.versions),
): OrderTerms {
  const eligibility = orderEligibility(stored.eligibility, order, member, snapshot.program.enabled);
  const promised = eligibility?.programEnabled ?? snapshot.program.enabled;
  return { eligibility, promised, inForce, rules: promised && mayEarn(stored.origin) ? inForce : [] };
}

/** The order rules in force at the order's placedAt: they govern it for life, as an event's occurredAt does. */
export function orderRulesInForce(order: Order, versions: readonly RuleVersionRow[]): RuleVersion[] {
  return rulesInForce(versions, new Date(order.placedAt)).filter((r) => r.rule.event === ORDER_EVENT);
}

/**
 * Whether an update of an order can move no points, whatever its members' ledgers hold: the order
 * has no award rows yet, no points were spent on it, and no rule in force for it has reached its
 * award moment (an order earning on delivery, not delivered yet). Reconciling it would credit,
 * reverse and give back nothing, so it only records the order (and, the first time, who its
 * member was) without opening a ledger.
 */
export function movesNoPoints(order: Order, awards: readonly OrderAward[], spent: readonly RedemptionRecord[], inForce: readonly RuleVersion[]): boolean {
  if (awards.length > 0 || spent.length > 0) return false;
  for (const rv of inForce) if (awardTimestamp(order, rv.rule.timing?.awardOn ?? "paid") !== null) return false;
  return true;
}

/** The members an order update touches: its member now, its awards' members, and who spent points on it. */
export function orderMembers(order: Order, awards: readonly OrderAward[], spent: readonly RedemptionRecord[]): string[] {
  return [...new Set([...(order.memberId ? [order.memberId] : []), ...awards.map((a) => a.memberId), ...spent.map((r) => r.memberId)])];
}

/** Lots the update may write to beyond the members' open ones: the awards' lots and those the spends drew on. */
export function orderLots(awards: readonly OrderAward[], spentHolds: readonly Hold[]): string[] {
  return [...awards.flatMap((a) => a.lotIds), ...spentHolds.flatMap((h) => h.allocations.map((p) => p.lotId))];
}

export interface RuleStateScope {
  ruleIds: string[];
  periods: string[];
  onceKeys: OnceKey[];
  /** Store-wide once keys, locked before they are read so two orders never both claim one. */
  storeKeys: string[];
}

/** The rule counters and once keys the order's rules read: the periods of their award moments. */
export function ruleStateScope(orderId: string, order: Order, rules: readonly RuleVersion[], timezone: string): RuleStateScope {
  const stamps = rules.map((r) => awardTimestamp(order, r.rule.timing?.awardOn ?? "paid")).filter((d): d is Date => d !== null);
  const periods = [...new Set(stamps.flatMap((d) => [periodKey("day", d, timezone), periodKey("month", d, timezone)]))];
  const subject = orderSubject(orderId, order);
  const onceKeys = order.memberId ? rules.flatMap((r) => onceKeyOf(r, order.memberId!, subject) ?? []) : [];
  return {
    ruleIds: rules.map((r) => r.id), periods: [...periods, "lifetime"], onceKeys,
    storeKeys: onceKeys.filter((k) => k.owner === "").map((k) => `${k.ruleId}:${k.key}`),
  };
}

/**
 * What conditions, once keys and unit fields of order rules read: made once per order as sent (the
 * rule-state scope and the awards of one update both read it), and read, never changed.
 */
export function orderSubject(orderId: string, order: Order): OrderSubject {
  const made = subjects.get(order);
  if (made !== undefined && made.order.id === orderId) return made;
  const subject = { order: { ...order, id: orderId } };
  subjects.set(order, subject);
  return subject;
}

type OrderSubject = { order: Order & { id: string } };

const subjects = new WeakMap<Order, OrderSubject>();

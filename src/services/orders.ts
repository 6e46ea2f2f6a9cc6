import { computeExpiresAt } from "../core/expiry/validity.ts";
import { MemberBook } from "../core/ledger/book.ts";
import { DomainError, notFound } from "../core/errors.ts";
import { awardTarget } from "../core/orders/award-target.ts";
import { orderBase, refundedPerLine } from "../core/orders/base.ts";
import { orderEligibility } from "../core/orders/eligibility.ts";
import { partsToReturn } from "../core/ledger/spending-order.ts";
import type { Hold } from "../core/ledger/types.ts";
import { awardTimestamp, type Order } from "../core/orders/order.ts";
import type { OrderAward, OrderRecord, Repositories } from "../core/ports/repositories.ts";
import type { RedemptionRecord, StoreRecord } from "../core/ports/records.ts";
import { evaluateRules } from "../core/rules/evaluate.ts";
import { applyFactors } from "../core/rules/multiply.ts";
import { periodKey } from "../core/rules/periods.ts";
import { ORDER_EVENT } from "../core/rules/schema.ts";
import { onceKeyOf } from "../core/rules/once.ts";
import { addLocalDays } from "../core/time/zone.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { saveBooks } from "./member-book.ts";
import { rulesInForce } from "./record-events.ts";
import { requalify, tierMultipliers } from "./tiers.ts";

const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Marks a zero award for a rule of an order placed while the program was disabled. */
const PROGRAM_DISABLED = "program disabled";

export interface OrderView {
  id: string;
  [key: string]: unknown;
  points: { earned: number; pending: number; reversed: number; redeemed: number };
  awards: Array<Record<string, unknown>>;
}

function checkTimestamps(order: Order, now: Date): void {
  const limit = now.getTime() + FUTURE_TOLERANCE_MS;
  const stamps: Array<[string, string | null | undefined]> = [
    ["placedAt", order.placedAt], ["paidAt", order.paidAt], ["fulfilledAt", order.fulfilledAt],
    ["deliveredAt", order.deliveredAt], ["canceledAt", order.canceledAt],
    ...order.refunds.map((r, i): [string, string] => [`refunds.${i}.at`, r.at]),
  ];
  const late = stamps.filter(([, v]) => v && Date.parse(v) > limit).map(([path]) => ({ path, message: "must not be in the future" }));
  if (late.length > 0) throw new DomainError("occurred_in_future", `order timestamps more than 5 minutes after the store's time ${now.toISOString()}`, { errors: late });
}

/**
 * Upserts the whole order and reconciles its points to its current state: awards appear when the
 * rule's awardOn timestamp is set; edits and refunds raise or reverse the difference into the
 * same earn and expiry dates; cancellation reverses everything. Updates commute: the result depends
 * on the order's state, not on the order the updates arrived in.
 */
export async function upsertOrder(repos: Repositories, services: Services, storeId: string, orderId: string, order: Order, actor: Actor): Promise<OrderView> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  checkTimestamps(order, now);
  const { record, created } = await repos.orders.lock(storeId, orderId, { memberId: order.memberId, order, at: now });
  const stale = !created && order.updatedAt && record.order.updatedAt && Date.parse(order.updatedAt) < Date.parse(record.order.updatedAt);
  if (stale) return orderView(repos, store, record, now);

  // A member first seen on a guest checkout is created as a guest, not a registered member.
  if (order.memberId && order.guest && (await repos.members.ensure(storeId, order.memberId, now))) {
    await repos.members.upsert(storeId, order.memberId, { isMember: false }, now);
  }
  let next: OrderRecord = { ...record, memberId: order.memberId, order, updatedAt: now };
  const awards = await repos.orders.awards(storeId, orderId);
  const spent = (await repos.redemptions.redemptionsForOrder(storeId, orderId)).filter((r) => r.type === "cashback" && r.holdId !== null);
  const spentHolds = await repos.ledger.holdsByIds(storeId, spent.map((r) => r.holdId!));
  const memberIds = [...new Set([...(order.memberId ? [order.memberId] : []), ...awards.map((a) => a.memberId), ...spent.map((r) => r.memberId)])];
  if (memberIds.length === 0) {
    await repos.orders.save(storeId, next);
    return orderView(repos, store, next, now);
  }

  await repos.members.ensureMany(storeId, memberIds, now);
  const loaded = await repos.members.lockBooks(storeId, memberIds, [...awards.flatMap((a) => a.lotIds), ...spentHolds.flatMap((h) => h.allocations.map((p) => p.lotId))]);
  const books = new Map<string, MemberBook>();
  for (const [id, l] of loaded) {
    const book = new MemberBook(l.balance, l.lots, l.holds, store.program.clawback);
    book.settleDue(now);
    books.set(id, book);
  }
  // Audiences see the member as they were when the order was first recorded, not as they are now.
  const eligibility = orderEligibility(record.eligibility, order, order.memberId ? loaded.get(order.memberId)?.member : undefined, store.program.enabled);
  next = { ...next, eligibility };
  await repos.orders.save(storeId, next);

  const canceled = Boolean(order.canceledAt);
  const versions = await repos.rules.versionsFor(storeId, [ORDER_EVENT]);
  // The rules in force when the order was placed govern it for life, like an event's occurredAt.
  const inForce = rulesInForce(versions, new Date(order.placedAt)).filter((r) => r.rule.event === ORDER_EVENT);
  // An order placed while the program was enabled keeps its promise and earns at its award moment
  // even if the program has been disabled since; one placed while it was disabled never earns.
  const promised = eligibility?.programEnabled ?? store.program.enabled;
  const rules = promised ? inForce : [];
  const stamps = rules.map((r) => awardTimestamp(order, r.rule.timing?.awardOn ?? "paid")).filter((d): d is Date => d !== null);
  const periods = [...new Set(stamps.flatMap((d) => [periodKey("day", d, store.timezone), periodKey("month", d, store.timezone)]))];
  const subject = { order: { ...order, id: orderId } };
  const onceKeys = order.memberId ? rules.flatMap((r) => onceKeyOf(r, order.memberId!, subject) ?? []) : [];
  await repos.ruleState.lockKeys(storeId, onceKeys.filter((k) => k.owner === "").map((k) => `${k.ruleId}:${k.key}`));
  const state = await repos.ruleState.load(storeId, memberIds, rules.map((r) => r.id), [...periods, "lifetime"], onceKeys);
  const tiers = await repos.tiers.list(storeId);
  const multipliers = tierMultipliers(tiers);
  // Points spent on the order (cashback held or captured, less what this update gives back) reduce a net base.
  const pointsDiscount = spent
    .filter((r) => r.status === "completed" || (r.status === "held" && books.get(r.memberId)?.hold(r.holdId!)?.status === "held"))
    .reduce((sum, r) => {
      const discount = r.discount ?? 0;
      const returned = r.status === "completed" ? returnTarget(order, r) : 0;
      return sum + discount - Math.floor((discount * returned) / r.points);
    }, 0);
  const base = (rule: Parameters<typeof orderBase>[1]) => orderBase(order, rule, pointsDiscount);
  const source = { type: "order" as const, ref: orderId };
  const changed: OrderAward[] = [];

  // Existing awards move to the order's current target.
  for (const award of awards) {
    if (award.explanation.skipped === PROGRAM_DISABLED) continue;
    const book = books.get(award.memberId)!;
    const rv = versions.find((v) => v.ruleId === award.ruleId && v.version === award.ruleVersion);
    const rule = rv?.rule ?? null;
    const reached = rule ? awardTimestamp(order, rule.timing?.awardOn ?? "paid") !== null : false;
    let target = 0;
    if (rule && !canceled && reached && award.memberId === order.memberId) {
      const b = base(rule).base;
      const below = rule.minAmount !== undefined && b < rule.minAmount;
      const worth = below ? 0
        : rule.award.type === "per_amount"
          ? applyFactors(rule.award.rounding === "proportional" ? Math.floor((b * rule.award.points) / rule.award.per) : rule.award.points * Math.floor(b / rule.award.per), award.factors)
          : award.initial + award.capCut;
      target = awardTarget(worth, award, rule.limits.maxPoints?.event);
    }
    const current = award.awarded - award.reversed;
    if (target === current) continue;
    const period = (kind: "day" | "month") => periodKey(kind, award.earnedAt, store.timezone);
    if (target < current) {
      reverseAward(book, award, current - target, now, actor, source, canceled ? "order canceled" : "order changed or refunded");
      award.reversed += current - target;
    } else {
      // Raising an award still respects the rule's day, month and lifetime caps.
      const room = (["day", "month", "lifetime"] as const).map((p) => {
        const cap = rule?.limits.maxPoints?.[p];
        return cap === undefined ? Number.POSITIVE_INFINITY : cap - state.counter(award.memberId, award.ruleId, p === "lifetime" ? "lifetime" : period(p)).points;
      });
      const extra = Math.max(0, Math.min(target - current, ...room));
      if (extra === 0) continue;
      target = current + extra;
      const { lot } = book.credit({
        type: "earn", points: extra, earnedAt: award.earnedAt, availableAt: award.availableAt, expiresAt: award.expiresAt, at: now,
        actor: actor.id, source, reason: String((award.explanation.rule as { name?: string } | undefined)?.name ?? "order"),
        explanation: { ...award.explanation, adjustment: { from: current, to: target } },
      });
      award.awarded += extra;
      award.lotIds = [...award.lotIds, lot.id];
    }
    for (const p of ["day", "month"] as const) state.add(award.memberId, award.ruleId, period(p), { points: target - current, times: 0, units: 0 });
    state.add(award.memberId, award.ruleId, "lifetime", { points: target - current, times: 0, units: 0 });
    changed.push(award);
  }

  // New awards for rules whose moment has come.
  const member = order.memberId ? loaded.get(order.memberId)?.member : undefined;
  if (member && eligibility && !canceled) {
    const book = books.get(member.memberId)!;
    for (const rv of rules) {
      if (awards.some((a) => a.ruleId === rv.id && a.memberId === member.memberId)) continue;
      const at = awardTimestamp(order, rv.rule.timing?.awardOn ?? "paid");
      if (!at) continue;
      const unitsBefore = state.counter(member.memberId, rv.id, "lifetime").units;
      const { awards: made, skipped } = evaluateRules([rv], {
        eventType: ORDER_EVENT, occurredAt: at, channel: order.channel, subject,
        member: { memberId: member.memberId, tier: eligibility.tier, isMember: eligibility.isMember },
        tierMultiplier: (eligibility.tier && multipliers.get(eligibility.tier)) || 1, campaigns: store.program.campaigns,
        timezone: store.timezone, orderBase: base,
      }, state);
      const a = made[0];
      if (!a) {
        // The rule counted the order (every_nth, per_unit) but awarded nothing: keep a zero award so
        // that later updates of the same order (paid → fulfilled → delivered) do not count it again.
        if (state.counter(member.memberId, rv.id, "lifetime").units !== unitsBefore) {
          changed.push({
            orderId, ruleId: rv.id, ruleVersion: rv.version, memberId: member.memberId, lotIds: [], initial: 0, awarded: 0, reversed: 0,
            capCut: 0, factors: [], earnedAt: at, availableAt: at, expiresAt: null,
            explanation: { rule: { id: rv.id, name: rv.rule.name, version: rv.version }, counted: true, reason: skipped[0]?.reason ?? null, points: 0 },
          });
        }
        continue;
      }
      const availableAt = a.delayDays > 0 ? addLocalDays(at, a.delayDays, store.timezone) : at;
      const expiresAt = computeExpiresAt(a.validity ?? store.program.validity, { earnedAt: at, availableAt }, store.timezone);
      const { lot } = book.credit({ type: "earn", points: a.points, earnedAt: at, availableAt, expiresAt, at: now, actor: actor.id, source, reason: rv.rule.name, explanation: a.explanation });
      const caps = (a.explanation.caps as Array<{ cut: number }> | undefined) ?? [];
      changed.push({
        orderId, ruleId: rv.id, ruleVersion: rv.version, memberId: member.memberId, lotIds: [lot.id], initial: a.points, awarded: a.points,
        reversed: 0, capCut: caps.reduce((s, c) => s + c.cut, 0), factors: factorsOf(a.explanation), earnedAt: at, availableAt, expiresAt,
        explanation: a.explanation,
      });
    }
  }

  // An order placed while the program was disabled lets its award moments pass without points for
  // good: a zero award settles the rule for this order, so that re-enabling never awards it.
  if (member && !canceled && !promised) {
    for (const rv of inForce) {
      if (awards.some((a) => a.ruleId === rv.id && a.memberId === member.memberId)) continue;
      const at = awardTimestamp(order, rv.rule.timing?.awardOn ?? "paid");
      if (!at) continue;
      changed.push({
        orderId, ruleId: rv.id, ruleVersion: rv.version, memberId: member.memberId, lotIds: [], initial: 0, awarded: 0, reversed: 0,
        capCut: 0, factors: [], earnedAt: at, availableAt: at, expiresAt: null,
        explanation: { rule: { id: rv.id, name: rv.rule.name, version: rv.version }, skipped: PROGRAM_DISABLED, points: 0 },
      });
    }
  }

  const returned = returnSpentPoints(order, spent, spentHolds, books, now, actor, source);
  await saveBooks(repos, storeId, [...books.values()], now);
  for (const r of returned) await repos.redemptions.updateRedemption(storeId, r);
  await repos.ruleState.save(storeId, state, orderId);
  // When the order changed member, the new member's award replaces the old one's row (the ledger keeps both).
  await repos.orders.saveAwards(storeId, [...new Map(changed.map((a) => [a.ruleId, a])).values()], now);
  // Money spent counts for tiers too, so every order update of a member may move their tier.
  if (order.memberId) await requalify(repos, store, [order.memberId], now, undefined, tiers);
  return orderView(repos, store, next, now);
}

/**
 * Points spent on the order come back: all of them on cancellation (a hold is released, a captured
 * spend returned), and on refunds in proportion to the refunded share of the order (floor), into
 * the lots they came from.
 */
/** How many of a captured spend's points the order's state gives back (never less than already given). */
function returnTarget(order: Order, r: RedemptionRecord): number {
  if (order.canceledAt) return r.points;
  const subtotal = order.lines.reduce((s, l) => s + l.amount, 0);
  const refunded = refundedPerLine(order).reduce((s, x) => s + x, 0);
  const share = subtotal === 0 ? 0 : Math.floor((r.points * Math.min(refunded, subtotal)) / subtotal);
  return Math.max(r.returned, share);
}

function returnSpentPoints(order: Order, spent: RedemptionRecord[], holds: Hold[], books: Map<string, MemberBook>, now: Date, actor: Actor, source: { type: "order"; ref: string }): RedemptionRecord[] {
  const changed: RedemptionRecord[] = [];
  const subtotal = order.lines.reduce((s, l) => s + l.amount, 0);
  const refunded = refundedPerLine(order).reduce((s, r) => s + r, 0);
  const canceled = Boolean(order.canceledAt);
  for (const r of spent) {
    const book = books.get(r.memberId)!;
    const base = { at: now, actor: actor.id, source: { type: "redemption" as const, ref: r.id } };
    if (r.status === "held" && canceled) {
      if (book.hold(r.holdId!)?.status === "held") book.release(r.holdId!, { ...base, reason: "order canceled" });
      changed.push({ ...r, status: "released", updatedAt: now });
      continue;
    }
    if (r.status !== "completed") continue;
    const target = returnTarget(order, r);
    if (target <= r.returned) continue;
    const hold = holds.find((h) => h.id === r.holdId)!;
    book.returnSpent({ ...base, reason: canceled ? "order canceled" : "order refunded", explanation: { orderId: source.ref, share: canceled ? 1 : `${refunded}/${subtotal}` },
      parts: partsToReturn(hold.allocations, r.returned, target - r.returned) });
    changed.push({ ...r, returned: target, status: target === r.points ? "returned" : "completed", updatedAt: now });
  }
  return changed;
}

function factorsOf(explanation: Record<string, unknown>): number[] {
  return ((explanation.multipliers as Array<{ factor: number }> | undefined) ?? []).map((m) => m.factor);
}

/** Takes points back from the award's own lots (newest first), then as the ledger's reversal rules say. */
function reverseAward(book: MemberBook, award: OrderAward, points: number, now: Date, actor: Actor, source: { type: "order"; ref: string }, reason: string): void {
  let left = points;
  for (const lotId of [...award.lotIds].reverse()) {
    const lot = book.lot(lotId);
    if (!lot || left === 0) continue;
    const take = Math.min(left, lot.remaining);
    if (take === 0) continue;
    book.reverse({ points: take, lotId, at: now, actor: actor.id, source, reason, explanation: { ruleId: award.ruleId } });
    left -= take;
  }
  if (left > 0) book.reverse({ points: left, lotId: award.lotIds[0], at: now, actor: actor.id, source, reason, explanation: { ruleId: award.ruleId } });
}

async function orderView(repos: Repositories, store: StoreRecord, record: OrderRecord, now: Date): Promise<OrderView> {
  const awards = await repos.orders.awards(store.id, record.id);
  const redeemed = await repos.redemptions.pointsForOrder(store.id, record.id);
  let earned = 0;
  let pending = 0;
  let reversed = 0;
  for (const a of awards) {
    const net = a.awarded - a.reversed;
    if (a.availableAt.getTime() > now.getTime()) pending += net;
    else earned += net;
    reversed += a.reversed;
  }
  const { updatedAt: _sourceVersion, ...order } = record.order;
  const e = record.eligibility;
  return {
    id: record.id,
    ...order,
    eligibility: e ? { isMember: e.isMember, tier: e.tier, guest: e.guest } : null,
    points: { earned, pending, reversed, redeemed },
    // Zero awards only mark an order as counted by a rule; they never earned anything.
    awards: awards.filter((a) => a.lotIds.length > 0).map((a) => ({
      ruleId: a.ruleId, ruleVersion: a.ruleVersion, points: a.awarded - a.reversed, reversed: a.reversed,
      status: a.availableAt.getTime() > now.getTime() ? "pending" : "available",
      earnedAt: a.earnedAt, availableAt: a.availableAt, expiresAt: a.expiresAt, explanation: a.explanation,
    })),
  };
}

export async function getOrder(services: Services, storeId: string, orderId: string): Promise<OrderView> {
  return services.tx.run(async (repos) => {
    const store = await requireStore(repos, storeId);
    const record = await repos.orders.get(storeId, orderId);
    if (!record) throw notFound("order");
    return orderView(repos, store, record, storeNow(store, services.clock));
  });
}


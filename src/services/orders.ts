import { computeExpiresAt } from "../core/expiry/validity.ts";
import { MemberBook } from "../core/ledger/book.ts";
import { DomainError, notFound } from "../core/errors.ts";
import { orderBase } from "../core/orders/base.ts";
import { awardTimestamp, type Order } from "../core/orders/order.ts";
import type { OrderAward, OrderRecord, Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { evaluateRules } from "../core/rules/evaluate.ts";
import { applyFactors } from "../core/rules/multiply.ts";
import { periodKey } from "../core/rules/periods.ts";
import { ORDER_EVENT } from "../core/rules/schema.ts";
import { addLocalDays } from "../core/time/zone.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { rulesInForce } from "./record-events.ts";
import { requalify, tierMultipliers } from "./tiers.ts";

const FUTURE_TOLERANCE_MS = 5 * 60_000;

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

  const next: OrderRecord = { ...record, memberId: order.memberId, order, updatedAt: now };
  await repos.orders.save(storeId, next);
  const awards = await repos.orders.awards(storeId, orderId);
  const memberIds = [...new Set([...(order.memberId ? [order.memberId] : []), ...awards.map((a) => a.memberId)])];
  if (memberIds.length === 0) return orderView(repos, store, next, now);

  await repos.members.ensureMany(storeId, memberIds, now);
  const loaded = await repos.members.lockBooks(storeId, memberIds, awards.flatMap((a) => a.lotIds));
  const books = new Map<string, MemberBook>();
  for (const [id, l] of loaded) {
    const book = new MemberBook(l.balance, l.lots, l.holds, store.program.clawback);
    book.settleDue(now);
    books.set(id, book);
  }

  const canceled = Boolean(order.canceledAt);
  const versions = await repos.rules.versionsFor(storeId, [ORDER_EVENT]);
  // The rules in force when the order was placed govern it for life, like an event's occurredAt.
  const rules = store.program.enabled ? rulesInForce(versions, new Date(order.placedAt)).filter((r) => r.rule.event === ORDER_EVENT) : [];
  const stamps = rules.map((r) => awardTimestamp(order, r.rule.timing?.awardOn ?? "paid")).filter((d): d is Date => d !== null);
  const periods = [...new Set(stamps.flatMap((d) => [periodKey("day", d, store.timezone), periodKey("month", d, store.timezone)]))];
  const state = await repos.ruleState.load(storeId, memberIds, rules.map((r) => r.id), [...periods, "lifetime"],
    rules.flatMap((r) => (r.rule.limits.once === true && order.memberId ? [{ ruleId: r.id, owner: order.memberId, key: "" }] : [])));
  const multipliers = await tierMultipliers(repos, storeId);
  const base = (rule: Parameters<typeof orderBase>[1]) => orderBase(order, rule, 0);
  const source = { type: "order" as const, ref: orderId };
  const changed: OrderAward[] = [];

  // Existing awards move to the order's current target.
  for (const award of awards) {
    const book = books.get(award.memberId)!;
    const rv = versions.find((v) => v.ruleId === award.ruleId && v.version === award.ruleVersion);
    const rule = rv?.rule ?? null;
    const reached = rule ? awardTimestamp(order, rule.timing?.awardOn ?? "paid") !== null : false;
    let target = 0;
    if (rule && !canceled && reached && award.memberId === order.memberId) {
      const b = base(rule).base;
      const below = rule.minAmount !== undefined && b < rule.minAmount;
      const uncapped = below ? 0
        : rule.award.type === "per_amount"
          ? applyFactors(rule.award.rounding === "proportional" ? Math.floor((b * rule.award.points) / rule.award.per) : rule.award.points * Math.floor(b / rule.award.per), award.factors)
          : award.initial + award.capCut;
      target = Math.max(0, Math.min(uncapped - award.capCut, rule.limits.maxPoints?.event ?? Number.POSITIVE_INFINITY));
    }
    const current = award.awarded - award.reversed;
    if (target === current) continue;
    const period = (kind: "day" | "month") => periodKey(kind, award.earnedAt, store.timezone);
    if (target < current) {
      reverseAward(book, award, current - target, now, actor, source, canceled ? "order canceled" : "order changed or refunded");
      award.reversed += current - target;
    } else {
      const extra = target - current;
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
  if (member && !canceled) {
    const book = books.get(member.memberId)!;
    for (const rv of rules) {
      if (awards.some((a) => a.ruleId === rv.id)) continue;
      const at = awardTimestamp(order, rv.rule.timing?.awardOn ?? "paid");
      if (!at) continue;
      const { awards: made } = evaluateRules([rv], {
        eventType: ORDER_EVENT, occurredAt: at, channel: order.channel, subject: { order: { ...order, id: orderId } },
        member: { memberId: member.memberId, tier: member.tier, isMember: member.isMember },
        tierMultiplier: (member.tier && multipliers.get(member.tier)) || 1, campaigns: store.program.campaigns,
        timezone: store.timezone, orderBase: base,
      }, state);
      const a = made[0];
      if (!a) continue;
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

  await repos.ledger.save(storeId, [...books.values()]);
  await repos.ruleState.save(storeId, state, orderId);
  await repos.orders.saveAwards(storeId, changed, now);
  if (order.memberId && changed.length > 0) await requalify(repos, store, [order.memberId], now);
  return orderView(repos, store, next, now);
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
  return {
    id: record.id,
    ...order,
    points: { earned, pending, reversed, redeemed },
    awards: awards.map((a) => ({
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


import type { OrderAward, OrderRecord } from "../ports/repositories.ts";

export interface OrderView {
  id: string;
  [key: string]: unknown;
  points: { earned: number; pending: number; reversed: number; redeemed: number };
  awards: Array<Record<string, unknown>>;
}

/** The order as stored, with what its awards come to at `now` and the points spent on it. */
export function orderView(record: OrderRecord, awards: readonly OrderAward[], redeemed: number, now: Date): OrderView {
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
    // An imported order says so, and whether it may earn (a historical one never does).
    ...(record.origin ? { import: { id: record.origin.importId, award: record.origin.award } } : {}),
    points: { earned, pending, reversed, redeemed },
    // Zero awards only mark an order as counted by a rule; they never earned anything.
    awards: awards.filter((a) => a.lotIds.length > 0).map((a) => ({
      ruleId: a.ruleId, ruleVersion: a.ruleVersion, points: a.awarded - a.reversed, reversed: a.reversed,
      status: a.availableAt.getTime() > now.getTime() ? "pending" : "available",
      earnedAt: a.earnedAt, availableAt: a.availableAt, expiresAt: a.expiresAt, explanation: a.explanation,
    })),
  };
}

/**
 * The order decision on its own (SPEC §3 Orders): reconcileOrder with plain values, no database.
 * Each step carries the stored record and award rows forward as the service would save them.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { MemberBook } from "../../src/core/ledger/book.ts";
import { orderSchema, type Order } from "../../src/core/orders/order.ts";
import { reconcileOrder, type OrderChanges } from "../../src/core/orders/reconcile.ts";
import type { OrderProgram } from "../../src/core/orders/terms.ts";
import type { OrderAward, OrderRecord } from "../../src/core/ports/repositories.ts";
import type { RedemptionRecord } from "../../src/core/ports/records.ts";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import { RuleState } from "../../src/core/rules/state.ts";

const d = (iso: string) => new Date(iso);
const PLACED = "2026-12-01T10:00:00.000Z";
const DELIVERED = "2026-12-03T10:00:00.000Z";

// One point per dollar of subtotal, pending for three days after delivery, valid 12 months.
const rule = earnRuleSchema.parse({
  name: "Purchases", event: "order", award: { type: "per_amount", points: 1, per: 100 },
  timing: { awardOn: "delivered", delayDays: 3 }, validity: { type: "rolling", months: 12 },
});
const snapshot: OrderProgram = {
  timezone: "UTC",
  program: { enabled: true, validity: { type: "never" }, campaigns: [] },
  versions: [{ ruleId: "rule_a", version: 1, rule, effectiveFrom: d("2026-01-01T00:00:00Z") }],
  tierMultipliers: new Map(),
};

const order = (fields: Partial<z.input<typeof orderSchema>>): Order => orderSchema.parse({
  memberId: "amy", placedAt: PLACED, paidAt: PLACED, lines: [{ sku: "tea", quantity: 1, amount: 10_000 }], ...fields,
});

/** One order's life: each update sees what the previous ones stored. */
function orderLife(book = new MemberBook({ memberId: "amy", balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative")) {
  let stored: OrderRecord = { id: "o1", memberId: "amy", order: order({}), eligibility: null, createdAt: d(PLACED), updatedAt: d(PLACED) };
  let awards: OrderAward[] = [];
  const state = new RuleState();
  return {
    book,
    update(sent: Order, now: string, spent: { redemptions: RedemptionRecord[] } = { redemptions: [] }): OrderChanges {
      book.settleDue(d(now)); // as loading does: pending points due by now mature first
      const changes = reconcileOrder({
        orderId: "o1", order: sent, stored, member: { memberId: "amy", isMember: true, tier: null }, snapshot, awards,
        books: new Map([["amy", book]]), state, spent: spent.redemptions, spentHolds: [], now: d(now), actor: "shop",
      });
      stored = changes.record;
      awards = [...new Map([...awards, ...changes.awards].map((a) => [a.ruleId, a])).values()];
      return changes;
    },
    award: () => awards[0],
  };
}

describe("reconcileOrder", () => {
  it("awards nothing before the awardOn timestamp, then the award appears at it, pending for delayDays", () => {
    const life = orderLife();
    const paid = life.update(order({}), "2026-12-01T10:01:00Z");
    expect(paid.awards).toEqual([]);
    expect(paid.record.eligibility).toMatchObject({ memberId: "amy", isMember: true, programEnabled: true });

    const delivered = life.update(order({ deliveredAt: DELIVERED }), "2026-12-03T10:01:00Z");
    expect(delivered.awards).toHaveLength(1);
    expect(delivered.awards[0]).toMatchObject({
      ruleId: "rule_a", ruleVersion: 1, initial: 100, awarded: 100, reversed: 0,
      earnedAt: d(DELIVERED), availableAt: d("2026-12-06T10:00:00.000Z"), expiresAt: d("2027-12-06T10:00:00.000Z"),
    });
    expect(life.book.balance).toMatchObject({ balance: 0, pending: 100 });
  });

  it("an edit changes the points but keeps the award's earn and expiry dates", () => {
    const life = orderLife();
    life.update(order({ deliveredAt: DELIVERED }), "2026-12-03T10:01:00Z");
    const first = life.award()!;

    const up = life.update(order({ deliveredAt: DELIVERED, lines: [{ sku: "tea", quantity: 2, amount: 15_000 }] }), "2026-12-10T00:00:00Z");
    expect(up.awards[0]).toMatchObject({ awarded: 150, reversed: 0, earnedAt: first.earnedAt, availableAt: first.availableAt, expiresAt: first.expiresAt });
    expect(up.awards[0]!.lotIds).toHaveLength(2);
    const raise = life.book.lot(up.awards[0]!.lotIds[1]!)!;
    expect({ earnedAt: raise.earnedAt, expiresAt: raise.expiresAt }).toEqual({ earnedAt: first.earnedAt, expiresAt: first.expiresAt });

    const down = life.update(order({ deliveredAt: DELIVERED, lines: [{ sku: "tea", quantity: 1, amount: 8_000 }] }), "2026-12-11T00:00:00Z");
    expect(down.awards[0]).toMatchObject({ awarded: 150, reversed: 70, earnedAt: first.earnedAt, expiresAt: first.expiresAt });
    expect(life.book.balance).toMatchObject({ balance: 80, pending: 0 });
  });

  it("a refund reduces the base and reverses the difference", () => {
    const life = orderLife();
    life.update(order({ deliveredAt: DELIVERED }), "2026-12-07T00:00:00Z");
    const refunded = life.update(order({
      deliveredAt: DELIVERED, refunds: [{ id: "r1", lines: [], amount: 4_000, at: "2026-12-08T00:00:00Z" }],
    }), "2026-12-08T00:01:00Z");
    expect(refunded.awards[0]).toMatchObject({ awarded: 100, reversed: 40 });
    expect(life.book.balance).toMatchObject({ balance: 60 });
    expect(life.book.changes().entries.at(-1)).toMatchObject({ type: "reverse", points: -40, reason: "order changed or refunded" });
  });

  it("a cancellation reverses the whole award and releases the points held for the order", () => {
    const book = new MemberBook({ memberId: "amy", balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative");
    const source = { type: "adjustment" as const, ref: null };
    book.credit({ type: "adjust", points: 500, earnedAt: d(PLACED), availableAt: d(PLACED), expiresAt: null, at: d(PLACED), actor: "staff", source });
    const placed = book.placeHold({ points: 200, expiresAt: d("2026-12-31T00:00:00Z"), at: d(PLACED), actor: "amy", source: { type: "redemption", ref: "red_1" } });
    if (!placed.ok) throw new Error("hold refused");
    const held: RedemptionRecord = {
      id: "red_1", memberId: "amy", methodId: "rm_1", type: "cashback", status: "held", points: 200, discount: 2_000, orderId: "o1",
      holdId: placed.hold.id, entitlementId: null, code: null, returned: 0, channel: "online", cart: null, createdAt: d(PLACED), updatedAt: d(PLACED),
    };
    const life = orderLife(book);
    life.update(order({ deliveredAt: DELIVERED }), "2026-12-07T00:00:00Z", { redemptions: [held] });
    expect(life.award()).toMatchObject({ awarded: 100 });

    const canceled = life.update(order({ deliveredAt: DELIVERED, canceledAt: "2026-12-08T00:00:00Z" }), "2026-12-08T00:01:00Z", { redemptions: [held] });
    expect(canceled.awards[0]).toMatchObject({ awarded: 100, reversed: 100 });
    expect(canceled.redemptions).toEqual([expect.objectContaining({ id: "red_1", status: "released" })]);
    expect(book.hold(placed.hold.id)?.status).toBe("released");
    expect(book.balance).toMatchObject({ balance: 500, held: 0, pending: 0 });
  });
});

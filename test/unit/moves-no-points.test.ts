/**
 * An order update that can move no points (core/orders/terms.ts `movesNoPoints`) is recorded
 * without opening a ledger. The full decision, reconcileOrder on a member's book, is the model:
 * whenever the shortcut says "nothing", reconciling credits, reverses and counts nothing, gives
 * nothing back, and stores the same record.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { MemberBook } from "../../src/core/ledger/book.ts";
import { orderSchema, type Order } from "../../src/core/orders/order.ts";
import { reconcileOrder, recordAfter } from "../../src/core/orders/reconcile.ts";
import { movesNoPoints, orderRulesInForce, orderTerms, type OrderProgram } from "../../src/core/orders/terms.ts";
import type { OrderAward, OrderRecord, RuleVersionRow } from "../../src/core/ports/repositories.ts";
import type { RedemptionRecord } from "../../src/core/ports/records.ts";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import { RuleState } from "../../src/core/rules/state.ts";

const d = (iso: string) => new Date(iso);
const PLACED = "2026-12-01T10:00:00.000Z";
const LATER = "2026-12-03T10:00:00.000Z";
const stages = ["placed", "paid", "fulfilled", "delivered"] as const;

const ruleArb = fc.record({
  awardOn: fc.constantFrom(...stages),
  award: fc.constantFrom(
    { type: "per_amount", points: 1, per: 100 },
    { type: "fixed", points: 25 },
    { type: "every_nth", every: 2, points: 10 },
  ),
  delayDays: fc.integer({ min: 0, max: 5 }),
}).map((r) => earnRuleSchema.parse({ name: `On ${r.awardOn}`, event: "order", award: r.award, timing: { awardOn: r.awardOn, delayDays: r.delayDays } }));

const orderArb = fc.record({
  paid: fc.boolean(), fulfilled: fc.boolean(), delivered: fc.boolean(), canceled: fc.boolean(), refunded: fc.boolean(), guest: fc.boolean(),
}).map((o): Order => orderSchema.parse({
  memberId: "amy", placedAt: PLACED, guest: o.guest, lines: [{ sku: "tea", quantity: 2, amount: 10_000 }],
  ...(o.paid ? { paidAt: PLACED } : {}), ...(o.fulfilled ? { fulfilledAt: LATER } : {}), ...(o.delivered ? { deliveredAt: LATER } : {}),
  ...(o.canceled ? { canceledAt: LATER } : {}), ...(o.refunded ? { refunds: [{ id: "r1", at: LATER, amount: 5_000 }] } : {}),
} satisfies z.input<typeof orderSchema>));

const newBook = () => new MemberBook({ memberId: "amy", balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative");

describe("an order update that moves no points", () => {
  it("is one reconciling would leave with no award, entry, counter or redemption, and the same record", () => {
    fc.assert(fc.property(
      fc.array(ruleArb, { maxLength: 3 }), orderArb, fc.boolean(), fc.boolean(), fc.constantFrom(null, "gold"),
      (rules, sent, enabled, recordedBefore, tier) => {
        const versions: RuleVersionRow[] = rules.map((rule, i) => ({ ruleId: `rule_${i}`, version: 1, rule, effectiveFrom: d("2026-01-01T00:00:00Z") }));
        const snapshot: OrderProgram = { timezone: "UTC", program: { enabled, validity: { type: "never" }, campaigns: [] }, versions, tierMultipliers: new Map([["gold", 2]]) };
        const stored: OrderRecord = {
          id: "o1", memberId: "amy", order: sent, createdAt: d(PLACED), updatedAt: d(PLACED),
          eligibility: recordedBefore ? { memberId: "amy", isMember: true, tier: "gold", guest: false, programEnabled: true } : null,
        };
        const member = { memberId: "amy", isMember: !sent.guest, tier };
        const inForce = orderRulesInForce(sent, versions);
        fc.pre(movesNoPoints(sent, [], [], inForce));
        const book = newBook();
        const state = new RuleState();
        const now = d("2026-12-04T00:00:00Z");
        const changes = reconcileOrder({
          orderId: "o1", order: sent, stored, member, snapshot, awards: [], books: new Map([["amy", book]]), state, spent: [], spentHolds: [], now, actor: "shop",
        });
        expect(changes.awards).toEqual([]);
        expect(changes.redemptions).toEqual([]);
        expect(book.changes().entries).toEqual([]);
        expect(state.changes()).toEqual({ counters: [], claims: [] });
        expect(changes.record).toEqual(recordAfter(stored, sent, now, orderTerms(stored, sent, member, snapshot, inForce)));
      },
    ), { numRuns: 400 });
  });

  it("is none once a rule in force reaches its award moment, or once the order has awards or points spent on it", () => {
    const onDelivery = earnRuleSchema.parse({ name: "Delivered", event: "order", award: { type: "fixed", points: 25 }, timing: { awardOn: "delivered" } });
    const versions: RuleVersionRow[] = [{ ruleId: "rule_a", version: 1, rule: onDelivery, effectiveFrom: d("2026-01-01T00:00:00Z") }];
    const placed = orderSchema.parse({ memberId: "amy", placedAt: PLACED, paidAt: PLACED, lines: [{ sku: "tea", quantity: 1, amount: 10_000 }] });
    const delivered = { ...placed, deliveredAt: LATER };
    expect(movesNoPoints(placed, [], [], orderRulesInForce(placed, versions))).toBe(true);
    expect(movesNoPoints(delivered, [], [], orderRulesInForce(delivered, versions))).toBe(false);
    // A rule made after the order was placed does not govern it.
    const later: RuleVersionRow[] = [{ ...versions[0]!, effectiveFrom: d("2026-12-02T00:00:00Z") }];
    expect(movesNoPoints(delivered, [], [], orderRulesInForce(delivered, later))).toBe(true);
    const award = { orderId: "o1", ruleId: "rule_a", memberId: "amy" } as OrderAward;
    expect(movesNoPoints(placed, [award], [], [])).toBe(false);
    const spent = { id: "red_1", memberId: "amy", type: "cashback", holdId: "hold_1" } as RedemptionRecord;
    expect(movesNoPoints(placed, [], [spent], [])).toBe(false);
  });
});

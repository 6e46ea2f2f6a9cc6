import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.ts";
import { expectProblem } from "../support/http.ts";
import { expectLedgerClean, iso, orderRule, plus, setupStore } from "./helpers.ts";

/**
 * SPEC §3 Orders, through PUT/GET /v1/orders/{id}: points follow the order's current state — award
 * at the rule's awardOn moment, pending for delayDays, edits and refunds move the award without
 * changing its dates, cancellation reverses it and gives spent cashback points back.
 */
describe("orders", () => {
  let t: TestApp;
  const stores: string[] = [];
  const ZERO = { earned: 0, pending: 0, reversed: 0, redeemed: 0 };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await expectLedgerClean(t, stores);
    await t.close();
  });

  async function store(setup: Parameters<typeof setupStore>[1] = {}) {
    const s = await setupStore(t, setup);
    stores.push(s.c.store.id);
    return s;
  }

  describe("award timing", () => {
    const STAMPS = {
      placedAt: "2026-02-27T10:00:00Z",
      paidAt: "2026-02-27T11:00:00Z",
      fulfilledAt: "2026-02-28T09:00:00Z",
      deliveredAt: "2026-02-28T18:00:00Z",
    } as const;
    const KEYS = ["placedAt", "paidAt", "fulfilledAt", "deliveredAt"] as const;
    const AWARD_ON = ["placed", "paid", "fulfilled", "delivered"] as const;

    for (const [index, awardOn] of AWARD_ON.entries()) {
      it(`awards at ${awardOn}, pending until +2 days, then available after the clock advances`, async () => {
        const { c } = await store({ rules: [orderRule({ timing: { awardOn, delayDays: 2 }, validity: { type: "rolling", days: 30 } })] });
        const lines = [{ sku: "tea", quantity: 1, amount: 12_550 }];
        const stamp = STAMPS[KEYS[index]!];
        const availableAt = plus(stamp, { days: 2 });
        const expiresAt = plus(stamp, { days: 32 });
        for (let step = 0; step < KEYS.length; step++) {
          const body: Record<string, unknown> = { memberId: "amy", lines, shipping: 700, fees: 50 };
          for (const k of KEYS.slice(0, step + 1)) body[k] = STAMPS[k];
          const o = await c.order("o1", body);
          if (step < index) {
            expect(o.points, `step ${KEYS[step]}`).toEqual(ZERO);
            expect(o.awards).toEqual([]);
          } else {
            // $125.50 subtotal → 125 points; shipping and fees never count.
            expect(o.points, `step ${KEYS[step]}`).toEqual({ earned: 0, pending: 125, reversed: 0, redeemed: 0 });
            expect(o.awards).toHaveLength(1);
            expect(o.awards[0]).toMatchObject({ points: 125, reversed: 0, status: "pending", earnedAt: iso(stamp), availableAt, expiresAt });
          }
        }
        expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 125, expiring: [] });
        // Re-sending the order never awards twice.
        const entries = await c.activity("amy");
        expect(entries.map((e: any) => [e.type, e.points, e.balanceAfter])).toEqual([["pending", 125, 0]]);
        expect(entries[0].source).toEqual({ type: "order", ref: "o1" });

        expect((await c.advance(plus(availableAt, { ms: -1 }))).ran.matured).toBe(0);
        expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 125 });
        expect((await c.advance(availableAt)).ran.matured).toBe(1);
        expect(await c.member("amy")).toMatchObject({ balance: 125, pending: 0, expiring: [{ expiresAt, points: 125 }] });
        const o = await c.json("/v1/orders/o1");
        expect(o.points).toEqual({ earned: 125, pending: 0, reversed: 0, redeemed: 0 });
        expect(o.awards[0]).toMatchObject({ points: 125, status: "available" });
        expect((await c.activity("amy"))[0]).toMatchObject({ type: "mature", points: 125, balanceAfter: 125, at: availableAt });
      });
    }

    it("refuses order timestamps more than 5 minutes after the store's time", async () => {
      const { c } = await store({ rules: [orderRule()] });
      const ok = await c.put("/v1/orders/soon", { memberId: "amy", lines: [], placedAt: "2026-03-01T00:05:00Z" });
      expect(ok.statusCode).toBe(200);
      const late = await c.put("/v1/orders/late", { memberId: "amy", lines: [], placedAt: "2026-03-01T00:00:00Z", paidAt: "2026-03-01T00:05:00.001Z" });
      expect(expectProblem(late, 422, "occurred_in_future").errors).toEqual([{ path: "paidAt", message: "must not be in the future" }]);
    });
  });

  describe("edits keep the award's earn date and expiry", () => {
    const order = (amount: number) => ({
      memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: "2026-02-20T10:00:00Z", paidAt: "2026-02-20T11:00:00Z",
    });
    const EARNED = "2026-02-20T11:00:00.000Z";
    const EXPIRES = "2026-05-21T11:00:00.000Z"; // 90 days after the points became available

    it("raises and lowers an available award into the same dates", async () => {
      const { c } = await store({ program: { validity: { type: "rolling", days: 90 } }, rules: [orderRule()] });
      let o = await c.order("o1", order(15_000));
      expect(o.points).toEqual({ earned: 150, pending: 0, reversed: 0, redeemed: 0 });
      expect(o.awards[0]).toMatchObject({ points: 150, earnedAt: EARNED, availableAt: EARNED, expiresAt: EXPIRES });
      expect((await c.member("amy")).expiring).toEqual([{ expiresAt: EXPIRES, points: 150 }]);

      await c.advance("2026-03-05T00:00:00Z");
      o = await c.order("o1", order(25_000));
      expect(o.points).toEqual({ earned: 250, pending: 0, reversed: 0, redeemed: 0 });
      expect(o.awards[0]).toMatchObject({ points: 250, earnedAt: EARNED, availableAt: EARNED, expiresAt: EXPIRES });
      let member = await c.member("amy");
      expect(member).toMatchObject({ balance: 250, pending: 0, expiring: [{ expiresAt: EXPIRES, points: 250 }] });
      let entries = await c.activity("amy");
      expect(entries[0]).toMatchObject({
        type: "earn", points: 100, balanceAfter: 250, at: "2026-03-05T00:00:00.000Z", source: { type: "order", ref: "o1" },
        explanation: { adjustment: { from: 150, to: 250 } },
      });
      expect(entries[1]).toMatchObject({ type: "earn", points: 150, balanceAfter: 150 });
      expect(entries[0].lotId).not.toBe(entries[1].lotId);

      o = await c.order("o1", order(8_000));
      expect(o.points).toEqual({ earned: 80, pending: 0, reversed: 170, redeemed: 0 });
      expect(o.awards[0]).toMatchObject({ points: 80, reversed: 170, earnedAt: EARNED, expiresAt: EXPIRES });
      member = await c.member("amy");
      expect(member).toMatchObject({ balance: 80, debt: 0, expiring: [{ expiresAt: EXPIRES, points: 80 }] });
      // Taken back from the award's own lots, newest first: one entry per lot.
      entries = await c.activity("amy");
      expect(entries.slice(0, 2).map((e: any) => [e.type, e.points, e.balanceAfter, e.lotId])).toEqual([
        ["reverse", -70, 80, entries[3].lotId],
        ["reverse", -100, 150, entries[2].lotId],
      ]);
      expect(entries[0]).toMatchObject({ reason: "order changed or refunded", source: { type: "order", ref: "o1" } });

      o = await c.order("o1", order(12_000));
      expect(o.points).toEqual({ earned: 120, pending: 0, reversed: 170, redeemed: 0 });
      expect((await c.member("amy")).expiring).toEqual([{ expiresAt: EXPIRES, points: 120 }]);
      // Sending the same state again changes nothing.
      const before = (await c.activity("amy")).length;
      o = await c.order("o1", order(12_000));
      expect(o.points).toEqual({ earned: 120, pending: 0, reversed: 170, redeemed: 0 });
      expect(await c.activity("amy")).toHaveLength(before);
      // The points expire on the original date, all of them.
      const ran = await c.advance(EXPIRES);
      expect(ran.ran.expired).toBe(2);
      expect(await c.member("amy")).toMatchObject({ balance: 0, expiring: [] });
    });

    it("raises and lowers a pending award into the same availability date", async () => {
      const { c } = await store({ program: { validity: { type: "rolling", days: 30 } }, rules: [orderRule({ timing: { awardOn: "paid", delayDays: 3 } })] });
      const body = (amount: number) => ({ ...order(amount), placedAt: "2026-02-28T10:00:00Z", paidAt: "2026-02-28T11:00:00Z" });
      const availableAt = "2026-03-03T11:00:00.000Z";
      let o = await c.order("o1", body(10_000));
      expect(o.points).toEqual({ earned: 0, pending: 100, reversed: 0, redeemed: 0 });
      o = await c.order("o1", body(16_000));
      expect(o.points).toEqual({ earned: 0, pending: 160, reversed: 0, redeemed: 0 });
      expect(o.awards[0]).toMatchObject({ status: "pending", availableAt, earnedAt: "2026-02-28T11:00:00.000Z" });
      expect((await c.activity("amy"))[0]).toMatchObject({ type: "pending", points: 60, balanceAfter: 0 });
      o = await c.order("o1", body(13_000));
      expect(o.points).toEqual({ earned: 0, pending: 130, reversed: 30, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 130 });
      expect((await c.advance(availableAt)).ran.matured).toBe(2);
      expect(await c.member("amy")).toMatchObject({ balance: 130, pending: 0, expiring: [{ expiresAt: "2026-04-02T11:00:00.000Z", points: 130 }] });
      expect((await c.json("/v1/orders/o1")).points).toEqual({ earned: 130, pending: 0, reversed: 30, redeemed: 0 });
    });
  });

  describe("edit down after the points were spent", () => {
    const order = (amount: number) => ({
      memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: "2026-02-20T10:00:00Z", paidAt: "2026-02-20T11:00:00Z",
    });
    const methods = [
      { type: "catalog", name: "Pack", points: 180, grant: { sku: "pack", units: 1 } },
      { type: "cashback", name: "Cash", points: 1, amount: 1 },
    ];

    /** 200 earned on the order + 30 by hand, 180 spent: 50 left, 20 of them in the order's own lot. */
    async function spent(clawback: "allow_negative" | "floor_zero") {
      const s = await store({ program: { clawback }, rules: [orderRule()], methods });
      const { c, methodIds } = s;
      expect((await c.order("o1", order(20_000))).points.earned).toBe(200);
      await c.adjust("amy", 30);
      const red = await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[0] });
      expect(red.statusCode, red.body).toBe(201);
      expect(await c.member("amy")).toMatchObject({ balance: 50, debt: 0 });
      return s;
    }

    it("allow_negative: the shortfall becomes debt, which blocks redemption until new credits repay it", async () => {
      const { c, methodIds } = await spent("allow_negative");
      const o = await c.order("o1", order(5_000));
      expect(o.points).toEqual({ earned: 50, pending: 0, reversed: 150, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: -100, debt: 100, pending: 0, held: 0, expiring: [] });
      // 20 from the award's own lot, then 30 from the member's other lot, 100 owed.
      const [rest, own] = await c.activity("amy");
      expect(own).toMatchObject({ type: "reverse", points: -20, balanceAfter: 30 });
      expect(rest).toMatchObject({ type: "reverse", points: -130, balanceAfter: -100 });

      expectProblem(await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[0] }), 409, "insufficient_points");
      const cart = { lines: [{ sku: "a", quantity: 1, amount: 10_000 }] };
      expectProblem(await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[1], points: 1, orderId: "o2", cart }), 409, "insufficient_points");
      const quote = await c.post("/v1/checkout/quote", { memberId: "amy", methodId: methodIds[1], ...cart });
      expect(quote.json()).toMatchObject({ balance: -100, maxPoints: 0, maxDiscount: 0, reasonCode: "no_points" });

      // New credits repay the debt first.
      expect(await c.adjust("amy", 120)).toMatchObject({ type: "adjust", points: 120, balanceAfter: 20 });
      expect(await c.member("amy")).toMatchObject({ balance: 20, debt: 0 });
      expectProblem(await c.post("/v1/members/amy/adjustments", { points: -21, reason: "too much" }), 409, "insufficient_points");
      expect((await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[1], points: 20, orderId: "o2", cart })).statusCode).toBe(201);
    });

    it("floor_zero: the shortfall is written off and recorded", async () => {
      const { c } = await spent("floor_zero");
      const o = await c.order("o1", order(5_000));
      expect(o.points).toEqual({ earned: 50, pending: 0, reversed: 150, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: 0, debt: 0 });
      const [writeOff, other, own] = await c.activity("amy");
      expect(writeOff).toMatchObject({ type: "write_off", points: -100, balanceAfter: 0, explanation: { shortfall: 100, policy: "floor_zero" } });
      expect(other).toMatchObject({ type: "reverse", points: -30, balanceAfter: 0 });
      expect(own).toMatchObject({ type: "reverse", points: -20, balanceAfter: 30 });
      // Nothing is owed: the next credit is spendable in full.
      expect(await c.adjust("amy", 10)).toMatchObject({ balanceAfter: 10 });
      expect(await c.member("amy")).toMatchObject({ balance: 10, debt: 0 });
    });
  });

  describe("refunds and cancellation", () => {
    const LINES = [
      { sku: "a", quantity: 2, amount: 10_000 },
      { sku: "b", quantity: 1, amount: 5_000 },
      { sku: "c", quantity: 1, amount: 3_000 },
    ];
    const base = (memberId: string, refunds: unknown[] = [], extra: Record<string, unknown> = {}) => ({
      memberId, lines: LINES, shipping: 900, placedAt: "2026-02-25T10:00:00Z", paidAt: "2026-02-25T10:05:00Z", refunds, ...extra,
    });
    const at = "2026-02-26T10:00:00Z";

    it("reverses partial and full refunds by lines", async () => {
      const { c } = await store({ rules: [orderRule()] });
      expect((await c.order("o1", base("amy"))).points).toEqual({ earned: 180, pending: 0, reversed: 0, redeemed: 0 });
      const r1 = { id: "r1", lines: [{ sku: "a", quantity: 1, amount: 5_000 }], amount: 5_000, at };
      expect((await c.order("o1", base("amy", [r1]))).points).toEqual({ earned: 130, pending: 0, reversed: 50, redeemed: 0 });
      expect((await c.activity("amy"))[0]).toMatchObject({ type: "reverse", points: -50, balanceAfter: 130 });
      const r2 = { id: "r2", lines: [{ sku: "a", quantity: 1, amount: 5_000 }, { sku: "b", quantity: 1, amount: 5_000 }, { sku: "c", quantity: 1, amount: 3_000 }], amount: 13_900, at };
      expect((await c.order("o1", base("amy", [r1, r2]))).points).toEqual({ earned: 0, pending: 0, reversed: 180, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: 0, debt: 0 });
    });

    it("reverses partial and full refunds by amount, spread over the lines", async () => {
      const { c } = await store({ rules: [orderRule()] });
      expect((await c.order("o1", base("amy"))).points.earned).toBe(180);
      const r1 = { id: "r1", amount: 9_000, at };
      expect((await c.order("o1", base("amy", [r1]))).points).toEqual({ earned: 90, pending: 0, reversed: 90, redeemed: 0 });
      const r2 = { id: "r2", amount: 9_000, at };
      expect((await c.order("o1", base("amy", [r1, r2]))).points).toEqual({ earned: 0, pending: 0, reversed: 180, redeemed: 0 });
      // One refund of the whole amount (shipping included) takes everything back.
      expect((await c.order("o2", base("ben"))).points.earned).toBe(180);
      expect((await c.order("o2", base("ben", [{ id: "all", amount: 18_900, at }]))).points).toEqual({ earned: 0, pending: 0, reversed: 180, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: 0 });
      expect(await c.member("ben")).toMatchObject({ balance: 0 });
    });

    it("a refund by amount after a refund by lines spreads over what is left", async () => {
      const { c } = await store({ rules: [orderRule()] });
      const r1 = { id: "r1", lines: [{ sku: "a", quantity: 2, amount: 10_000 }], amount: 10_000, at };
      expect((await c.order("o1", base("amy", [r1]))).points).toEqual({ earned: 80, pending: 0, reversed: 0, redeemed: 0 });
      // The rest of the order, $80, refunded by amount: nothing is left to earn on.
      const r2 = { id: "r2", amount: 8_000, at };
      expect((await c.order("o1", base("amy", [r1, r2]))).points).toEqual({ earned: 0, pending: 0, reversed: 80, redeemed: 0 });
      // Half of what is left ($40 of $80) leaves $40 = 40 points.
      expect((await c.order("o2", base("ben", [r1, { id: "r3", amount: 4_000, at }]))).points).toEqual({ earned: 40, pending: 0, reversed: 0, redeemed: 0 });
    });

    it("cancellation reverses the whole award, pending or available", async () => {
      const { c } = await store({ rules: [orderRule({ timing: { awardOn: "paid", delayDays: 5 } })] });
      expect((await c.order("o1", base("amy"))).points).toEqual({ earned: 0, pending: 180, reversed: 0, redeemed: 0 });
      const canceled = await c.order("o1", base("amy", [], { canceledAt: "2026-02-27T00:00:00Z" }));
      expect(canceled.points).toEqual({ earned: 0, pending: 0, reversed: 180, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 0, debt: 0 });
      expect((await c.activity("amy"))[0]).toMatchObject({ type: "reverse", points: -180, reason: "order canceled" });
      // Nothing matures later.
      expect((await c.advance("2026-03-10T00:00:00Z")).ran.matured).toBe(0);
      expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 0 });
    });
  });

  describe("points spent on the order come back", () => {
    it("a captured cashback returns in proportion to refunds, then in full on cancellation, to its lots with their expiry", async () => {
      const { c, methodIds } = await store({
        program: { validity: { type: "rolling", days: 60 } },
        rules: [orderRule()],
        methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }],
      });
      const LOT1 = "2026-04-30T00:00:00.000Z";
      const LOT2 = "2026-05-10T00:00:00.000Z";
      await c.adjust("amy", 100);
      await c.advance("2026-03-11T00:00:00Z");
      await c.adjust("amy", 100);
      expect((await c.member("amy")).expiring).toEqual([{ expiresAt: LOT1, points: 100 }, { expiresAt: LOT2, points: 100 }]);

      const held = await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[0], points: 150, orderId: "o1", cart: { lines: [{ sku: "a", quantity: 1, amount: 30_000 }] } });
      expect(held.json()).toMatchObject({ status: "held", points: 150, discount: 150, orderId: "o1" });
      // Nearest expiry first: all of lot 1, half of lot 2.
      expect(await c.member("amy")).toMatchObject({ balance: 50, held: 150, expiring: [{ expiresAt: LOT2, points: 50 }] });
      const redemption = held.json().id;
      expect((await c.post(`/v1/redemptions/${redemption}/capture`)).json()).toMatchObject({ status: "completed" });
      expect(await c.member("amy")).toMatchObject({ balance: 50, held: 0 });

      const order = (extra: Record<string, unknown> = {}) => ({
        memberId: "amy", lines: [{ sku: "a", quantity: 1, amount: 30_000 }], placedAt: "2026-03-10T23:00:00Z", paidAt: "2026-03-10T23:30:00Z", ...extra,
      });
      const AWARD = "2026-05-09T23:30:00.000Z";
      let o = await c.order("o1", order());
      expect(o.points).toEqual({ earned: 300, pending: 0, reversed: 0, redeemed: 150 });
      expect((await c.member("amy")).expiring).toEqual([{ expiresAt: AWARD, points: 300 }, { expiresAt: LOT2, points: 50 }]);

      // A third refunded: a third of the award reversed, floor(150 / 3) = 50 points back to lot 2.
      const r1 = { id: "r1", amount: 10_000, at: "2026-03-11T00:00:00Z" };
      o = await c.order("o1", order({ refunds: [r1] }));
      expect(o.points).toEqual({ earned: 200, pending: 0, reversed: 100, redeemed: 100 });
      expect(await c.member("amy")).toMatchObject({ balance: 300, expiring: [{ expiresAt: AWARD, points: 200 }, { expiresAt: LOT2, points: 100 }] });
      const [ret, rev] = await c.activity("amy");
      expect(ret).toMatchObject({ type: "return", points: 50, balanceAfter: 300, reason: "order refunded", source: { type: "redemption", ref: redemption } });
      expect(rev).toMatchObject({ type: "reverse", points: -100, balanceAfter: 250 });
      expect((await c.json(`/v1/redemptions/${redemption}`))).toMatchObject({ status: "completed", returned: 50 });
      // Re-sending the same refund returns nothing more.
      o = await c.order("o1", order({ refunds: [r1] }));
      expect(o.points).toEqual({ earned: 200, pending: 0, reversed: 100, redeemed: 100 });

      // Lot 1 runs out meanwhile; the rest of the spend goes back to it on cancellation and expires at once.
      await c.advance("2026-05-01T00:00:00Z");
      o = await c.order("o1", order({ refunds: [r1], canceledAt: "2026-05-01T00:00:00Z" }));
      expect(o.points).toEqual({ earned: 0, pending: 0, reversed: 300, redeemed: 0 });
      expect((await c.json(`/v1/redemptions/${redemption}`))).toMatchObject({ status: "returned", returned: 150 });
      expect(await c.member("amy")).toMatchObject({ balance: 100, expiring: [{ expiresAt: LOT2, points: 100 }] });
      const [expire, back, reverse] = await c.activity("amy");
      // Dated at the cancellation, when the points came back: April, already reported, keeps its figures.
      expect(expire).toMatchObject({ type: "expire", points: -100, at: "2026-05-01T00:00:00.000Z", balanceAfter: 100 });
      expect(back).toMatchObject({ type: "return", points: 100, balanceAfter: 200, reason: "order canceled" });
      expect(reverse).toMatchObject({ type: "reverse", points: -200, balanceAfter: 100, reason: "order canceled" });
    });

    it("cancellation after capture restores the expiry schedule exactly", async () => {
      const { c, methodIds } = await store({
        program: { validity: { type: "rolling", days: 60 } },
        methods: [{ type: "cashback", name: "Cash", points: 10, amount: 100 }],
      });
      await c.adjust("ben", 70);
      await c.advance("2026-03-05T00:00:00Z");
      await c.adjust("ben", 50);
      const before = (await c.member("ben")).expiring;
      expect(before).toEqual([{ expiresAt: "2026-04-30T00:00:00.000Z", points: 70 }, { expiresAt: "2026-05-04T00:00:00.000Z", points: 50 }]);
      const held = (await c.post("/v1/redemptions", { memberId: "ben", methodId: methodIds[0], points: 100, orderId: "o2", cart: { lines: [{ sku: "a", quantity: 1, amount: 5_000 }] } })).json();
      expect(held).toMatchObject({ status: "held", points: 100, discount: 1_000 });
      await c.post(`/v1/redemptions/${held.id}/capture`);
      expect((await c.member("ben")).expiring).toEqual([{ expiresAt: "2026-05-04T00:00:00.000Z", points: 20 }]);
      const o = await c.order("o2", { memberId: "ben", lines: [{ sku: "a", quantity: 1, amount: 5_000 }], placedAt: "2026-03-04T00:00:00Z", paidAt: "2026-03-04T00:01:00Z", canceledAt: "2026-03-04T01:00:00Z" });
      expect(o.points).toEqual(ZERO);
      expect(await c.member("ben")).toMatchObject({ balance: 120, held: 0, expiring: before });
      expect((await c.json(`/v1/redemptions/${held.id}`))).toMatchObject({ status: "returned", returned: 100 });
    });

    it("a cashback still held when the order is canceled is released", async () => {
      const { c, methodIds } = await store({ methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }] });
      await c.adjust("cy", 100);
      // The order is recorded first: the hold names it and its lines are the cart.
      expect((await c.order("o3", { memberId: "cy", lines: [{ sku: "a", quantity: 1, amount: 1_000 }], placedAt: "2026-02-28T00:00:00Z" })).points).toEqual(ZERO);
      const held = (await c.post("/v1/redemptions", { memberId: "cy", methodId: methodIds[0], points: 60, orderId: "o3" })).json();
      expect(held).toMatchObject({ status: "held", points: 60, orderId: "o3" });
      expect((await c.order("o3", { memberId: "cy", lines: [{ sku: "a", quantity: 1, amount: 1_000 }], placedAt: "2026-02-28T00:00:00Z" })).points).toEqual({ ...ZERO, redeemed: 60 });
      const o = await c.order("o3", { memberId: "cy", lines: [{ sku: "a", quantity: 1, amount: 1_000 }], placedAt: "2026-02-28T00:00:00Z", canceledAt: "2026-02-28T01:00:00Z" });
      expect(o.points).toEqual(ZERO);
      expect(await c.member("cy")).toMatchObject({ balance: 100, held: 0 });
      expect((await c.json(`/v1/redemptions/${held.id}`)).status).toBe("released");
      expectProblem(await c.post(`/v1/redemptions/${held.id}/capture`), 409, "invalid_state");
    });
  });

  describe("webhooks out of order end in the same state", () => {
    const LINES = [{ sku: "a", quantity: 2, amount: 10_000 }, { sku: "b", quantity: 1, amount: 8_000 }];
    const PLACED = "2026-02-25T10:00:00Z";
    const PAID = "2026-02-25T10:05:00Z";
    const refund = { id: "r1", lines: [{ sku: "a", quantity: 1, amount: 5_000 }], amount: 5_000, at: "2026-02-26T00:00:00Z" };

    it("a refund that arrives before the payment", async () => {
      const { c } = await store({ rules: [orderRule()] });
      // In order: placed, paid, refunded.
      await c.order("in", { memberId: "inorder", lines: LINES, placedAt: PLACED });
      expect((await c.order("in", { memberId: "inorder", lines: LINES, placedAt: PLACED, paidAt: PAID })).points.earned).toBe(180);
      const a = await c.order("in", { memberId: "inorder", lines: LINES, placedAt: PLACED, paidAt: PAID, refunds: [refund] });
      expect(a.points).toEqual({ earned: 130, pending: 0, reversed: 50, redeemed: 0 });
      // Out of order: the refund first (nothing to reverse yet), then the payment.
      expect((await c.order("out", { memberId: "outoforder", lines: LINES, placedAt: PLACED, refunds: [refund] })).points).toEqual(ZERO);
      const b = await c.order("out", { memberId: "outoforder", lines: LINES, placedAt: PLACED, paidAt: PAID, refunds: [refund] });
      expect(b.points).toEqual({ earned: 130, pending: 0, reversed: 0, redeemed: 0 });
      expect(await c.member("inorder")).toMatchObject({ balance: 130, pending: 0, debt: 0 });
      expect(await c.member("outoforder")).toMatchObject({ balance: 130, pending: 0, debt: 0 });
    });

    it("a cancellation that arrives before the payment", async () => {
      const { c } = await store({ rules: [orderRule()] });
      await c.order("in", { memberId: "inorder", lines: LINES, placedAt: PLACED, paidAt: PAID, updatedAt: "2026-02-25T10:05:00Z" });
      const a = await c.order("in", { memberId: "inorder", lines: LINES, placedAt: PLACED, paidAt: PAID, canceledAt: "2026-02-25T11:00:00Z", updatedAt: "2026-02-25T11:00:00Z" });
      expect(a.points).toEqual({ earned: 0, pending: 0, reversed: 180, redeemed: 0 });

      // The cancellation webhook first; the payment webhook (older) after it is ignored.
      const cancel = { memberId: "outoforder", lines: LINES, placedAt: PLACED, canceledAt: "2026-02-25T11:00:00Z", updatedAt: "2026-02-25T11:00:00Z" };
      expect((await c.order("out", cancel)).points).toEqual(ZERO);
      const late = await c.order("out", { memberId: "outoforder", lines: LINES, placedAt: PLACED, paidAt: PAID, updatedAt: "2026-02-25T10:05:00Z" });
      expect(late.points).toEqual(ZERO);
      expect(late.canceledAt).toBe("2026-02-25T11:00:00Z");
      expect(late.paidAt).toBeUndefined();
      // A full state carrying both timestamps earns nothing either.
      const both = await c.order("out2", { memberId: "outoforder2", lines: LINES, placedAt: PLACED, paidAt: PAID, canceledAt: "2026-02-25T11:00:00Z" });
      expect(both.points).toEqual(ZERO);
      for (const m of ["inorder", "outoforder", "outoforder2"]) expect(await c.member(m)).toMatchObject({ balance: 0, pending: 0, debt: 0 });
      expect(await c.activity("outoforder")).toEqual([]);
    });

    it("an update older than the stored one is ignored", async () => {
      const { c } = await store({ rules: [orderRule()] });
      const body = (amount: number, updatedAt: string) => ({ memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: PLACED, paidAt: PAID, updatedAt });
      expect((await c.order("o1", body(20_000, "2026-02-25T12:00:00Z"))).points.earned).toBe(200);
      const stale = await c.order("o1", body(50_000, "2026-02-25T11:59:59Z"));
      expect(stale.points).toEqual({ earned: 200, pending: 0, reversed: 0, redeemed: 0 });
      expect(stale.lines).toEqual([{ sku: "a", quantity: 1, amount: 20_000, giftCard: false, pointsEligible: true }]);
      expect((await c.json("/v1/orders/o1")).lines[0].amount).toBe(20_000);
      expect((await c.order("o1", body(30_000, "2026-02-25T12:00:01Z"))).points.earned).toBe(300);
      expect(await c.member("amy")).toMatchObject({ balance: 300 });
    });
  });

  describe("who and what earns", () => {
    const order = (memberId: string | null, extra: Record<string, unknown> = {}) => ({
      memberId, lines: [{ sku: "a", quantity: 1, amount: 18_000 }], placedAt: "2026-02-25T10:00:00Z", paidAt: "2026-02-25T10:05:00Z", ...extra,
    });

    it("POS orders, guest orders and non-members earn nothing", async () => {
      const { c } = await store({ rules: [orderRule()] });
      expect((await c.order("online", order("amy"))).points.earned).toBe(180);
      const pos = await c.order("pos", order("ben", { channel: "pos" }));
      expect(pos.points).toEqual(ZERO);
      expect(pos.awards).toEqual([]);
      expect(await c.member("ben")).toMatchObject({ balance: 0, pending: 0 });
      const guest = await c.order("guest", order(null));
      expect(guest.points).toEqual(ZERO);
      expect(guest.memberId).toBeNull();
      await c.put("/v1/members/walkin", { isMember: false });
      const nonMember = await c.order("nm", order("walkin"));
      expect(nonMember.points).toEqual(ZERO);
      expect(await c.member("walkin")).toMatchObject({ balance: 0, pending: 0, isMember: false });
      expect(await c.activity("walkin")).toEqual([]);
    });

    it("minAmount: a base equal to it earns, below it does not", async () => {
      const { c } = await store({ rules: [orderRule({ minAmount: 5_000 })] });
      const body = (amount: number) => order("amy", { lines: [{ sku: "a", quantity: 1, amount }], shipping: 2_000 });
      expect((await c.order("eq", body(5_000))).points).toEqual({ earned: 50, pending: 0, reversed: 0, redeemed: 0 });
      expect((await c.order("below", body(4_999))).points).toEqual(ZERO);
      // Editing an order below the minimum reverses it; back up, it earns again.
      expect((await c.order("eq", body(4_999))).points).toEqual({ earned: 0, pending: 0, reversed: 50, redeemed: 0 });
      expect((await c.order("eq", body(5_000))).points).toEqual({ earned: 50, pending: 0, reversed: 50, redeemed: 0 });
      expect((await c.order("below", body(5_100))).points).toEqual({ earned: 51, pending: 0, reversed: 0, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: 101 });
    });

    it("gift cards (when excluded) and pointsEligible:false lines do not count", async () => {
      const { c, ruleIds } = await store({
        rules: [orderRule({ name: "No gift cards", excludeGiftCards: true }), orderRule({ name: "Gift cards count" })],
      });
      const lines = [
        { sku: "a", quantity: 1, amount: 5_000 },
        { sku: "gc", quantity: 1, amount: 10_000, giftCard: true },
        { sku: "promo", quantity: 1, amount: 2_000, pointsEligible: false },
      ];
      const o = await c.order("o1", order("amy", { lines }));
      expect(o.points).toEqual({ earned: 200, pending: 0, reversed: 0, redeemed: 0 });
      const byRule = new Map(o.awards.map((a: any) => [a.ruleId, a]));
      expect(byRule.get(ruleIds[0])).toMatchObject({ points: 50, explanation: { base: 5_000, inputs: { subtotal: 5_000, excludedLines: ["gc", "promo"] } } });
      expect(byRule.get(ruleIds[1])).toMatchObject({ points: 150, explanation: { base: 15_000, inputs: { subtotal: 15_000, excludedLines: ["promo"] } } });
      expect(await c.member("amy")).toMatchObject({ balance: 200 });
    });

    it("base net: after order discounts and cashback spent on the order, never after store credits", async () => {
      const { c, methodIds } = await store({
        rules: [orderRule({ base: "net", excludeGiftCards: true })],
        methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }],
      });
      const two = [{ sku: "a", quantity: 1, amount: 10_000 }, { sku: "b", quantity: 1, amount: 10_000 }];
      let o = await c.order("n1", order("amy", { lines: two, discounts: 2_000, credits: 3_000, shipping: 500, fees: 200 }));
      expect(o.points).toEqual({ earned: 180, pending: 0, reversed: 0, redeemed: 0 });
      // The discount falls on the lines in proportion: half of it on the excluded gift card.
      o = await c.order("n2", order("amy", { lines: [two[0], { sku: "gc", quantity: 1, amount: 10_000, giftCard: true }], discounts: 2_000 }));
      expect(o.points).toEqual({ earned: 90, pending: 0, reversed: 0, redeemed: 0 });

      await c.adjust("ben", 2_000);
      const held = (await c.post("/v1/redemptions", { memberId: "ben", methodId: methodIds[0], points: 1_000, orderId: "n3", cart: { lines: two } })).json();
      await c.post(`/v1/redemptions/${held.id}/capture`);
      o = await c.order("n3", order("ben", { lines: two }));
      expect(o.points).toEqual({ earned: 190, pending: 0, reversed: 0, redeemed: 1_000 });
      // Line b refunded: half the spend (500 points = $5) comes back, so $100 − $5 is the base.
      const refund = { id: "r1", lines: [{ sku: "b", quantity: 1, amount: 10_000 }], amount: 10_000, at: "2026-02-26T00:00:00Z" };
      o = await c.order("n3", order("ben", { lines: two, refunds: [refund] }));
      expect(o.points).toEqual({ earned: 95, pending: 0, reversed: 95, redeemed: 500 });
      expect(await c.member("ben")).toMatchObject({ balance: 2_000 - 1_000 + 500 + 95 });

      // A hold counts while it is held; once released it is no longer spent on the order.
      const hold = (await c.post("/v1/redemptions", { memberId: "ben", methodId: methodIds[0], points: 500, orderId: "n4", cart: { lines: two } })).json();
      o = await c.order("n4", order("ben", { lines: two }));
      expect(o.points).toEqual({ earned: 195, pending: 0, reversed: 0, redeemed: 500 });
      await c.post(`/v1/redemptions/${hold.id}/release`);
      o = await c.order("n4", order("ben", { lines: two }));
      expect(o.points).toEqual({ earned: 200, pending: 0, reversed: 0, redeemed: 0 });
    });

    it("changing the order's member moves the award", async () => {
      const { c } = await store({ program: { validity: { type: "rolling", days: 90 } }, rules: [orderRule()] });
      let o = await c.order("o1", order("amy"));
      expect(o.points).toEqual({ earned: 180, pending: 0, reversed: 0, redeemed: 0 });
      o = await c.order("o1", order("ben"));
      expect(o.memberId).toBe("ben");
      expect(o.points).toMatchObject({ earned: 180, pending: 0, redeemed: 0 });
      expect(o.awards).toHaveLength(1);
      expect(o.awards[0]).toMatchObject({ points: 180, earnedAt: "2026-02-25T10:05:00.000Z", expiresAt: "2026-05-26T10:05:00.000Z" });
      expect(await c.member("amy")).toMatchObject({ balance: 0, debt: 0 });
      expect((await c.activity("amy"))[0]).toMatchObject({ type: "reverse", points: -180, balanceAfter: 0 });
      expect(await c.member("ben")).toMatchObject({ balance: 180, expiring: [{ expiresAt: "2026-05-26T10:05:00.000Z", points: 180 }] });
      // And back again.
      o = await c.order("o1", order("amy"));
      expect(o.points).toMatchObject({ earned: 180, pending: 0, redeemed: 0 });
      expect(await c.member("amy")).toMatchObject({ balance: 180 });
      expect(await c.member("ben")).toMatchObject({ balance: 0 });
    });

    it("while the program is disabled orders earn nothing, and re-enabling does not award them", async () => {
      const { c } = await store({ program: { enabled: false }, rules: [orderRule()] });
      expect((await c.order("o1", order("amy"))).points).toEqual(ZERO);
      expect((await c.patch("/v1/program", { enabled: true })).statusCode).toBe(200);
      expect((await c.order("o1", order("amy"))).points).toEqual(ZERO);
      expect((await c.order("o2", order("amy"))).points.earned).toBe(180);
      expect(await c.member("amy")).toMatchObject({ balance: 180 });
    });
  });
});

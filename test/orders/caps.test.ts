import { describe, expect, it } from "vitest";
import { orderRule } from "../checkout/helpers.ts";
import { orderStores, points } from "./harness.ts";

/**
 * SPEC §3 Earn rules (`maxPoints`) and Orders, through PUT/GET /v1/orders/{id}: the per-order cap
 * (`maxPoints.event`) applies to the order as it is now, so edits and refunds move the award under
 * it; period caps are judged at the award moment in the store's zone, an award keeps its earn date
 * (and so its month) when the order is edited, and raising an order never takes its rule past them.
 */
describe("order awards under caps", () => {
  const { store } = orderStores({ clock: "2026-04-10T00:00:00Z" });

  const order = (amount: number, paidAt: string, extra: Record<string, unknown> = {}) => ({
    memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: paidAt, paidAt, ...extra,
  });
  const refund = (id: string, amount: number) => ({ id, amount, at: "2026-04-01T00:00:00Z" });

  describe("maxPoints.event: the cap per order", () => {
    const PAID = "2026-03-02T10:05:00Z";

    it("holds an award at the cap; edits and refunds move it under the cap, never past it", async () => {
      const { c, put } = await store({ rules: [orderRule({ limits: { maxPoints: { event: 100 } } })] });
      // $150 → raw 150, cut 50 by the cap of 100.
      let o = await put("o1", order(15_000, PAID), points(100));
      expect(o.awards[0]).toMatchObject({
        points: 100, earnedAt: "2026-03-02T10:05:00.000Z",
        explanation: { raw: 150, caps: [{ cap: "event", limit: 100, used: 0, cut: 50 }], points: 100 },
      });

      // Edited down to $80: below the cap, the award is the order's own 80; 20 reversed.
      await put("o1", order(8_000, PAID), points(80, 20));
      expect(await c.member("amy")).toMatchObject({ balance: 80 });
      expect((await c.activity("amy"))[0]).toMatchObject({ type: "reverse", points: -20, balanceAfter: 80 });

      // Back up to $150: back to the cap, 20 credited into the award's earn date.
      o = await put("o1", order(15_000, PAID), points(100, 20));
      expect(o.awards[0]).toMatchObject({ points: 100, reversed: 20, earnedAt: "2026-03-02T10:05:00.000Z" });
      expect((await c.activity("amy"))[0]).toMatchObject({ type: "earn", points: 20, balanceAfter: 100, explanation: { adjustment: { from: 80, to: 100 } } });

      // $260 is still capped at 100: nothing changes.
      const before = (await c.activity("amy")).length;
      await put("o1", order(26_000, PAID), points(100, 20));
      // A partial refund that leaves $120 (above the cap) still earns the cap: nothing changes.
      await put("o1", order(15_000, PAID, { refunds: [refund("r1", 3_000)] }), points(100, 20));
      expect(await c.activity("amy")).toHaveLength(before);

      // Another $40 back leaves $80, below the cap: 80, so 20 more reversed (40 in all).
      await put("o1", order(15_000, PAID, { refunds: [refund("r1", 3_000), refund("r2", 4_000)] }), points(80, 40));
      // Cancellation reverses the rest: 40 + 80 = 120 reversed.
      await put("o1", order(15_000, PAID, { refunds: [refund("r1", 3_000), refund("r2", 4_000)], canceledAt: "2026-04-02T00:00:00Z" }), points(0, 120));
      expect(await c.member("amy")).toMatchObject({ balance: 0, debt: 0 });
    });

    it("with a period cap as well, the per-order cap follows the order while the period cut stays", async () => {
      const { c, put } = await store({ rules: [orderRule({ limits: { maxPoints: { event: 100, month: 150 } } })] });
      // A: $120 → 100 (event cut 20); month used 100.
      await put("A", order(12_000, "2026-03-02T10:00:00Z"), points(100));
      // B: $80 → 80, cut to the month's remainder 50 (month cut 30); month used 150.
      const b = await put("B", order(8_000, "2026-03-03T10:00:00Z"), points(50));
      expect(b.awards[0].explanation).toMatchObject({ raw: 80, caps: [{ cap: "month", limit: 150, used: 100, cut: 30 }], points: 50 });
      // A edited to $90: under its cap of 100 it earns 90 (10 reversed); month used 140.
      await put("A", order(9_000, "2026-03-02T10:00:00Z"), points(90, 10));
      // B raised to $120: min(120, 100) − 30 (its month cut) = 70 wanted, but only 150 − 140 = 10 left
      // in the month: 50 + 10 = 60.
      await put("B", order(12_000, "2026-03-03T10:00:00Z"), points(60));
      expect(await c.member("amy")).toMatchObject({ balance: 150 });
    });
  });

  describe("maxPoints.month: store-local months", () => {
    // Asia/Tokyo is UTC+9: 2026-03-31T14:30Z is 23:30 on 31 March there, 15:05Z is 00:05 on 1 April.
    const A_PAID = "2026-03-05T01:05:00Z";
    const B_PAID = "2026-03-31T14:30:00Z";

    it("cuts the second order of the month to the remainder; a refund of the first frees room for later awards, not for the second", async () => {
      const { c, put } = await store({ timezone: "Asia/Tokyo", rules: [orderRule({ limits: { maxPoints: { month: 50 } } })] });
      // A: $40 → 40; 10 left in March.
      await put("A", order(4_000, A_PAID), points(40));
      // B: $20 → cut to the remainder 10.
      const b = await put("B", order(2_000, B_PAID), points(10));
      expect(b.awards[0]).toMatchObject({ points: 10, explanation: { raw: 20, caps: [{ cap: "month", limit: 50, used: 40, cut: 10 }], points: 10 } });
      // X: paid 35 minutes later in UTC but in April in Tokyo: a new month, $20 → 20.
      const x = await put("X", order(2_000, "2026-03-31T15:05:00Z"), points(20));
      expect(x.awards[0].explanation.caps).toBeUndefined();

      // A canceled: its 40 are reversed and give their room in March back.
      await put("A", order(4_000, A_PAID, { canceledAt: "2026-04-01T00:00:00Z" }), points(0, 40));
      // B keeps what it was awarded at its award moment: the cut is not undone by another order's
      // refund, neither at once nor when B is sent again unchanged.
      const entries = (await c.activity("amy")).length;
      expect((await c.json("/v1/orders/B")).points).toEqual(points(10));
      await put("B", order(2_000, B_PAID), points(10));
      expect(await c.activity("amy")).toHaveLength(entries);

      // The freed room serves the next award in March: 50 − 10 (B) = 40 left, so $45 → 40 (cut 5).
      const cOrder = await put("C", order(4_500, "2026-03-20T03:00:00Z"), points(40));
      expect(cOrder.awards[0].explanation).toMatchObject({ raw: 45, caps: [{ cap: "month", limit: 50, used: 10, cut: 5 }] });
      // B (10) + X (20) + C (40).
      expect(await c.member("amy")).toMatchObject({ balance: 70 });
    });

    it("an edit keeps the award in its own month: raising a March order after April began uses March's room", async () => {
      const { put } = await store({ timezone: "Asia/Tokyo", rules: [orderRule({ limits: { maxPoints: { month: 50 } } })] });
      // March: $30 → 30. April (Tokyo): $50 → 50, April full.
      await put("M", order(3_000, B_PAID), points(30));
      await put("N", order(5_000, "2026-03-31T15:05:00Z"), points(50));
      // M raised to $45 on 10 April: its award stays in March, where 20 are left → 45.
      await put("M", order(4_500, B_PAID), points(45));
      // Raised again to $90: March has 5 left → 50.
      await put("M", order(9_000, B_PAID), points(50));
    });

    it("a raised order still respects the month cap reached by other orders", async () => {
      const { c, put } = await store({ rules: [orderRule({ limits: { maxPoints: { month: 50 } } })] });
      // A $30 → 30, B $20 → 20: March is full.
      await put("A", order(3_000, "2026-03-02T10:00:00Z"), points(30));
      await put("B", order(2_000, "2026-03-03T10:00:00Z"), points(20));
      // A raised to $45: no room left, it stays at 30 and nothing is written.
      const entries = (await c.activity("amy")).length;
      await put("A", order(4_500, "2026-03-02T10:00:00Z"), points(30));
      expect(await c.activity("amy")).toHaveLength(entries);
      // B edited down to $5: 15 reversed, March has 15 left.
      await put("B", order(500, "2026-03-03T10:00:00Z"), points(5, 15));
      // A raised to $45 again: 15 more fit → 45.
      await put("A", order(4_500, "2026-03-02T10:00:00Z"), points(45));
      // B back up to $20: March is full again, B stays at 5.
      await put("B", order(2_000, "2026-03-03T10:00:00Z"), points(5, 15));
      // A new month has its own room: an April order of $45 earns 45.
      await put("D", order(4_500, "2026-04-02T10:00:00Z"), points(45));
      expect(await c.member("amy")).toMatchObject({ balance: 95 });
    });

    it("an order cut by the month cap keeps at most the room it had, edited down or up (50 a month, 40 elsewhere)", async () => {
      const { c, put } = await store({ rules: [orderRule({ limits: { maxPoints: { month: 50 } } })] });
      await put("A", order(4_000, "2026-03-02T10:00:00Z"), points(40));
      // B $20 → 20, cut to the 10 March has left.
      await put("B", order(2_000, "2026-03-03T10:00:00Z"), points(10));
      // Edited down to $12: still worth more than its room, so it keeps 10.
      await put("B", order(1_200, "2026-03-03T10:00:00Z"), points(10));
      // Down to $8: worth 8 now, 2 reversed.
      await put("B", order(800, "2026-03-03T10:00:00Z"), points(8, 2));
      // Back up to $30: never more than the 10 of room it had.
      await put("B", order(3_000, "2026-03-03T10:00:00Z"), points(10, 2));
      expect(await c.member("amy")).toMatchObject({ balance: 50 });
    });
  });

  describe("maxPoints.lifetime", () => {
    it("an order raised after the lifetime cap was reached elsewhere gets only what is left", async () => {
      const { c, put } = await store({ rules: [orderRule({ limits: { maxPoints: { lifetime: 100 } } })] });
      // A $80 → 80; B $50 → 20 (cut 30).
      await put("A", order(8_000, "2026-03-02T10:00:00Z"), points(80));
      const b = await put("B", order(5_000, "2026-03-03T10:00:00Z"), points(20));
      expect(b.awards[0].explanation.caps).toEqual([{ cap: "lifetime", limit: 100, used: 80, cut: 30 }]);
      // A raised to $120: nothing left under the cap.
      await put("A", order(12_000, "2026-03-02T10:00:00Z"), points(80));
      // A down to $60: 20 reversed, 20 left.
      await put("A", order(6_000, "2026-03-02T10:00:00Z"), points(60, 20));
      // B sent again unchanged: 50 − 30 = 20, nothing moves.
      await put("B", order(5_000, "2026-03-03T10:00:00Z"), points(20));
      // B raised to $90: 90 − 30 = 60 wanted, 20 left → 40.
      await put("B", order(9_000, "2026-03-03T10:00:00Z"), points(40));
      expect(await c.member("amy")).toMatchObject({ balance: 100 });
    });
  });
});

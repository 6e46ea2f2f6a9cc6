import { describe, expect, it } from "vitest";
import { orderRule } from "../checkout/helpers.ts";
import { orderStores, points } from "./harness.ts";

/**
 * SPEC §3 Earn rules (timing) and Orders: an order award is pending from its `awardOn` moment until
 * `delayDays` store-local days later; edits and refunds while pending move the pending points,
 * edits and refunds after maturing move spendable points, all within the award's own dates.
 */
describe("pending order awards", () => {
  const { store } = orderStores();

  it("delivered in Paris the day before summer time: pending 3 local days, then spendable; edits and refunds on both sides", async () => {
    const s = await store({
      clock: "2026-03-27T12:00:00Z", timezone: "Europe/Paris",
      rules: [orderRule({ timing: { awardOn: "delivered", delayDays: 3 }, validity: { type: "rolling", days: 30 } })],
    });
    const { c } = s;
    const put = (body: unknown, expected: ReturnType<typeof points>) => s.put("o1", body, expected);
    const body = (amount: number, extra: Record<string, unknown> = {}) => ({
      memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: "2026-03-25T10:00:00Z", paidAt: "2026-03-25T10:05:00Z", ...extra,
    });
    const DELIVERED = "2026-03-27T10:00:00Z"; // 11:00 CET
    // Three local days later is 30 March 11:00 CEST (summer time began on the 29th): 09:00Z.
    const AVAILABLE = "2026-03-30T09:00:00.000Z";
    const EXPIRES = "2026-04-29T09:00:00.000Z";
    const refund = (id: string, amount: number, at: string) => ({ id, amount, at });

    // Paid is not the award moment.
    await put(body(12_000), points(0));
    let o = await put(body(12_000, { deliveredAt: DELIVERED }), points(0, 0, 120));
    expect(o.awards[0]).toMatchObject({ status: "pending", earnedAt: "2026-03-27T10:00:00.000Z", availableAt: AVAILABLE, expiresAt: EXPIRES });
    expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 120 });

    // While pending: raised to $150 (30 more pending), then $50 refunded (50 reversed).
    await put(body(15_000, { deliveredAt: DELIVERED }), points(0, 0, 150));
    expect((await c.activity("amy"))[0]).toMatchObject({ type: "pending", points: 30, balanceAfter: 0 });
    const r1 = refund("r1", 5_000, "2026-03-28T00:00:00Z");
    await c.advance(r1.at);
    await put(body(15_000, { deliveredAt: DELIVERED, refunds: [r1] }), points(0, 50, 100));
    expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 100 });

    // A millisecond before the date nothing is spendable; at it all 100 are.
    await c.advance("2026-03-30T08:59:59.999Z");
    expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 100 });
    expect((await c.json("/v1/orders/o1")).points).toEqual(points(0, 50, 100));
    await c.advance(AVAILABLE);
    expect(await c.member("amy")).toMatchObject({ balance: 100, pending: 0, expiring: [{ expiresAt: EXPIRES, points: 100 }] });
    o = await c.json("/v1/orders/o1");
    expect(o.points).toEqual(points(100, 50));
    expect(o.awards[0]).toMatchObject({ status: "available", points: 100, reversed: 50 });

    // After maturing: $30 more refunded → 70, reversed from the spendable points.
    const r2 = refund("r2", 3_000, "2026-04-02T00:00:00Z");
    await c.advance(r2.at);
    await put(body(15_000, { deliveredAt: DELIVERED, refunds: [r1, r2] }), points(70, 80));
    expect(await c.member("amy")).toMatchObject({ balance: 70, pending: 0, expiring: [{ expiresAt: EXPIRES, points: 70 }] });

    // Raised after maturing ($200 less the $80 refunded → 120): spendable at once, same expiry.
    await put(body(20_000, { deliveredAt: DELIVERED, refunds: [r1, r2] }), points(120, 80));
    expect(await c.member("amy")).toMatchObject({ balance: 120, pending: 0, expiring: [{ expiresAt: EXPIRES, points: 120 }] });
    expect((await c.activity("amy"))[0]).toMatchObject({ type: "earn", points: 50, balanceAfter: 120 });

    // Canceled: everything back (80 + 120 = 200 reversed).
    await put(body(20_000, { deliveredAt: DELIVERED, refunds: [r1, r2], canceledAt: "2026-04-02T00:00:00Z" }), points(0, 200));
    expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 0, debt: 0 });
  });

  it("a pending award under a per-order cap: edits while pending stay under it, and the award matures at the cap", async () => {
    const s = await store({
      clock: "2026-03-10T00:00:00Z",
      rules: [orderRule({ timing: { awardOn: "paid", delayDays: 2 }, limits: { maxPoints: { event: 100 } } })],
    });
    const { c } = s;
    const body = (amount: number) => ({ memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: "2026-03-09T10:00:00Z", paidAt: "2026-03-09T10:05:00Z" });
    // $150 → 100 pending until 11 March 10:05.
    expect((await c.order("o1", body(15_000))).points).toEqual(points(0, 0, 100));
    // $70 → 70 pending; $130 → back to 100 pending.
    expect((await c.order("o1", body(7_000))).points).toEqual(points(0, 30, 70));
    expect((await c.order("o1", body(13_000))).points).toEqual(points(0, 30, 100));
    await c.advance("2026-03-11T10:05:00Z");
    expect(await c.member("amy")).toMatchObject({ balance: 100, pending: 0 });
    expect((await c.json("/v1/orders/o1")).points).toEqual(points(100, 30));
  });
});

import { describe, expect, it } from "vitest";
import { expectProblem } from "../support/http.ts";
import { orderRule } from "../checkout/helpers.ts";
import { orderStores, points } from "./harness.ts";

/**
 * SPEC §3 Orders and Redeem methods (cashback): points spent on an order come back on a refund in
 * proportion to the refunded share of the order (floor), and the rest on cancellation, into the
 * lots they were taken from with those lots' expiry; a `net` base counts the points still spent.
 */
describe("cashback spent on an order comes back", () => {
  const { store } = orderStores({ clock: "2026-03-01T00:00:00Z" });

  // 1 point = 1 cent off; points valid 60 days.
  const CASH = { type: "cashback", name: "Cash", points: 1, amount: 1 };
  const LINES = [
    { sku: "a", quantity: 1, amount: 4_000 },
    { sku: "b", quantity: 1, amount: 3_000 },
    { sku: "c", quantity: 1, amount: 3_000 },
  ];
  const LOT1 = "2026-04-30T00:00:00.000Z"; // 200 points credited on 1 March
  const LOT2 = "2026-05-04T00:00:00.000Z"; // 233 points credited on 5 March
  const AWARD = "2026-05-04T10:05:00.000Z"; // the order's award, paid 5 March 10:05
  const PLACED = "2026-03-05T10:00:00Z";
  const PAID = "2026-03-05T10:05:00Z";
  const refundA = { id: "ra", lines: [{ sku: "a", quantity: 1, amount: 4_000 }], amount: 4_000, at: "2026-03-06T00:00:00Z" };
  const refundB = { id: "rb", lines: [{ sku: "b", quantity: 1, amount: 3_000 }], amount: 3_000, at: "2026-03-07T00:00:00Z" };

  it("net base: the award counts the points spent; refunds return them in proportion (floor) to their lots, cancellation returns the rest", async () => {
    const { c, methodIds, put } = await store({ program: { validity: { type: "rolling", days: 60 } }, rules: [orderRule({ base: "net" })], methods: [CASH] });
    await c.adjust("amy", 200);
    await c.advance("2026-03-05T00:00:00Z");
    await c.adjust("amy", 233);
    const order = (extra: Record<string, unknown> = {}) => ({ memberId: "amy", lines: LINES, placedAt: PLACED, ...extra });

    // The order is recorded at checkout; the hold names it and carries no cart: its lines are used.
    await c.advance(PAID);
    await put("o1", order(), points(0));
    const held = await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[0], points: 333, orderId: "o1" });
    expect(held.statusCode, held.body).toBe(201);
    expect(held.json()).toMatchObject({ status: "held", points: 333, discount: 333, orderId: "o1" });
    const redemption = held.json().id as string;
    // Nearest expiry first: all 200 of lot 1, then 133 of lot 2.
    expect(await c.member("amy")).toMatchObject({ balance: 100, held: 333, expiring: [{ expiresAt: LOT2, points: 100 }] });
    expect((await c.json("/v1/orders/o1")).points).toEqual(points(0, 0, 0, 333));
    expect((await c.post(`/v1/redemptions/${redemption}/capture`)).json()).toMatchObject({ status: "completed" });

    // Paid: net base 10000 − 333 = 9667 → 96.
    const o = await put("o1", order({ paidAt: PAID }), points(96, 0, 0, 333));
    expect(o.awards[0].explanation).toMatchObject({ base: 9_667, inputs: { baseKind: "net", pointsDiscount: 333, subtotal: 10_000 } });
    expect(await c.member("amy")).toMatchObject({ balance: 196, expiring: [{ expiresAt: LOT2, points: 100 }, { expiresAt: AWARD, points: 96 }] });

    await c.advance(refundA.at);
    // Line a refunded, 40% of the order: floor(333 × 4000 / 10000) = floor(133.2) = 133 points come
    // back, into lot 2 (the last taken). Still spent: 200, so the base is 6000 − 200 = 5800 → 58; 38 reversed.
    await put("o1", order({ paidAt: PAID, refunds: [refundA] }), points(58, 38, 0, 200));
    expect(await c.json(`/v1/redemptions/${redemption}`)).toMatchObject({ status: "completed", returned: 133 });
    expect(await c.member("amy")).toMatchObject({ balance: 291, expiring: [{ expiresAt: LOT2, points: 233 }, { expiresAt: AWARD, points: 58 }] });
    const [ret, rev] = await c.activity("amy");
    expect(ret).toMatchObject({ type: "return", points: 133, balanceAfter: 291, reason: "order refunded", source: { type: "redemption", ref: redemption } });
    expect(rev).toMatchObject({ type: "reverse", points: -38, balanceAfter: 158, source: { type: "order", ref: "o1" } });

    // Sending the same state again returns and reverses nothing more.
    const entries = (await c.activity("amy")).length;
    await put("o1", order({ paidAt: PAID, refunds: [refundA] }), points(58, 38, 0, 200));
    expect(await c.activity("amy")).toHaveLength(entries);

    await c.advance(refundB.at);
    // Line b as well, 70% in all: floor(333 × 7000 / 10000) = floor(233.1) = 233, so 100 more, into
    // lot 1 (the 133 taken from lot 2 are back already). Spent: 100; base 3000 − 100 = 2900 → 29; 29 more reversed.
    await put("o1", order({ paidAt: PAID, refunds: [refundA, refundB] }), points(29, 67, 0, 100));
    expect(await c.json(`/v1/redemptions/${redemption}`)).toMatchObject({ status: "completed", returned: 233 });
    expect(await c.member("amy")).toMatchObject({
      balance: 362, expiring: [{ expiresAt: LOT1, points: 100 }, { expiresAt: LOT2, points: 233 }, { expiresAt: AWARD, points: 29 }],
    });

    // Lot 1 expires on its own date with the points returned to it.
    expect((await c.advance("2026-05-01T00:00:00Z")).ran.expired).toBe(1);
    expect(await c.member("amy")).toMatchObject({ balance: 262, expiring: [{ expiresAt: LOT2, points: 233 }, { expiresAt: AWARD, points: 29 }] });

    // Canceled: the last 100 spent go back to lot 1, already expired, and expire at once; the award is reversed.
    await put("o1", order({ paidAt: PAID, refunds: [refundA, refundB], canceledAt: "2026-05-01T00:00:00Z" }), points(0, 96, 0, 0));
    expect(await c.json(`/v1/redemptions/${redemption}`)).toMatchObject({ status: "returned", returned: 333 });
    expect(await c.member("amy")).toMatchObject({ balance: 233, debt: 0, expiring: [{ expiresAt: LOT2, points: 233 }] });
    const [expire, back, reverse] = await c.activity("amy");
    // Dated at the cancellation, when the points came back, not back-dated to lot 1's expiry.
    expect(expire).toMatchObject({ type: "expire", points: -100, at: "2026-05-01T00:00:00.000Z", balanceAfter: 233 });
    expect(back).toMatchObject({ type: "return", points: 100, balanceAfter: 333, reason: "order canceled" });
    expect(reverse).toMatchObject({ type: "reverse", points: -29, balanceAfter: 233 });
  });

  it("subtotal base: a refund by amount returns floor(points × refunded / lines) and leaves the award on the refunded base", async () => {
    const { c, methodIds, put } = await store({ rules: [orderRule()], methods: [CASH] });
    await c.adjust("ben", 1_000);
    await c.advance("2026-03-08T00:00:00Z");
    const cart = { lines: LINES };
    const held = (await c.post("/v1/redemptions", { memberId: "ben", methodId: methodIds[0], points: 101, orderId: "o2", cart })).json();
    expect(held).toMatchObject({ status: "held", points: 101 });
    await c.post(`/v1/redemptions/${held.id}/capture`);
    const order = (refunds: unknown[] = [], extra: Record<string, unknown> = {}) => ({ memberId: "ben", lines: LINES, placedAt: PLACED, paidAt: PAID, refunds, ...extra });
    // Subtotal base: spent points do not reduce it → 100.
    await put("o2", order(), points(100, 0, 0, 101));
    expect(await c.member("ben")).toMatchObject({ balance: 1_000 - 101 + 100 });
    // $33.33 refunded by amount: floor(101 × 3333 / 10000) = floor(33.66) = 33 back; base 6667 → 66, 34 reversed.
    const r1 = { id: "r1", amount: 3_333, at: "2026-03-06T00:00:00Z" };
    await put("o2", order([r1]), points(66, 34, 0, 68));
    expect(await c.member("ben")).toMatchObject({ balance: 999 + 33 - 34 });
    // Another $33.33: 6666 of 10000 → floor(67.33) = 67, 34 more back; base 3334 → 33, 33 reversed.
    const r2 = { id: "r2", amount: 3_333, at: "2026-03-06T01:00:00Z" };
    await put("o2", order([r1, r2]), points(33, 67, 0, 34));
    // Canceled: the last 34 back, 33 reversed; the member is where they started.
    await put("o2", order([r1, r2], { canceledAt: "2026-03-07T00:00:00Z" }), points(0, 100, 0, 0));
    expect(await c.member("ben")).toMatchObject({ balance: 1_000, debt: 0 });
    expect(await c.json(`/v1/redemptions/${held.id}`)).toMatchObject({ status: "returned", returned: 101 });
  });

  it("refunding a line that earns nothing returns its share of the cashback and leaves the award", async () => {
    const { c, methodIds, put } = await store({ rules: [orderRule()], methods: [CASH] });
    await c.adjust("dee", 500);
    await c.advance("2026-03-08T00:00:00Z");
    const lines = [{ sku: "a", quantity: 1, amount: 6_000 }, { sku: "promo", quantity: 1, amount: 4_000, pointsEligible: false }];
    const held = (await c.post("/v1/redemptions", { memberId: "dee", methodId: methodIds[0], points: 50, orderId: "o3", cart: { lines } })).json();
    await c.post(`/v1/redemptions/${held.id}/capture`);
    const order = (refunds: unknown[] = []) => ({ memberId: "dee", lines, placedAt: PLACED, paidAt: PAID, refunds });
    // Only line a counts: 60.
    await put("o3", order(), points(60, 0, 0, 50));
    // The promotional line refunded: 40% of the order, floor(50 × 0.4) = 20 points back; line a still earns 60.
    await put("o3", order([{ id: "r1", lines: [{ sku: "promo", quantity: 1, amount: 4_000 }], amount: 4_000, at: "2026-03-07T00:00:00Z" }]), points(60, 0, 0, 30));
    expect(await c.member("dee")).toMatchObject({ balance: 500 - 50 + 60 + 20 });
  });

  it("a hold must name its order and carry a cart unless the order is recorded", async () => {
    const { c, methodIds } = await store({ methods: [CASH] });
    await c.adjust("cy", 100);
    const missing = expectProblem(await c.post("/v1/redemptions", { memberId: "cy", methodId: methodIds[0], points: 10, orderId: "unknown" }), 422, "validation_failed");
    expect(missing.errors.map((e: { path: string }) => e.path)).toContain("cart");
    expect(await c.member("cy")).toMatchObject({ balance: 100, held: 0 });
  });
});

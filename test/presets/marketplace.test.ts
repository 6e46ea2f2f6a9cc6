import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectFaithfulReplay } from "../support/replay.ts";
import { call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { applyPreset, loadPreset } from "../support/presets.ts";

/**
 * The marketplace's loyalty points (seeds/004), replayed through the public API on sandbox stores
 * in Asia/Shanghai (UTC+8, no daylight saving; 11.11 is a China Standard Time date), USD.
 */
describe("preset marketplace", () => {
  /** Every store the scenarios created: the simulator must replay each one exactly (SPEC §8). */
  const replayed: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** Thursday 2026-10-08 10:00 in Shanghai. */
  const T0 = "2026-10-08T02:00:00Z";

  async function setup(clock = T0) {
    const store = await createTestStore(t.app, { timezone: "Asia/Shanghai", currency: "USD", clock });
    replayed.push(store.id);
    const key = store.adminKey;
    await applyPreset(t.app, key, "marketplace");
    const get = (url: string) => call(t.app, "GET", url, { key });
    const put = (url: string, body: unknown) => call(t.app, "PUT", url, { key, body });
    const post = (url: string, body?: unknown) => call(t.app, "POST", url, { key, body });
    const rules = new Map<string, string>(((await get("/v1/earn-rules?limit=100")).json().data as Array<{ id: string; name: string }>).map((r) => [r.name, r.id]));
    const methods = new Map<string, string>(((await get("/v1/redeem-methods?limit=100")).json().data as Array<{ id: string; name: string }>).map((m) => [m.name, m.id]));
    let n = 0;
    const event = async (memberId: string, type: string, properties: Record<string, unknown> = {}, occurredAt?: string) => {
      const res = await post("/v1/events", { id: `ev-${++n}`, type, memberId, properties, ...(occurredAt ? { occurredAt } : {}) });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json() as { awards: Array<{ points: number; expiresAt: string | null }>; skipped?: Array<{ reason: string }> };
      return { points: body.awards.reduce((s, a) => s + a.points, 0), body };
    };
    const order = async (id: string, body: Record<string, unknown>) => {
      const res = await put(`/v1/orders/${id}`, body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { points: { earned: number; pending: number; reversed: number; redeemed: number }; awards: Array<Record<string, any>> };
    };
    const member = async (id: string) => (await get(`/v1/members/${id}`)).json();
    const advance = async (to: string) => {
      const res = await post("/v1/clock/advance", { to });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { now: string; ran: { matured: number; released: number; expired: number; reminded: number } };
    };
    return { store, key, get, put, post, rules, methods, event, order, member, advance };
  }

  const line = (sku: string, amount: number, extra: Record<string, unknown> = {}) => ({ sku, quantity: 1, amount, ...extra });
  const paidOrder = (memberId: string, lines: unknown[], over: Record<string, unknown> = {}) => ({
    memberId, channel: "online", lines, shipping: 500, placedAt: "2026-10-08T01:00:00Z", paidAt: "2026-10-08T01:05:00Z", ...over,
  });

  it("applies as one document with the 11.11 campaign; applying it again changes nothing", async () => {
    const s = await setup();
    const exported = (await s.get("/v1/program/export")).json();
    expect(exported.settings).toMatchObject({
      pointsName: { en: "Loyalty Points", "zh-CN": "积分" },
      validity: { type: "rolling", months: 12 },
      campaigns: [{ name: "11.11 Global Shopping Festival: double points", from: "2026-11-11T00:00:00+08:00", to: "2026-11-12T00:00:00+08:00", factor: 2, events: ["order"] }],
    });
    expect(exported.earnRules.map((r: { name: string }) => r.name).sort()).toEqual(["Join a promotion", "Points on purchases", "Product reviews", "Share a product"]);
    expect(exported.redeemMethods).toMatchObject([{ type: "cashback", name: "Points at checkout", points: 100, amount: 100, stackWithDiscounts: true }]);
    const again = await call(t.app, "PUT", "/v1/program/import?dryRun=true", { key: s.key, body: loadPreset("marketplace") });
    expect(again.json().diff).toEqual({
      settings: [],
      tiers: { added: [], changed: [], removed: [], unchanged: 0 },
      earnRules: { added: [], changed: [], removed: [], unchanged: 4 },
      redeemMethods: { added: [], changed: [], removed: [], unchanged: 1 },
    });
  });

  it("points on order value: $1 = 1 point on what the buyer pays for the items, after coupons; shipping never counts", async () => {
    const s = await setup();
    const lines = [{ sku: "phone-case", quantity: 2, amount: 2_598 }, line("cable", 1_550)];
    // Not paid yet: nothing.
    expect((await s.order("m-0", paidOrder("mia", lines, { paidAt: null }))).points.earned).toBe(0);
    // $41.48 of items + $5 shipping → 41 points.
    const plain = await s.order("m-1", paidOrder("mia", lines));
    expect(plain.points).toEqual({ earned: 41, pending: 0, reversed: 0, redeemed: 0 });
    expect(plain.awards[0]).toMatchObject({ ruleId: s.rules.get("Points on purchases"), points: 41, expiresAt: "2027-10-08T01:05:00.000Z" });
    // With a $10 coupon the buyer pays $31.48 for the items → 31 points.
    const coupon = await s.order("m-2", paidOrder("mia", lines, { discounts: 1_000 }));
    expect(coupon.points.earned).toBe(31);
    expect(coupon.awards[0]!.explanation).toMatchObject({ base: 3_148, inputs: { baseKind: "net", subtotal: 4_148, discounts: 1_000, reductionShare: 1_000 } });
    expect(await s.member("mia")).toMatchObject({ balance: 72 });
  });

  it("items on promotions marked not eligible for points earn nothing, and take their share of the coupon with them", async () => {
    const s = await setup();
    // $50 eligible + $30 flash deal not eligible, $8 coupon spread by value: the eligible share is $5 → $45 → 45 points.
    const mixed = await s.order("p-1", paidOrder("pia", [line("sneakers", 5_000), line("flash-deal", 3_000, { pointsEligible: false })], { discounts: 800 }));
    expect(mixed.points.earned).toBe(45);
    expect(mixed.awards[0]!.explanation).toMatchObject({ base: 4_500, inputs: { subtotal: 5_000, excludedLines: ["flash-deal"], reductionShare: 500 } });
    // Only ineligible items: nothing.
    const none = await s.order("p-2", paidOrder("pia", [line("flash-deal", 3_000, { pointsEligible: false }), line("clearance", 2_000, { pointsEligible: false })]));
    expect(none.points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
    expect(await s.member("pia")).toMatchObject({ balance: 45 });
  });

  it("bonus-point campaign: double points on orders paid on 11.11 in China Standard Time, not a second earlier or later", async () => {
    const s = await setup();
    await s.advance("2026-11-11T17:00:00Z"); // 2026-11-12 01:00 in Shanghai
    const at = (id: string, paidAt: string) => s.order(id, paidOrder("leo", [line("headphones", 5_000)], { placedAt: paidAt, paidAt }));
    expect((await at("d-1", "2026-11-10T15:59:59Z")).points.earned).toBe(50); // 11.10 23:59:59
    expect((await at("d-2", "2026-11-10T16:00:00Z")).points.earned).toBe(100); // 11.11 00:00
    const lastMinute = await at("d-3", "2026-11-11T15:59:00Z"); // 11.11 23:59
    expect(lastMinute.points.earned).toBe(100);
    expect(lastMinute.awards[0]!.explanation).toMatchObject({
      raw: 50, multiplied: 100, points: 100,
      multipliers: [{ source: "campaign 11.11 Global Shopping Festival: double points", factor: 2 }],
    });
    expect((await at("d-4", "2026-11-11T16:00:00Z")).points.earned).toBe(50); // 11.12 00:00
    // The campaign is for orders only: a review on 11.11 earns its usual 5.
    expect((await s.event("leo", "review.posted", { productId: "headphones" }, "2026-11-11T04:00:00Z")).points).toBe(5);
    expect(await s.member("leo")).toMatchObject({ balance: 305 });
  });

  it("engagement: reviews once per product, sharing once a day, promotions once each", async () => {
    const s = await setup();
    expect((await s.event("eva", "review.posted", { productId: "p1" })).points).toBe(5);
    expect((await s.event("eva", "review.posted", { productId: "p1" })).points).toBe(0);
    expect((await s.event("eva", "social.shared", { productId: "p1" })).points).toBe(2);
    expect((await s.event("eva", "social.shared", { productId: "p2" })).points).toBe(0);
    expect((await s.event("eva", "promotion.joined", { promotionId: "double-11" })).points).toBe(10);
    expect((await s.event("eva", "promotion.joined", { promotionId: "double-11" })).points).toBe(0);
    expect((await s.event("eva", "promotion.joined", { promotionId: "black-friday" })).points).toBe(10);
    // The day turns at midnight in Shanghai (16:00 UTC).
    expect((await s.event("eva", "social.shared", {}, "2026-10-07T15:59:59Z")).points).toBe(2);
    expect(await s.member("eva")).toMatchObject({ balance: 29 });
  });

  it("expiry: purchase points after 12 months, engagement points after 6, when the clock passes them", async () => {
    const s = await setup();
    const purchase = await s.order("e-1", paidOrder("eva", [line("lamp", 4_000)], { placedAt: T0, paidAt: T0 }));
    expect(purchase.awards[0]!.expiresAt).toBe("2027-10-08T02:00:00.000Z");
    const review = await s.event("eva", "review.posted", { productId: "lamp" });
    expect(review.body.awards[0]!.expiresAt).toBe("2027-04-08T02:00:00.000Z");
    await s.event("eva", "social.shared", { productId: "lamp" });
    await s.event("eva", "promotion.joined", { promotionId: "autumn" });
    expect(await s.member("eva")).toMatchObject({
      balance: 57,
      expiring: [{ expiresAt: "2027-04-08T02:00:00.000Z", points: 17 }, { expiresAt: "2027-10-08T02:00:00.000Z", points: 40 }],
    });
    expect((await s.advance("2027-04-08T01:59:59Z")).ran.expired).toBe(0);
    expect((await s.advance("2027-04-08T02:00:00Z")).ran.expired).toBe(3);
    expect(await s.member("eva")).toMatchObject({ balance: 40 });
    expect((await s.advance("2027-10-08T02:00:00Z")).ran.expired).toBe(1);
    expect(await s.member("eva")).toMatchObject({ balance: 0, expiring: [] });
  });

  it("returns remove points: a refund reverses the refunded share, a cancellation reverses the rest", async () => {
    const s = await setup();
    const lines = [line("jacket", 6_000), line("scarf", 4_000)];
    const o = paidOrder("ron", lines);
    expect((await s.order("r-1", o)).points.earned).toBe(100);
    // The scarf comes back: its $40 no longer earns.
    const refunds = [{ id: "rf-1", lines: [{ sku: "scarf", quantity: 1, amount: 4_000 }], amount: 4_000, at: "2026-10-08T01:30:00Z" }];
    const returned = await s.order("r-1", { ...o, refunds });
    expect(returned.points).toEqual({ earned: 60, pending: 0, reversed: 40, redeemed: 0 });
    expect(await s.member("ron")).toMatchObject({ balance: 60 });
    // The order is canceled: everything is reversed.
    const canceled = await s.order("r-1", { ...o, refunds, canceledAt: "2026-10-08T01:40:00Z" });
    expect(canceled.points).toEqual({ earned: 0, pending: 0, reversed: 100, redeemed: 0 });
    expect(await s.member("ron")).toMatchObject({ balance: 0 });

    // A partial refund of money (no lines) on a couponed order: 30% of what was paid back → 30% of the points.
    const c = paidOrder("ron", lines, { discounts: 1_000 });
    expect((await s.order("r-2", c)).points.earned).toBe(90);
    const partial = await s.order("r-2", { ...c, refunds: [{ id: "rf-2", amount: 2_700, at: "2026-10-08T01:30:00Z" }] });
    expect(partial.points).toEqual({ earned: 63, pending: 0, reversed: 27, redeemed: 0 });
    const reverse = (await s.get("/v1/members/ron/activity")).json().data[0];
    expect(reverse).toMatchObject({ type: "reverse", points: -27, balanceAfter: 63, source: { type: "order", ref: "r-2" } });
  });

  it("a return after the points were spent leaves a debt that later points repay", async () => {
    const s = await setup();
    const o = paidOrder("dan", [line("tent", 10_000)]);
    expect((await s.order("x-1", o)).points.earned).toBe(100);
    const held = (await s.post("/v1/redemptions", { memberId: "dan", methodId: s.methods.get("Points at checkout"), points: 100, orderId: "x-2", cart: { lines: [line("lamp", 1_000)] } })).json();
    expect(held).toMatchObject({ status: "held", points: 100, discount: 100 });
    expect((await s.post(`/v1/redemptions/${held.id}/capture`)).json().status).toBe("completed");
    expect(await s.member("dan")).toMatchObject({ balance: 0 });
    expect((await s.order("x-1", { ...o, canceledAt: "2026-10-08T01:40:00Z" })).points.reversed).toBe(100);
    expect(await s.member("dan")).toMatchObject({ balance: -100, debt: 100 });
    expect((await s.order("x-3", paidOrder("dan", [line("stove", 3_000)]))).points.earned).toBe(30);
    expect(await s.member("dan")).toMatchObject({ balance: -70, debt: 70 });
  });

  it("points and coupons combined at checkout: points apply after the coupon and the order earns on what is left to pay", async () => {
    const s = await setup();
    const checkout = s.methods.get("Points at checkout")!;
    await s.post("/v1/members/cy/adjustments", { points: 2_000, reason: "welcome gift" });
    // $100 cart with a $15 coupon; 1,000 points = $10 held at checkout, captured once paid.
    const cart = { lines: [line("backpack", 10_000)], discounts: 1_500 };
    const held = await s.post("/v1/redemptions", { memberId: "cy", methodId: checkout, points: 1_000, orderId: "c-1", cart });
    expect(held.statusCode).toBe(201);
    expect(held.json()).toMatchObject({ status: "held", points: 1_000, discount: 1_000, orderId: "c-1" });
    expect(await s.member("cy")).toMatchObject({ balance: 1_000, held: 1_000 });
    expect((await s.post(`/v1/redemptions/${held.json().id}/capture`)).json().status).toBe("completed");
    // Paid: $100 − $15 coupon − $10 of points = $75 → 75 points.
    const paid = await s.order("c-1", paidOrder("cy", [line("backpack", 10_000)], { discounts: 1_500, placedAt: T0, paidAt: T0 }));
    expect(paid.points).toEqual({ earned: 75, pending: 0, reversed: 0, redeemed: 1_000 });
    expect(paid.awards[0]!.explanation).toMatchObject({ base: 7_500, inputs: { baseKind: "net", discounts: 1_500, pointsDiscount: 1_000, reductionShare: 2_500 } });
    expect(await s.member("cy")).toMatchObject({ balance: 1_075, held: 0 });
  });

  it("the simulator replays every store of these scenarios to the ledger's own figures", async () => {
    expect(replayed.length).toBeGreaterThan(0);
    for (const storeId of replayed) await expectFaithfulReplay(t.services, storeId);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectProblem } from "../support/http.ts";
import { applyPreset } from "../support/presets.ts";

/**
 * Sources 001 and 002: "the maximum number of points to be deducted per order". SPEC §3: the
 * cashback limits hold per order, for all its cashback together (held and captured), so splitting
 * a spend into several redemptions never beats them.
 */
describe("cashback limits hold per order, across redemptions", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  async function presetStore(preset: string, points: number, members: string[]): Promise<{ store: TestStore; cashId: string }> {
    const store = await createTestStore(t.app);
    await applyPreset(t.app, store.adminKey, preset);
    for (const m of members) {
      const res = await call(t.app, "POST", `/v1/members/${m}/adjustments`, { key: store.adminKey, body: { points, reason: "opening balance" } });
      expect(res.statusCode, res.body).toBe(201);
    }
    const methods = (await call(t.app, "GET", "/v1/redeem-methods", { key: store.adminKey })).json().data as Array<{ id: string; type: string; channels: string[] }>;
    return { store, cashId: methods.find((m) => m.type === "cashback" && m.channels.includes("online"))!.id };
  }
  const putOrder = (store: TestStore, id: string, memberId: string, amount: number) =>
    call(t.app, "PUT", `/v1/orders/${id}`, { key: store.adminKey, body: { memberId, placedAt: "2026-01-15T11:00:00Z", lines: [{ sku: "coat", quantity: 1, amount }] } });
  const hold = (store: TestStore, body: Record<string, unknown>) => call(t.app, "POST", "/v1/redemptions", { key: store.adminKey, body });
  const finish = (store: TestStore, id: string, action: "capture" | "release") => call(t.app, "POST", `/v1/redemptions/${id}/${action}`, { key: store.adminKey });

  it("member-points: a hold names its order and a cart or a known order; $50 at most per order, however it is split", async () => {
    const { store, cashId } = await presetStore("member-points", 5000, ["ann"]);
    expectFieldErrors(await hold(store, { memberId: "ann", methodId: cashId, points: 2000 }), ["orderId"]);
    expectFieldErrors(await hold(store, { memberId: "ann", methodId: cashId, points: 2000, orderId: "unknown-order" }), ["cart"]);

    expect((await putOrder(store, "o-300", "ann", 30000)).statusCode).toBe(200);
    const whole = await hold(store, { memberId: "ann", methodId: cashId, points: 2000, orderId: "o-300" });
    const refused = expectProblem(whole, 409, "exceeds_order_limit");
    expect(refused.maxPoints).toBe(500);

    const first = await hold(store, { memberId: "ann", methodId: cashId, points: 500, orderId: "o-300" });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: "held", points: 500, discount: 5000 });
    const second = expectProblem(await hold(store, { memberId: "ann", methodId: cashId, points: 500, orderId: "o-300" }), 409, "exceeds_order_limit");
    expect(second.maxPoints).toBe(0);
    expect(second.reason).toBe("order_limit_reached");
    // A smaller split after a smaller first hold still stops at $50 in all.
    expect((await putOrder(store, "o-300b", "ann", 30000)).statusCode).toBe(200);
    expect((await hold(store, { memberId: "ann", methodId: cashId, points: 300, orderId: "o-300b" })).statusCode).toBe(201);
    expect(expectProblem(await hold(store, { memberId: "ann", methodId: cashId, points: 300, orderId: "o-300b" }), 409, "exceeds_order_limit").maxPoints).toBe(200);
    expect((await hold(store, { memberId: "ann", methodId: cashId, points: 200, orderId: "o-300b" })).statusCode).toBe(201);

    // The quote for that order says how much is left, and why none.
    const quote = await call(t.app, "POST", "/v1/checkout/quote", { key: store.adminKey, body: { memberId: "ann", orderId: "o-300b", lines: [{ sku: "coat", quantity: 1, amount: 30000 }] } });
    expect(quote.json()).toMatchObject({ maxPoints: 0, maxDiscount: 0, reasonCode: "order_limit_reached" });
  });

  it("member-points: the minimum order counts the whole order; a release gives its share of the limit back, a capture keeps it", async () => {
    const { store, cashId } = await presetStore("member-points", 5000, ["bob"]);
    const small = expectProblem(await hold(store, { memberId: "bob", methodId: cashId, points: 100, orderId: "o-150", cart: { lines: [{ sku: "hat", quantity: 1, amount: 15000 }], discounts: 0, credits: 0, shipping: 0 } }), 409, "exceeds_order_limit");
    expect(small).toMatchObject({ maxPoints: 0, reason: "below_min_subtotal" });

    expect((await putOrder(store, "o-250", "bob", 25000)).statusCode).toBe(200);
    const a = await hold(store, { memberId: "bob", methodId: cashId, points: 400, orderId: "o-250" });
    expect(a.statusCode).toBe(201);
    expect((await finish(store, a.json().id, "release")).json().status).toBe("released");
    const b = await hold(store, { memberId: "bob", methodId: cashId, points: 500, orderId: "o-250" });
    expect(b.statusCode, b.body).toBe(201);
    expect((await finish(store, b.json().id, "capture")).json().status).toBe("completed");
    expect(expectProblem(await hold(store, { memberId: "bob", methodId: cashId, points: 10, orderId: "o-250" }), 409, "exceeds_order_limit").maxPoints).toBe(0);
    // Spends beyond the balance are still insufficient_points, not an order limit.
    expect((await putOrder(store, "o-big", "bob", 90000)).statusCode).toBe(200);
    expect((await call(t.app, "POST", "/v1/members/bob/adjustments", { key: store.adminKey, body: { points: -4400, reason: "spent elsewhere" } })).statusCode).toBe(201);
    const poor = expectProblem(await hold(store, { memberId: "bob", methodId: cashId, points: 500, orderId: "o-big" }), 409, "insufficient_points");
    expect(poor.available).toBe(100);
  });

  it("member-system: two holds on one $50 order never pass its 30% cap together", async () => {
    const { store, cashId } = await presetStore("member-system", 10_000, ["cy"]);
    expect((await putOrder(store, "o-50", "cy", 5000)).statusCode).toBe(200);
    // 30% of $50 = $15 = 1 500 points at 100 points = $1.
    expect((await hold(store, { memberId: "cy", methodId: cashId, points: 1000, orderId: "o-50" })).statusCode).toBe(201);
    const second = expectProblem(await hold(store, { memberId: "cy", methodId: cashId, points: 1000, orderId: "o-50" }), 409, "exceeds_order_limit");
    expect(second.maxPoints).toBe(500);
    expect((await hold(store, { memberId: "cy", methodId: cashId, points: 500, orderId: "o-50" })).statusCode).toBe(201);
  });

  it("concurrent holds on one order, by one member or several, never together pass its limit", async () => {
    const members = ["d1", "d2", "d3", "d4"];
    const { store, cashId } = await presetStore("member-points", 5000, members);
    expect((await putOrder(store, "o-race", "d1", 60000)).statusCode).toBe(200);
    const attempts = await Promise.all(Array.from({ length: 24 }, (_, i) =>
      hold(store, { memberId: members[i % members.length], methodId: cashId, points: 100, orderId: "o-race" })));
    const statuses = attempts.map((r) => r.statusCode);
    expect(statuses.every((s) => s === 201 || s === 409), statuses.join(",")).toBe(true);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    for (const r of attempts.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe("exceeds_order_limit");
    const held = await Promise.all(members.map(async (m) => (await call(t.app, "GET", `/v1/members/${m}`, { key: store.adminKey })).json().held as number));
    expect(held.reduce((a, b) => a + b, 0)).toBe(500);
  });

  it("the recorded order wins over a cart sent with the hold; a timed-out hold no longer counts, in the quote as in the hold", async () => {
    const store = await createTestStore(t.app, { sandbox: false, clock: undefined });
    const method = await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "cashback", name: "Cash", points: 10, amount: 100, channels: ["online"] } });
    const cashId = method.json().id as string;
    await call(t.app, "POST", "/v1/members/eve/adjustments", { key: store.adminKey, body: { points: 10_000, reason: "funds" } });
    expect((await putOrder(store, "o-30", "eve", 3000)).statusCode).toBe(200);
    const bigCart = { lines: [{ sku: "coat", quantity: 1, amount: 100_000 }], discounts: 0, credits: 0, shipping: 0 };
    expect(expectProblem(await hold(store, { memberId: "eve", methodId: cashId, points: 4000, orderId: "o-30", cart: bigCart }), 409, "exceeds_order_limit").maxPoints).toBe(300);

    expect((await putOrder(store, "o-50", "eve", 5000)).statusCode).toBe(200);
    expect((await hold(store, { memberId: "eve", methodId: cashId, points: 300, orderId: "o-50" })).statusCode).toBe(201);
    const quote = () => call(t.app, "POST", "/v1/checkout/quote", { key: store.adminKey, body: { memberId: "eve", methodId: cashId, orderId: "o-50", lines: [{ sku: "coat", quantity: 1, amount: 5000 }] } });
    expect((await quote()).json().maxPoints).toBe(200);
    // Past holdTtlMinutes (30) the hold has timed out, even before due work writes its release.
    t.clock.advanceMinutes(31);
    expect((await quote()).json().maxPoints).toBe(500);
    expect((await hold(store, { memberId: "eve", methodId: cashId, points: 500, orderId: "o-50" })).statusCode).toBe(201);
  });
});

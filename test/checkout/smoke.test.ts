import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";

describe("checkout end to end", () => {
  let t: TestApp;
  let store: TestStore;
  const post = (url: string, body: unknown) => call(t.app, "POST", url, { key: store.adminKey, body });
  const get = (url: string) => call(t.app, "GET", url, { key: store.adminKey });

  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
    await post("/v1/members/m/adjustments", { points: 1000, reason: "start" });
  });
  afterAll(async () => t.close());

  it("quotes cashback after discounts and credits, holds, captures, and returns on cancellation", async () => {
    const method = (await post("/v1/redeem-methods", { type: "cashback", name: "Cash", points: 10, amount: 100, minSubtotal: 20_000, maxDiscount: { type: "fixed", amount: 5_000 } })).json();
    const cart = { lines: [{ sku: "a", quantity: 1, amount: 30_000 }], discounts: 2_000, credits: 1_000, shipping: 500 };
    const quote = await post("/v1/checkout/quote", { memberId: "m", ...cart });
    expect(quote.statusCode).toBe(200);
    expect(quote.json()).toMatchObject({ balance: 1000, maxPoints: 500, maxDiscount: 5_000, pointsPerUnit: 10, methodId: method.id });
    const small = await post("/v1/checkout/quote", { memberId: "m", lines: [{ sku: "a", quantity: 1, amount: 10_000 }] });
    expect(small.json()).toMatchObject({ maxPoints: 0, reasonCode: "below_min_subtotal" });

    const over = await post("/v1/redemptions", { memberId: "m", methodId: method.id, points: 600, orderId: "o1", cart });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: "exceeds_order_limit", maxPoints: 500 });
    const held = await post("/v1/redemptions", { memberId: "m", methodId: method.id, points: 500, orderId: "o1", cart });
    expect(held.json()).toMatchObject({ status: "held", points: 500, discount: 5_000 });
    await post(`/v1/redemptions/${held.json().id}/capture`, {});
    const order = { memberId: "m", lines: cart.lines, discounts: 2_000, placedAt: "2026-01-15T11:00:00Z", paidAt: "2026-01-15T11:01:00Z" };
    let o = await call(t.app, "PUT", "/v1/orders/o1", { key: store.adminKey, body: order });
    expect(o.json().points.redeemed).toBe(500);
    o = await call(t.app, "PUT", "/v1/orders/o1", { key: store.adminKey, body: { ...order, refunds: [{ id: "r1", amount: 15_000, at: "2026-01-15T11:30:00Z" }] } });
    expect(o.json().points.redeemed).toBe(250);
    expect((await get("/v1/members/m")).json().balance).toBe(750);
    o = await call(t.app, "PUT", "/v1/orders/o1", { key: store.adminKey, body: { ...order, canceledAt: "2026-01-15T11:40:00Z" } });
    expect(o.json().points.redeemed).toBe(0);
    expect((await get("/v1/members/m")).json().balance).toBe(1000);
    expect((await get(`/v1/redemptions/${held.json().id}`)).json()).toMatchObject({ status: "returned", returned: 500 });
  });

  it("issues an unguessable coupon code that validates and is used once", async () => {
    const method = (await post("/v1/redeem-methods", { type: "coupon", name: "10% off", points: 300, discount: { type: "percent", percent: 10 }, conditions: { minSubtotal: 5_000 } })).json();
    const red = await post("/v1/redemptions", { memberId: "m", methodId: method.id });
    expect(red.statusCode).toBe(201);
    const code: string = red.json().code;
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$/);
    const check = await get(`/v1/coupons/${code.toLowerCase().replaceAll("-", "")}?memberId=m&subtotal=6000`);
    expect(check.json()).toMatchObject({ code, valid: true, owner: "m", discount: { type: "percent", percent: 10 } });
    expect((await get(`/v1/coupons/${code}?memberId=other`)).json()).toMatchObject({ valid: false, reason: { code: "not_owner" } });
    expect((await post(`/v1/coupons/${code}/use`, { orderId: "o2", memberId: "m", subtotal: 6000 })).statusCode).toBe(200);
    expect((await post(`/v1/coupons/${code}/use`, { orderId: "o3", memberId: "m", subtotal: 6000 })).statusCode).toBe(409);
  });

  it("streams exports as CSV", async () => {
    const res = await get("/v1/exports/ledger.csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    const lines = res.body.trim().split("\n");
    expect(lines[0]).toBe("entryId,memberId,seq,type,points,balanceAfter,at,actor,reason,sourceType,sourceRef,lotId,holdId");
    expect(lines.length).toBeGreaterThan(3);
    const members = await get("/v1/exports/members.csv");
    expect(members.body).toContain("\nm,");
    const orders = await get("/v1/exports/orders.csv?from=2026-01-01T00:00:00Z");
    expect(orders.body.split("\n")[1]).toMatch(/^o1,m,online,/);
  });
});

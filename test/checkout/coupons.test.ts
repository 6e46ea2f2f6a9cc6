import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/app.ts";
import { expectProblem } from "../support/http.ts";
import { expectLedgerClean, setupStore, type Client } from "./helpers.ts";

/** SPEC §3 coupon and product redemptions, through POST /v1/redemptions and /v1/coupons/{code}. */
describe("coupons and product codes", () => {
  let t: TestApp;
  let c: Client;
  const stores: string[] = [];
  const ids: Record<string, string> = {};
  const CODE = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;
  const NOW = "2026-03-01T00:00:00.000Z";

  const METHODS = {
    percent: { type: "coupon", name: "10% off", points: 300, discount: { type: "percent", percent: 10 }, conditions: { minSubtotal: 5_000 } },
    fixed: { type: "coupon", name: "$5 off", points: 100, discount: { type: "fixed", amount: 500 }, conditions: { minQuantity: 3 }, usableBy: "anyone", stackable: true, products: ["a", "b"], validDays: null },
    shipping: { type: "coupon", name: "Free shipping", points: 50, discount: { type: "free_shipping" }, validDays: 7 },
    product: { type: "product", name: "Free mug", points: 200, product: { sku: "mug", name: "Mug" } },
    cheap: { type: "coupon", name: "$1 off", points: 1, discount: { type: "fixed", amount: 100 }, usableBy: "anyone" },
  } as const;

  beforeAll(async () => {
    t = await startTestApp();
    const s = await setupStore(t, { methods: Object.values(METHODS) });
    c = s.c;
    stores.push(c.store.id);
    Object.keys(METHODS).forEach((k, i) => (ids[k] = s.methodIds[i]!));
    await c.adjust("amy", 5_000);
  });
  afterAll(async () => {
    await expectLedgerClean(t, stores);
    await t.close();
  });

  async function redeem(method: keyof typeof METHODS, memberId = "amy") {
    const res = await c.post("/v1/redemptions", { memberId, methodId: ids[method] });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  const check = (code: string, query = "") => c.json(`/v1/coupons/${encodeURIComponent(code)}${query}`);

  it("issues each kind of code with its discount, conditions, owner and expiry, debiting the points", async () => {
    const before = (await c.member("amy")).balance;
    const percent = await redeem("percent");
    expect(percent).toMatchObject({ status: "completed", points: 300, type: "coupon", memberId: "amy", methodId: ids.percent });
    expect(percent.code).toMatch(CODE);
    expect(percent.coupon).toEqual({
      code: percent.code, kind: "coupon", discount: { type: "percent", percent: 10 }, conditions: { minSubtotal: 5_000 }, owner: "amy",
      usableBy: "owner", products: null, stackable: false, expiresAt: "2026-03-31T00:00:00.000Z", used: false, usedAt: null,
      usedOrderId: null, createdAt: NOW,
    });
    const fixed = await redeem("fixed");
    expect(fixed.coupon).toMatchObject({ discount: { type: "fixed", amount: 500 }, conditions: { minQuantity: 3 }, usableBy: "anyone", products: ["a", "b"], stackable: true, expiresAt: null });
    const shipping = await redeem("shipping");
    expect(shipping.coupon).toMatchObject({ discount: { type: "free_shipping" }, expiresAt: "2026-03-08T00:00:00.000Z" });
    const product = await redeem("product");
    expect(product).toMatchObject({ type: "product", points: 200 });
    expect(product.coupon).toMatchObject({ kind: "product", discount: { type: "product", sku: "mug" }, products: ["mug"], usableBy: "owner" });
    expect(await c.member("amy")).toMatchObject({ balance: before - 650 });
    const entries = await c.activity("amy");
    expect(entries.slice(0, 4).map((e: any) => [e.type, e.points, e.reason])).toEqual([
      ["redeem", -200, "Free mug"], ["redeem", -50, "Free shipping"], ["redeem", -100, "$5 off"], ["redeem", -300, "10% off"],
    ]);
    expect(entries[0].source).toEqual({ type: "redemption", ref: product.id });
    // The redemption reads back with its code.
    expect(await c.json(`/v1/redemptions/${product.id}`)).toMatchObject({ id: product.id, status: "completed", code: product.code, points: 200 });
  });

  it("codes are unguessable and distinct: 200 redemptions, 200 codes", async () => {
    await c.adjust("bulk", 200);
    const codes: string[] = [];
    for (let i = 0; i < 200; i++) codes.push((await redeem("cheap", "bulk")).code);
    for (const code of codes) expect(code).toMatch(CODE);
    expect(new Set(codes).size).toBe(200);
    expect(await c.member("bulk")).toMatchObject({ balance: 0 });
    expectProblem(await c.post("/v1/redemptions", { memberId: "bulk", methodId: ids.cheap }), 409, "insufficient_points");
    // Every code is stored and found again.
    for (const code of codes.slice(0, 5)) expect(await check(code)).toMatchObject({ code, owner: "bulk", valid: true });
  }, 180_000);

  it("looks codes up whatever the case, dashes or spaces", async () => {
    const { code } = await redeem("cheap");
    const bare = code.replaceAll("-", "");
    for (const variant of [code, code.toLowerCase(), bare, bare.toLowerCase(), code.replaceAll("-", " "), `${bare.slice(0, 7)}-${bare.slice(7).toLowerCase()}`]) {
      expect(await check(variant), variant).toMatchObject({ code, valid: true });
    }
    expectProblem(await c.get("/v1/coupons/AAAA-BBBB-CCCC-DDDD"), 404, "not_found");
    // Used through a lower-case spelling, it is the same code.
    expect((await c.post(`/v1/coupons/${bare.toLowerCase()}/use`, { orderId: "o-case" })).json()).toMatchObject({ code, used: true, usedOrderId: "o-case" });
  });

  it("owner-only codes refuse other members; codes for anyone do not", async () => {
    const own = (await redeem("percent")).code;
    expect(await check(own, "?memberId=amy&subtotal=5000")).toMatchObject({ valid: true, owner: "amy" });
    expect(await check(own, "?memberId=ben&subtotal=5000")).toMatchObject({ valid: false, reason: { code: "not_owner" } });
    const refused = expectProblem(await c.post(`/v1/coupons/${own}/use`, { orderId: "o1", memberId: "ben", subtotal: 5_000 }), 409, "invalid_state");
    expect(refused.reason).toBe("not_owner");
    const anyone = (await redeem("fixed")).code;
    expect(await check(anyone, "?memberId=ben&quantity=3")).toMatchObject({ valid: true, owner: "amy" });
    expect((await c.post(`/v1/coupons/${anyone}/use`, { orderId: "o2", memberId: "ben", quantity: 3, products: ["a"] })).statusCode).toBe(200);
  });

  it("minimum subtotal and quantity: equal passes, below refuses", async () => {
    const percent = (await redeem("percent")).code;
    expect(await check(percent, "?memberId=amy&subtotal=4999")).toMatchObject({ valid: false, reason: { code: "below_min_subtotal" } });
    expect(await check(percent, "?memberId=amy&subtotal=5000")).toMatchObject({ valid: true });
    expect(expectProblem(await c.post(`/v1/coupons/${percent}/use`, { orderId: "o3", memberId: "amy", subtotal: 4_999 }), 409, "coupon_conditions_not_met").reason).toBe("below_min_subtotal");
    const fixed = (await redeem("fixed")).code;
    expect(await check(fixed, "?quantity=2")).toMatchObject({ valid: false, reason: { code: "below_min_quantity" } });
    expect(await check(fixed, "?quantity=3")).toMatchObject({ valid: true });
    expect(expectProblem(await c.post(`/v1/coupons/${fixed}/use`, { orderId: "o4", quantity: 2, products: ["a"] }), 409, "coupon_conditions_not_met").reason).toBe("below_min_quantity");
    // A refused use leaves the code usable.
    expect((await c.post(`/v1/coupons/${fixed}/use`, { orderId: "o4", quantity: 3, products: ["a"] })).statusCode).toBe(200);
  });

  it("non-stackable codes refuse a cart with other discounts; stackable ones combine", async () => {
    const single = (await redeem("percent")).code;
    expect(await check(single, "?memberId=amy&subtotal=9000&otherDiscounts=true")).toMatchObject({ valid: false, reason: { code: "not_stackable" } });
    expect(await check(single, "?memberId=amy&subtotal=9000&otherDiscounts=false")).toMatchObject({ valid: true });
    expect(expectProblem(await c.post(`/v1/coupons/${single}/use`, { orderId: "o5", memberId: "amy", subtotal: 9_000, otherDiscounts: true }), 409, "invalid_state").reason).toBe("not_stackable");
    const stackable = (await redeem("fixed")).code;
    expect(await check(stackable, "?quantity=5&otherDiscounts=true")).toMatchObject({ valid: true, stackable: true });
  });

  it("a code is used once: the second use is refused", async () => {
    const { code } = await redeem("shipping");
    const used = await c.post(`/v1/coupons/${code}/use`, { orderId: "o6", memberId: "amy" });
    expect(used.statusCode).toBe(200);
    expect(used.json()).toMatchObject({ code, used: true, usedAt: NOW, usedOrderId: "o6", valid: false });
    expect(await check(code)).toMatchObject({ used: true, usedOrderId: "o6", valid: false, reason: { code: "used" } });
    const again = expectProblem(await c.post(`/v1/coupons/${code}/use`, { orderId: "o7", memberId: "amy" }), 409, "invalid_state");
    expect(again.reason).toBe("used");
    expect((await check(code)).usedOrderId).toBe("o6");
  });

  it("deleting the method keeps the codes it issued valid", async () => {
    const { code } = await redeem("product");
    expect((await c.del(`/v1/redeem-methods/${ids.product}`)).statusCode).toBe(204);
    expectProblem(await c.get(`/v1/redeem-methods/${ids.product}`), 404, "not_found");
    expectProblem(await c.post("/v1/redemptions", { memberId: "amy", methodId: ids.product }), 422, "validation_failed");
    expect(await check(code, "?memberId=amy")).toMatchObject({ code, valid: true, discount: { type: "product", sku: "mug" } });
    expect((await c.post(`/v1/coupons/${code}/use`, { orderId: "o8", memberId: "amy" })).json()).toMatchObject({ used: true, usedOrderId: "o8" });
  });

  it("insufficient points: 409, nothing debited, no code issued", async () => {
    await c.adjust("poor", 299);
    const res = expectProblem(await c.post("/v1/redemptions", { memberId: "poor", methodId: ids.percent }), 409, "insufficient_points");
    expect(res.available).toBe(299);
    expect(await c.member("poor")).toMatchObject({ balance: 299 });
    expect(await c.activity("poor")).toHaveLength(1);
    // A coupon costs exactly its points.
    expectProblem(await c.post("/v1/redemptions", { memberId: "amy", methodId: ids.percent, points: 100 }), 422, "validation_failed");
    expectProblem(await c.post("/v1/redemptions", { memberId: "nobody", methodId: ids.percent }), 404, "not_found");
  });

  it("a viewer can look a code up but cannot use it or redeem", async () => {
    const viewer = await c.store.key("viewer");
    const { code } = await redeem("cheap");
    const seen = await call(t.app, "GET", `/v1/coupons/${code}`, { key: viewer });
    expect(seen.statusCode).toBe(200);
    expect(seen.json()).toMatchObject({ code, valid: true });
    expectProblem(await call(t.app, "POST", `/v1/coupons/${code}/use`, { key: viewer, body: { orderId: "o9" } }), 403, "forbidden");
    expectProblem(await call(t.app, "POST", "/v1/redemptions", { key: viewer, body: { memberId: "amy", methodId: ids.cheap } }), 403, "forbidden");
    expect(await check(code)).toMatchObject({ used: false, valid: true });
    expectProblem(await call(t.app, "GET", `/v1/coupons/${code}`, { key: null }), 401, "unauthorized");
  });

  it("another store cannot see or use the codes", async () => {
    const { c: other } = await setupStore(t);
    stores.push(other.store.id);
    const { code } = await redeem("cheap");
    expectProblem(await other.get(`/v1/coupons/${code}`), 404, "not_found");
    expectProblem(await other.post(`/v1/coupons/${code}/use`, { orderId: "x" }), 404, "not_found");
    expect(await check(code)).toMatchObject({ used: false });
  });

  it("codes expire validDays after they were issued", async () => {
    const { code } = await redeem("shipping");
    const keep = (await redeem("fixed")).code; // never expires
    const expiresAt = "2026-03-08T00:00:00.000Z";
    expect(await check(code)).toMatchObject({ expiresAt, valid: true });
    await c.advance("2026-03-07T23:59:59.999Z");
    expect(await check(code)).toMatchObject({ valid: true });
    await c.advance(expiresAt);
    expect(await check(code)).toMatchObject({ valid: false, reason: { code: "expired" } });
    expect(expectProblem(await c.post(`/v1/coupons/${code}/use`, { orderId: "o10", memberId: "amy" }), 409, "invalid_state").reason).toBe("expired");
    await c.advance("2030-01-01T00:00:00Z");
    expect(await check(keep, "?quantity=3")).toMatchObject({ valid: true, expiresAt: null });
  });

  it("a disabled program refuses redemptions with program_disabled", async () => {
    expect((await c.patch("/v1/program", { enabled: false })).statusCode).toBe(200);
    const balance = (await c.member("amy")).balance;
    for (const method of Object.keys(METHODS).filter((k) => k !== "product")) {
      expectProblem(await c.post("/v1/redemptions", { memberId: "amy", methodId: ids[method] }), 409, "program_disabled");
    }
    expect((await c.member("amy")).balance).toBe(balance);
    expect((await c.patch("/v1/program", { enabled: true })).statusCode).toBe(200);
    expect((await c.post("/v1/redemptions", { memberId: "amy", methodId: ids.cheap })).statusCode).toBe(201);
  });
});

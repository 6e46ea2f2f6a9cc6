import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectProblem } from "../support/http.ts";

/**
 * SPEC §3 coupon: using a code enforces its conditions. The fields a condition needs are required
 * (422 naming the field), a cart that does not meet them is refused (409 coupon_conditions_not_met),
 * and either way the code stays unused.
 */
describe("using a coupon code enforces its conditions", () => {
  let t: TestApp;
  let store: TestStore;
  const methodIds: Record<string, string> = {};

  const METHODS = {
    subtotal: { type: "coupon", name: "10% from $50", points: 10, discount: { type: "percent", percent: 10 }, conditions: { minSubtotal: 5_000 }, usableBy: "anyone" },
    quantity: { type: "coupon", name: "$5 off 3 items", points: 10, discount: { type: "fixed", amount: 500 }, conditions: { minQuantity: 3 }, usableBy: "anyone" },
    products: { type: "coupon", name: "$2 off tees", points: 10, discount: { type: "fixed", amount: 200 }, products: ["tee", "cap"], usableBy: "anyone" },
    owner: { type: "coupon", name: "Free shipping", points: 10, discount: { type: "free_shipping" } },
    all: { type: "coupon", name: "All conditions", points: 10, discount: { type: "fixed", amount: 300 }, conditions: { minSubtotal: 5_000, minQuantity: 2 }, products: ["tee"] },
    product: { type: "product", name: "Free mug", points: 10, product: { sku: "mug", name: "Mug" } },
  } as const;

  const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
    call(t.app, method, url, { key: store.adminKey, body, ...(headers ? { headers } : {}) });
  async function codeOf(method: keyof typeof METHODS): Promise<string> {
    const res = await api("POST", "/v1/redemptions", { memberId: "amy", methodId: methodIds[method] });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().code;
  }
  const use = (code: string, body: Record<string, unknown>, headers?: Record<string, string>) => api("POST", `/v1/coupons/${code}/use`, body, headers);
  const unused = async (code: string) => expect((await api("GET", `/v1/coupons/${code}`)).json()).toMatchObject({ used: false, usedOrderId: null });
  const refused = (res: Awaited<ReturnType<typeof use>>, reason: string) => {
    const body = expectProblem(res, 409, "coupon_conditions_not_met");
    expect(body.reason).toBe(reason);
    return body;
  };

  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
    for (const [name, method] of Object.entries(METHODS)) {
      const res = await api("POST", "/v1/redeem-methods", method);
      expect(res.statusCode, res.body).toBe(201);
      methodIds[name] = res.json().id;
    }
    expect((await api("POST", "/v1/members/amy/adjustments", { points: 1_000, reason: "opening balance" })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it("a minimum subtotal needs the subtotal: without it 422, below it 409, equal to it the code is used", async () => {
    const code = await codeOf("subtotal");
    expectFieldErrors(await use(code, { orderId: "o-1" }), [{ path: "subtotal", message: /at least 5000/ }]);
    await unused(code);
    const below = refused(await use(code, { orderId: "o-1", subtotal: 4_999 }), "below_min_subtotal");
    expect(below.detail).toContain("needs a subtotal of at least 5000");
    await unused(code);
    const ok = await use(code, { orderId: "o-1", subtotal: 5_000 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ code, used: true, usedOrderId: "o-1" });
  });

  it("a minimum quantity needs the quantity", async () => {
    const code = await codeOf("quantity");
    expectFieldErrors(await use(code, { orderId: "o-2", subtotal: 9_000 }), ["quantity"]);
    refused(await use(code, { orderId: "o-2", quantity: 2 }), "below_min_quantity");
    await unused(code);
    expect((await use(code, { orderId: "o-2", quantity: 3 })).json()).toMatchObject({ used: true, usedOrderId: "o-2" });
  });

  it("a code limited to products needs the cart's products, and one of them in the cart; skus is accepted as their former name", async () => {
    const code = await codeOf("products");
    expectFieldErrors(await use(code, { orderId: "o-3" }), [{ path: "products", message: /tee, cap/ }]);
    refused(await use(code, { orderId: "o-3", products: ["hat", "mug"] }), "no_eligible_products");
    refused(await use(code, { orderId: "o-3", products: [] }), "no_eligible_products");
    refused(await use(code, { orderId: "o-3", skus: ["hat"] }), "no_eligible_products");
    await unused(code);
    expectFieldErrors(await use(code, { orderId: "o-3", products: ["tee", ""] }), ["products.1"]);
    expect((await use(code, { orderId: "o-3", skus: ["hat", "cap"] })).json()).toMatchObject({ used: true, usedOrderId: "o-3" });

    const other = await codeOf("products");
    expect((await use(other, { orderId: "o-4", products: ["tee"] })).statusCode).toBe(200);
  });

  it("an owner-only code needs memberId, and refuses another member without using the code", async () => {
    const code = await codeOf("owner");
    expectFieldErrors(await use(code, { orderId: "o-5" }), ["memberId"]);
    expect(expectProblem(await use(code, { orderId: "o-5", memberId: "ben" }), 409, "invalid_state").reason).toBe("not_owner");
    await unused(code);
    expect((await use(code, { orderId: "o-5", memberId: "amy" })).json()).toMatchObject({ used: true });
  });

  it("every missing field is named at once; each condition is then checked", async () => {
    const code = await codeOf("all");
    expectFieldErrors(await use(code, { orderId: "o-6" }), ["memberId", "subtotal", "quantity", "products"]);
    const cart = { orderId: "o-6", memberId: "amy", subtotal: 6_000, quantity: 2, products: ["tee"] };
    refused(await use(code, { ...cart, subtotal: 100 }), "below_min_subtotal");
    refused(await use(code, { ...cart, quantity: 1 }), "below_min_quantity");
    refused(await use(code, { ...cart, products: ["cap"] }), "no_eligible_products");
    await unused(code);
    expect((await use(code, cart)).json()).toMatchObject({ used: true, usedOrderId: "o-6" });
    // Once used, the code is refused as used, whatever the cart.
    expect(expectProblem(await use(code, { ...cart, orderId: "o-7" }), 409, "invalid_state").reason).toBe("used");
  });

  it("a product code names the product it makes free: no cart fields are needed", async () => {
    const code = await codeOf("product");
    expect((await use(code, { orderId: "o-8", memberId: "amy" })).json()).toMatchObject({ used: true, kind: "product" });
  });

  it("a refusal under an Idempotency-Key replays as a refusal; a new key with a cart that qualifies uses the code", async () => {
    const code = await codeOf("subtotal");
    const first = refused(await use(code, { orderId: "o-9", subtotal: 100 }, { "idempotency-key": "use-1" }), "below_min_subtotal");
    const replay = refused(await use(code, { orderId: "o-9", subtotal: 100 }, { "idempotency-key": "use-1" }), "below_min_subtotal");
    expect(replay).toEqual(first);
    expect((await use(code, { orderId: "o-9", subtotal: 5_000 }, { "idempotency-key": "use-2" })).statusCode).toBe(200);
  });

  it("checking a code takes the cart's products as products (or skus) and says which condition fails", async () => {
    const code = await codeOf("all");
    const check = async (query: string) => (await api("GET", `/v1/coupons/${code}?${query}`)).json();
    expect(await check("memberId=amy&subtotal=6000&quantity=2&products=tee,hat")).toMatchObject({ valid: true });
    expect(await check("memberId=amy&products=hat")).toMatchObject({ valid: false, reason: { code: "no_eligible_products" } });
    expect(await check("memberId=amy&skus=hat")).toMatchObject({ valid: false, reason: { code: "no_eligible_products" } });
    expect(await check("memberId=amy&quantity=1")).toMatchObject({ valid: false, reason: { code: "below_min_quantity", message: "needs at least 2 items" } });
  });
});

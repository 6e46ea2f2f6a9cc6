import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/app.ts";
import { kindsUnderTest } from "../support/db.ts";
import { forgetOldDeliveries } from "../../src/services/integrations/receive.ts";
import { fixture, fixtureWith, member, orderPoints, sendShopify, storeForExamples } from "./support.ts";

/** Shopify's example order #1001: three lines of $199.00, customer 207119551 (SPEC §6 mapping). */
const ORDER = "shopify/order.json";
const paid = (o: Record<string, unknown>) => {
  o.financial_status = "paid";
  o.updated_at = "2008-01-10T11:05:00-05:00";
};
/**
 * The example refund is dated 2016, eight years after its order: by then the preset's 12-month
 * points have long expired. Sent the day after the order instead, it shows the reversal itself.
 */
const REFUND = "shopify/refund.json";
const nextDay = (o: Record<string, unknown>) => {
  o.created_at = "2008-01-11T10:00:00-05:00";
};
const START = "2008-01-01T00:00:00Z";
const AFTER = "2008-01-12T00:00:00Z";

describe.each(kindsUnderTest())("Shopify receiver on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t.close());

  it("turns the example order into points once it is paid, and its example refund takes back the refunded lines", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const created = await sendShopify(t.app, store.id, "orders/create", fixture(ORDER));
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toEqual({ received: true, result: "applied" });
    // "authorized", not paid: the online rule awards once the order is paid.
    expect(await orderPoints(t.app, store.adminKey, "450789469")).toMatchObject({ earned: 0, pending: 0 });
    const bob = await member(t.app, store.adminKey, "207119551");
    expect(bob.email).toBe("bob.norman@hostmail.com");

    expect((await sendShopify(t.app, store.id, "orders/paid", fixtureWith(ORDER, paid))).json()).toMatchObject({ result: "applied" });
    // $597.00 at $1 = 1 point (member-system, online, orders of $10 or more).
    expect(await orderPoints(t.app, store.adminKey, "450789469")).toMatchObject({ earned: 597 });
    expect((await member(t.app, store.adminKey, "207119551")).balance).toBe(597);

    expect((await sendShopify(t.app, store.id, "refunds/create", fixtureWith(REFUND, nextDay))).json()).toMatchObject({ result: "applied" });
    // Two of the three $199 lines refunded: 398 points reversed, 199 kept.
    expect(await orderPoints(t.app, store.adminKey, "450789469")).toMatchObject({ earned: 199, reversed: 398 });
    expect((await member(t.app, store.adminKey, "207119551")).balance).toBe(199);
  });

  it("applies the example refund as dated: eight years on, the expired points it takes back become the member's debt", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    await sendShopify(t.app, store.id, "orders/paid", fixtureWith(ORDER, paid));
    expect((await call(t.app, "POST", "/v1/clock/advance", { key: store.adminKey, body: { to: "2016-07-01T00:00:00Z" } })).statusCode).toBe(200);
    expect((await member(t.app, store.adminKey, "207119551")).balance).toBe(0);
    expect((await sendShopify(t.app, store.id, "refunds/create", fixture(REFUND))).json()).toMatchObject({ result: "applied" });
    // SPEC §3 Ledger: what the award's lot cannot cover follows the clawback policy (allow_negative).
    expect(await orderPoints(t.app, store.adminKey, "450789469")).toMatchObject({ earned: 199, reversed: 398 });
    expect((await member(t.app, store.adminKey, "207119551")).balance).toBe(-398);
  });

  it("keeps ids beyond 2^53 exact, and a test notification of a voided, canceled order earns nothing", async () => {
    const store = await storeForExamples(t.app, "2022-01-01T00:00:00Z", "2022-05-01T00:00:00Z");
    const res = await sendShopify(t.app, store.id, "orders/create", fixture("shopify/orders-create-test-notification.json"));
    expect(res.json()).toMatchObject({ result: "applied" });
    const order = await call(t.app, "GET", "/v1/orders/820982911946154508", { key: store.adminKey });
    expect(order.statusCode, order.body).toBe(200);
    expect(order.json()).toMatchObject({ memberId: "115310627314723954", points: { earned: 0 } });
    expect((await member(t.app, store.adminKey, "115310627314723954")).email).toBe("john@test.com");
  });

  it("refuses a wrong or missing signature with 401 and records nothing", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const wrong = await sendShopify(t.app, store.id, "orders/create", fixture(ORDER), { secret: "another-secret-0000" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers["content-type"]).toContain("application/problem+json");
    const garbage = await sendShopify(t.app, store.id, "orders/create", fixture(ORDER), { signature: "not-base64!" });
    expect(garbage.statusCode).toBe(401);
    const missing = await t.app.inject({ method: "POST", url: `/hooks/shopify/${store.id}`, headers: { "content-type": "application/json", "x-shopify-topic": "orders/create" }, payload: fixture(ORDER) });
    expect(missing.statusCode).toBe(401);
    // One byte changed after signing.
    const body = fixture(ORDER);
    const tampered = await t.app.inject({
      method: "POST", url: `/hooks/shopify/${store.id}`,
      headers: { "content-type": "application/json", "x-shopify-topic": "orders/create", "x-shopify-hmac-sha256": (await import("../../src/http/hooks/signature.ts")).platformSignature(body, "shpss_test_secret_0123456789") },
      payload: body.replace("199.00", "999.00"),
    });
    expect(tampered.statusCode).toBe(401);
    const order = await call(t.app, "GET", "/v1/orders/450789469", { key: store.adminKey });
    expect(order.statusCode).toBe(404);
    // A store that has not connected Shopify: the same 401, before the body is read.
    const other = await call(t.app, "POST", "/v1/stores", { key: "test-operator-token-0123456789", body: { name: "x", currency: "USD", timezone: "UTC" } });
    expect((await sendShopify(t.app, other.json().id, "orders/create", fixture(ORDER))).statusCode).toBe(401);
  });

  it("ignores a repeated webhook id and unknown topics", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const body = fixtureWith(ORDER, paid);
    expect((await sendShopify(t.app, store.id, "orders/paid", body, { webhookId: "same" })).json()).toMatchObject({ result: "applied" });
    // The same id again, even with another body: the platform's redelivery is not applied twice.
    expect((await sendShopify(t.app, store.id, "orders/paid", fixture(ORDER), { webhookId: "same" })).json()).toMatchObject({ result: "duplicate" });
    expect((await sendShopify(t.app, store.id, "products/create", "{\"id\": 1}")).json()).toMatchObject({ result: "ignored" });
    expect(await orderPoints(t.app, store.adminKey, "450789469")).toMatchObject({ earned: 597 });
    const metrics = (await t.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(/pointbook_platform_webhooks_total\{platform="shopify",result="duplicate"\} [1-9]/);

    // Thirty days on (wall time) the id is forgotten: the same delivery is applied again, and changes nothing.
    const wall = t.clock.now();
    t.clock.set(new Date(wall.getTime() + 31 * 24 * 3_600_000));
    try {
      expect(await forgetOldDeliveries(t.services)).toBeGreaterThan(0);
      expect((await sendShopify(t.app, store.id, "orders/paid", body, { webhookId: "same" })).json()).toMatchObject({ result: "applied" });
      expect(await orderPoints(t.app, store.adminKey, "450789469")).toMatchObject({ earned: 597 });
    } finally {
      t.clock.set(wall);
    }
  });

  it("ends in the same state when the refund and the payment arrive before the order", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    expect((await sendShopify(t.app, store.id, "refunds/create", fixtureWith(REFUND, nextDay))).json()).toMatchObject({ result: "applied" });
    expect((await call(t.app, "GET", "/v1/orders/450789469", { key: store.adminKey })).statusCode).toBe(404);
    expect((await sendShopify(t.app, store.id, "orders/paid", fixtureWith(ORDER, paid))).json()).toMatchObject({ result: "applied" });
    // The older orders/create arrives last and changes nothing.
    expect((await sendShopify(t.app, store.id, "orders/create", fixture(ORDER))).json()).toMatchObject({ result: "applied" });
    expect(await orderPoints(t.app, store.adminKey, "450789469")).toMatchObject({ earned: 199 });
    expect((await member(t.app, store.adminKey, "207119551")).balance).toBe(199);
  });

  it("records a refused delivery (another currency) and shows it in GET /v1/integrations", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const res = await sendShopify(t.app, store.id, "orders/create", fixtureWith(ORDER, (o) => { o.currency = "EUR"; }), { webhookId: "eur-1" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ result: "failed" });
    const list = await call(t.app, "GET", "/v1/integrations", { key: store.adminKey });
    expect(list.statusCode, list.body).toBe(200);
    const shopify = (list.json() as { data: Array<{ platform: string; webhookPath: string; recentDeliveries: Array<{ deliveryId: string; result: string; error: string }> }> }).data.find((d) => d.platform === "shopify")!;
    expect(shopify.webhookPath).toBe(`/hooks/shopify/${store.id}`);
    expect(shopify).not.toHaveProperty("webhookSecret");
    expect(shopify.recentDeliveries.find((d) => d.deliveryId === "eur-1")).toMatchObject({ result: "failed", error: expect.stringContaining("EUR") });
  });
});

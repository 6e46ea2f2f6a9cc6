import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/app.ts";
import { kindsUnderTest } from "../support/db.ts";
import { fixture, fixtureWith, member, orderPoints, sendWoo, storeForExamples } from "./support.ts";

/** WooCommerce's example order 723: $9 + $20 for customer 26, completed, then refunded $10 and $9. */
const ORDER = "woocommerce/order-723.json";
const START = "2017-03-01T00:00:00Z";
const AFTER = "2017-03-23T00:00:00Z";

describe.each(kindsUnderTest())("WooCommerce receiver on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t.close());

  it("turns the example order into points: $29 of lines less $19 refunded earns 10", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const res = await sendWoo(t.app, store.id, "order.updated", fixture(ORDER));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ received: true, result: "applied" });
    // completed (so paid, by SPEC §6) with no date_paid: paid when completed; refunds spread over the lines.
    expect(await orderPoints(t.app, store.adminKey, "723")).toMatchObject({ earned: 10 });
    const joao = await member(t.app, store.adminKey, "26");
    expect(joao.balance).toBe(10);
    expect(joao.email).toBe("joao.silva@example.com");
  });

  it("earns 29 before the refunds, and takes back 19 when the refunded order arrives", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const before = fixtureWith(ORDER, (o) => {
      o.refunds = [];
      o.date_modified_gmt = "2017-03-21T19:30:00";
    });
    await sendWoo(t.app, store.id, "order.updated", before);
    expect((await member(t.app, store.adminKey, "26")).balance).toBe(29);
    await sendWoo(t.app, store.id, "order.updated", fixture(ORDER));
    expect(await orderPoints(t.app, store.adminKey, "723")).toMatchObject({ earned: 10, reversed: 19 });
    // The older state arriving late changes nothing.
    await sendWoo(t.app, store.id, "order.updated", before);
    expect((await member(t.app, store.adminKey, "26")).balance).toBe(10);
  });

  it("a guest order (customer_id 0, the documentation's order 727) is recorded and earns nothing", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    expect((await sendWoo(t.app, store.id, "order.created", fixture("woocommerce/order-727.json"))).json()).toMatchObject({ result: "applied" });
    const order = await call(t.app, "GET", "/v1/orders/727", { key: store.adminKey });
    expect(order.statusCode, order.body).toBe(200);
    expect(order.json()).toMatchObject({ memberId: null, points: { earned: 0 } });
  });

  it("cancels on order.deleted, and a late order.updated does not bring the points back", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    await sendWoo(t.app, store.id, "order.updated", fixture(ORDER));
    expect((await sendWoo(t.app, store.id, "order.deleted", JSON.stringify({ id: 723 }))).json()).toMatchObject({ result: "applied" });
    expect((await member(t.app, store.adminKey, "26")).balance).toBe(0);
    await sendWoo(t.app, store.id, "order.updated", fixtureWith(ORDER, (o) => { o.date_modified_gmt = "2017-03-22T10:00:00"; }));
    expect((await member(t.app, store.adminKey, "26")).balance).toBe(0);
  });

  it("maps cancelled and failed statuses to a canceled order", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    await sendWoo(t.app, store.id, "order.updated", fixture(ORDER));
    await sendWoo(t.app, store.id, "order.updated", fixtureWith(ORDER, (o) => { o.status = "cancelled"; o.date_modified_gmt = "2017-03-22T08:00:00"; }));
    expect((await member(t.app, store.adminKey, "26")).balance).toBe(0);
    const canceled = await call(t.app, "GET", "/v1/orders/723", { key: store.adminKey });
    expect(canceled.json()).toMatchObject({ canceledAt: "2017-03-22T08:00:00.000Z" });
    await sendWoo(t.app, store.id, "order.updated", fixtureWith(ORDER, (o) => { o.status = "failed"; o.date_modified_gmt = "2017-03-22T09:00:00"; }));
    expect((await call(t.app, "GET", "/v1/orders/723", { key: store.adminKey })).json()).toMatchObject({ canceledAt: "2017-03-22T09:00:00.000Z" });
  });

  it("applies customer.updated by its date_modified_gmt, never an older one", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const newer = fixtureWith("woocommerce/customer-26.json", (c) => { c.email = "joao.new@example.com"; c.date_modified_gmt = "2017-03-22T10:00:00"; });
    expect((await sendWoo(t.app, store.id, "customer.updated", newer)).json()).toMatchObject({ result: "applied" });
    await sendWoo(t.app, store.id, "customer.created", fixture("woocommerce/customer-26.json"));
    expect((await member(t.app, store.adminKey, "26")).email).toBe("joao.new@example.com");
    // An order's billing email only fills a missing one.
    await sendWoo(t.app, store.id, "order.updated", fixture(ORDER));
    expect((await member(t.app, store.adminKey, "26")).email).toBe("joao.new@example.com");
  });

  it("answers the unsigned creation ping 200 and does nothing else with it", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    const ping = await t.app.inject({ method: "POST", url: `/hooks/woocommerce/${store.id}`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "webhook_id=31" });
    expect(ping.statusCode, ping.body).toBe(200);
    expect(ping.json()).toMatchObject({ result: "ping" });
    // Anything else unsigned is refused.
    const unsigned = await t.app.inject({ method: "POST", url: `/hooks/woocommerce/${store.id}`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "webhook_id=31&x=1" });
    expect(unsigned.statusCode).toBe(401);
    expect((await sendWoo(t.app, store.id, "order.updated", fixture(ORDER), { secret: "not-the-secret" })).statusCode).toBe(401);
    expect((await call(t.app, "GET", "/v1/orders/723", { key: store.adminKey })).statusCode).toBe(404);
  });

  it("ignores a repeated delivery id", async () => {
    const store = await storeForExamples(t.app, START, AFTER);
    expect((await sendWoo(t.app, store.id, "order.updated", fixture(ORDER), { deliveryId: "abc" })).json()).toMatchObject({ result: "applied" });
    expect((await sendWoo(t.app, store.id, "order.deleted", JSON.stringify({ id: 723 }), { deliveryId: "abc" })).json()).toMatchObject({ result: "duplicate" });
    expect((await member(t.app, store.adminKey, "26")).balance).toBe(10);
  });
});

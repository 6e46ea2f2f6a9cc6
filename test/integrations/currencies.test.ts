import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/app.ts";
import { kindsUnderTest } from "../support/db.ts";
import { applyPreset } from "../support/presets.ts";
import { createTestStore } from "../support/app.ts";
import { fixtureWith, member, sendShopify, SHOPIFY_SECRET } from "./support.ts";

/**
 * The example order in three currencies: its money strings are read by each currency's ISO 4217
 * exponent. The preset earns 1 point per 100 minor units, so the same digits earn differently.
 */
describe.each(kindsUnderTest())("money strings by currency exponent on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t.close());

  it.each([
    { currency: "JPY", price: "1990", points: 59 }, // 3 × ¥1990 = 5970 yen
    { currency: "USD", price: "19.90", points: 59 }, // 3 × $19.90 = 5970 cents
    { currency: "KWD", price: "19.900", points: 597 }, // 3 × 19.900 KD = 59700 fils
  ])("$currency: three lines at $price earn $points", async ({ currency, price, points }) => {
    const store = await createTestStore(t.app, { currency, clock: "2008-01-01T00:00:00Z" });
    await applyPreset(t.app, store.adminKey, "member-system");
    await call(t.app, "PUT", "/v1/integrations/shopify", { key: store.adminKey, body: { shopDomain: "example.myshopify.com", webhookSecret: SHOPIFY_SECRET } });
    await call(t.app, "POST", "/v1/clock/advance", { key: store.adminKey, body: { to: "2008-01-12T00:00:00Z" } });
    const body = fixtureWith("shopify/order.json", (o) => {
      o.currency = currency;
      o.financial_status = "paid";
      for (const line of o.line_items as Array<Record<string, unknown>>) line.price = price;
    });
    expect((await sendShopify(t.app, store.id, "orders/paid", body)).json()).toMatchObject({ result: "applied" });
    expect((await member(t.app, store.adminKey, "207119551")).balance).toBe(points);
  });
});

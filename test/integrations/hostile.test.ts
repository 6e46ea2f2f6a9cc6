import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOPIFY_TOPICS } from "../../src/core/integrations/shopify.ts";
import { WOOCOMMERCE_TOPICS } from "../../src/core/integrations/woocommerce.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { fixtureWith, sendShopify, sendWoo, storeForExamples } from "./support.ts";

/**
 * A signed payload can still be anything: a platform bug, an old API version, a secret that
 * leaked. Whatever it holds, the receiver answers 200 (applied, ignored or failed), 400 or 413,
 * never a 5xx, and the store keeps working.
 */
describe("platform receivers under hostile payloads", () => {
  let t: TestApp;
  let storeId: string;
  beforeAll(async () => {
    t = await startTestApp();
    storeId = (await storeForExamples(t.app, "2008-01-01T00:00:00Z", "2008-01-12T00:00:00Z")).id;
  });
  afterAll(async () => t.close());

  const replay = { ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) };

  /** Shopify-shaped orders with fields replaced by arbitrary JSON. */
  const mangled = fc.record({
    field: fc.constantFrom("id", "currency", "created_at", "updated_at", "line_items", "customer", "total_discounts", "refunds", "fulfillments", "financial_status", "cancelled_at", "shipping_lines"),
    value: fc.jsonValue({ maxDepth: 3 }),
  });

  it("signed arbitrary JSON on every topic", async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(...SHOPIFY_TOPICS, ...WOOCOMMERCE_TOPICS, "app/uninstalled"), async (value, topic) => {
      const body = JSON.stringify(value) ?? "null";
      const res = topic.includes("/") ? await sendShopify(t.app, storeId, topic, body) : await sendWoo(t.app, storeId, topic, body);
      expect([200, 400], `${topic} ${body.slice(0, 200)} → ${res.statusCode} ${res.body}`).toContain(res.statusCode);
    }), { numRuns: 200, ...replay });
  }, 120_000);

  it("the example order with one field replaced by arbitrary JSON", async () => {
    await fc.assert(fc.asyncProperty(mangled, fc.constantFrom("orders/create", "orders/updated"), async ({ field, value }, topic) => {
      const body = fixtureWith("shopify/order.json", (o) => { o[field] = value; });
      const res = await sendShopify(t.app, storeId, topic, body);
      expect([200, 400], `${field}=${JSON.stringify(value).slice(0, 200)} → ${res.statusCode} ${res.body}`).toContain(res.statusCode);
    }), { numRuns: 200, ...replay });
  }, 120_000);

  it("bytes that are no JSON, deep nesting, NUL characters, huge numbers and oversized bodies", async () => {
    const cases: Array<[string, number]> = [
      ["\u00ff\u00fe not json", 400],
      ["[".repeat(10_000), 400],
      [JSON.stringify({ id: 1, currency: "USD", created_at: "2008-01-10T00:00:00Z", line_items: [], customer: { id: 5, email: "a\u0000b" } }), 422],
      [JSON.stringify({ id: 1, currency: "USD", created_at: "2008-01-10T00:00:00Z", line_items: [{ quantity: 1, price: "99999999999999999999.00", sku: "x" }] }), 200],
      [`{"id": 1${"0".repeat(400)}, "currency": "USD"}`, 200],
      ["", 400],
    ];
    for (const [body, status] of cases) {
      const res = await sendShopify(t.app, storeId, "orders/create", body);
      expect(res.statusCode, `${body.slice(0, 60)} → ${res.body}`).toBe(status);
      expect(res.statusCode).toBeLessThan(500);
    }
    const huge = JSON.stringify({ padding: "x".repeat(5 * 1024 * 1024) });
    expect((await sendShopify(t.app, storeId, "orders/create", huge)).statusCode).toBe(413);
  });
});

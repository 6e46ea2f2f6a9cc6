import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { platformSignature } from "../../src/http/hooks/signature.ts";
import { call, createTestStore, type TestStore } from "../support/app.ts";
import { applyPreset } from "../support/presets.ts";

export const SHOPIFY_SECRET = "shpss_test_secret_0123456789";
export const WOO_SECRET = "woo-test-secret-0123456789";

/** A saved platform payload: the file's bytes after its `// Source:` lines, exactly as sent. */
export function fixture(path: string): string {
  const text = readFileSync(join(import.meta.dirname, "..", "fixtures", path), "utf8");
  return text.split("\n").filter((line) => !line.startsWith("//")).join("\n");
}

/** A fixture with fields changed, as the platform would send the same object later. */
export function fixtureWith(path: string, change: (o: Record<string, unknown>) => void): string {
  // Big ids are kept as digits: replace them before parsing, put them back after.
  const text = fixture(path).replace(/(:\s*)(\d{16,})/g, '$1"__big__$2"');
  const o = JSON.parse(text) as Record<string, unknown>;
  change(o);
  return JSON.stringify(o, null, 2).replace(/"__big__(\d+)"/g, "$1");
}

/**
 * A store on the member-system preset whose clock starts before the sources' example orders
 * (2008 for Shopify's, 2017 for WooCommerce's), so the preset's rules are in force when they
 * were placed; the clock is then moved past the example's last timestamp.
 */
export async function storeForExamples(app: FastifyInstance, startAt: string, now: string): Promise<TestStore> {
  const store = await createTestStore(app, { clock: startAt });
  await applyPreset(app, store.adminKey, "member-system");
  const shop = await call(app, "PUT", "/v1/integrations/shopify", { key: store.adminKey, body: { shopDomain: "example.myshopify.com", webhookSecret: SHOPIFY_SECRET } });
  expect(shop.statusCode, shop.body).toBe(200);
  const woo = await call(app, "PUT", "/v1/integrations/woocommerce", { key: store.adminKey, body: { siteUrl: "https://example.com", webhookSecret: WOO_SECRET } });
  expect(woo.statusCode, woo.body).toBe(200);
  const advanced = await call(app, "POST", "/v1/clock/advance", { key: store.adminKey, body: { to: now } });
  expect(advanced.statusCode, advanced.body).toBe(200);
  return store;
}

let sequence = 0;

/** Sends a payload as Shopify does: raw JSON bytes, base64 HMAC-SHA256 of them, topic and webhook id headers. */
export function sendShopify(app: FastifyInstance, storeId: string, topic: string, body: string, options: { webhookId?: string; secret?: string; signature?: string } = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: `/hooks/shopify/${storeId}`,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": topic,
      "x-shopify-hmac-sha256": options.signature ?? platformSignature(body, options.secret ?? SHOPIFY_SECRET),
      "x-shopify-shop-domain": "example.myshopify.com",
      "x-shopify-webhook-id": options.webhookId ?? `wh-${++sequence}`,
      "x-shopify-api-version": "2024-01",
    },
    payload: body,
  });
}

/** Sends a payload as WooCommerce does: X-WC-Webhook-Signature, topic, resource, event and delivery id headers. */
export function sendWoo(app: FastifyInstance, storeId: string, topic: string, body: string, options: { deliveryId?: string; secret?: string; signature?: string } = {}): Promise<LightMyRequestResponse> {
  const [resource, event] = topic.split(".");
  return app.inject({
    method: "POST",
    url: `/hooks/woocommerce/${storeId}`,
    headers: {
      "content-type": "application/json",
      "x-wc-webhook-source": "https://example.com/",
      "x-wc-webhook-topic": topic,
      "x-wc-webhook-resource": resource ?? "",
      "x-wc-webhook-event": event ?? "",
      "x-wc-webhook-signature": options.signature ?? platformSignature(body, options.secret ?? WOO_SECRET),
      "x-wc-webhook-id": "31",
      "x-wc-webhook-delivery-id": options.deliveryId ?? `d-${++sequence}`,
    },
    payload: body,
  });
}

export async function member(app: FastifyInstance, key: string, memberId: string): Promise<{ balance: number; pending: number; email: string | null; tags: string[] }> {
  const res = await call(app, "GET", `/v1/members/${memberId}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function orderPoints(app: FastifyInstance, key: string, orderId: string): Promise<{ earned: number; pending: number; reversed: number; redeemed: number }> {
  const res = await call(app, "GET", `/v1/orders/${orderId}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { points: { earned: number; pending: number; reversed: number; redeemed: number } }).points;
}

/**
 * The receivers over a real socket, in a real `pointbook serve`: the raw bytes the platform signs
 * reach the HMAC check unchanged through Node's HTTP parser, and the answer comes well within the
 * five seconds Shopify waits before it counts a delivery as failed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformSignature } from "../../src/http/hooks/signature.ts";
import { exitWithin, OPERATOR, serverApi, startServer, type ServerProcess } from "../jobs/server-process.ts";
import { fixture, fixtureWith, SHOPIFY_SECRET, WOO_SECRET } from "./support.ts";

describe("platform receivers in the server process", () => {
  let dir: string;
  let server: ServerProcess;
  const api = serverApi(() => server);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pointbook-hooks-"));
    server = await startServer({ DATABASE_URL: "", POINTBOOK_DATA_DIR: dir });
  }, 120_000);
  afterAll(async () => {
    if (server) {
      server.child.kill("SIGTERM");
      await exitWithin(server, 15_000).catch(() => undefined);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("applies Shopify's signed example order and WooCommerce's ping; a wrong signature gets 401", async () => {
    const store = await api("POST", "/v1/stores", OPERATOR, { name: "Hooks", currency: "USD", timezone: "UTC", sandbox: true, clock: "2008-01-01T00:00:00Z" });
    expect(store.status).toBe(201);
    const { id, apiKey } = store.json as { id: string; apiKey: string };
    const preset = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "presets", "member-system.json"), "utf8"));
    expect((await api("PUT", "/v1/program/import", apiKey, preset)).status).toBe(200);
    expect((await api("PUT", "/v1/integrations/shopify", apiKey, { shopDomain: "example.myshopify.com", webhookSecret: SHOPIFY_SECRET })).status).toBe(200);
    expect((await api("PUT", "/v1/integrations/woocommerce", apiKey, { siteUrl: "https://example.com", webhookSecret: WOO_SECRET })).status).toBe(200);
    expect((await api("POST", "/v1/clock/advance", apiKey, { to: "2008-01-12T00:00:00Z" })).status).toBe(200);

    const body = fixtureWith("shopify/order.json", (o) => { o.financial_status = "paid"; });
    const send = (signature: string) => fetch(`${server.base}/hooks/shopify/${id}`, {
      method: "POST", body,
      headers: { "content-type": "application/json", "x-shopify-topic": "orders/paid", "x-shopify-hmac-sha256": signature, "x-shopify-webhook-id": "real-1" },
    });
    expect((await send(platformSignature(body, "wrong-secret-0000"))).status).toBe(401);
    const started = performance.now();
    const res = await send(platformSignature(body, SHOPIFY_SECRET));
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: "applied" });
    expect(ms).toBeLessThan(5_000);
    expect((await api("GET", "/v1/members/207119551", apiKey)).json).toMatchObject({ balance: 597 });

    const ping = await fetch(`${server.base}/hooks/woocommerce/${id}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "webhook_id=31" });
    expect(ping.status).toBe(200);
    const woo = fixture("woocommerce/order-723.json");
    const wooRes = await fetch(`${server.base}/hooks/woocommerce/${id}`, {
      method: "POST", body: woo,
      headers: { "content-type": "application/json", "x-wc-webhook-topic": "order.updated", "x-wc-webhook-signature": platformSignature(woo, WOO_SECRET), "x-wc-webhook-delivery-id": "w-1" },
    });
    // Placed in 2017 while this store's clock says 2008: refused (recorded), and still answered 200.
    expect(wooRes.status).toBe(200);
    expect(await wooRes.json()).toMatchObject({ result: "failed", error: expect.stringContaining("after the store's time") });
  }, 60_000);
});

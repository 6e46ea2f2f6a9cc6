import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { call, createTestStore, type TestStore } from "../support/app.ts";
import type { Services } from "../../src/services/context.ts";
import { webhookFanOut } from "../../src/services/webhooks/fan-out.ts";

/** A registered route as /openapi.json describes it: `GET /v1/members/{memberId}` and its role. */
export interface RouteInfo {
  method: string;
  path: string;
  role: string;
  /** `METHOD path`, the key of the samples table. */
  id: string;
}

export async function registeredRoutes(app: FastifyInstance): Promise<RouteInfo[]> {
  const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as { paths: Record<string, Record<string, { "x-role"?: string }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const m = method.toUpperCase();
      return { method: m, path, role: op["x-role"] ?? "undeclared", id: `${m} ${path}` };
    }),
  );
}

/** One concrete request per route, naming the sample store's own resources, with a valid body. */
export interface Sample {
  url: string;
  body?: unknown;
  /** For a body that is not JSON (a CSV upload): its content type. */
  headers?: Record<string, string>;
}

export interface SampleStore {
  store: TestStore;
  /** The store's staff keys by role, and `member`: a member token for the sample member (/v1/me…). */
  keys: { viewer: string; points_manager: string; admin: string; member: string };
  /** Strings only this store's data holds: they must never show up in another store's answers. */
  markers: string[];
  samples: Record<string, Sample>;
}

async function ok(res: { statusCode: number; body: string }, what: string): Promise<any> {
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300);
  return JSON.parse(res.body || "null");
}

/**
 * A store holding one of everything a route can name (member, order, rule, methods, redemption,
 * entitlement, coupon, tier, key), so every route has a real target. A route that is added to the
 * API without a sample here makes the route tests fail until it gets one.
 */
export async function sampleStore(app: FastifyInstance, tag: string, services?: Services): Promise<SampleStore> {
  const store = await createTestStore(app, { name: `Store ${tag}` });
  const admin = store.adminKey;
  const keys = { viewer: await store.key("viewer"), points_manager: await store.key("points_manager"), admin, member: "" };
  const post = (url: string, body: unknown) => call(app, "POST", url, { key: admin, body });
  const member = `member-${tag}`;
  const email = `secret-${tag}@example.com`;

  await ok(await call(app, "PUT", `/v1/members/${member}`, { key: admin, body: { email } }), "member");
  await ok(await post(`/v1/members/${member}/adjustments`, { points: 5000, reason: `funds ${tag}` }), "adjustment");
  const rule = await ok(await post("/v1/earn-rules", { name: `Rule ${tag}`, event: "signed.up", award: { type: "fixed", points: 10 } }), "rule");
  const cash = await ok(await post("/v1/redeem-methods", { type: "cashback", name: `Cash ${tag}`, points: 10, amount: 100, channels: ["online"] }), "cashback");
  const pack = await ok(await post("/v1/redeem-methods", { type: "catalog", name: `Pack ${tag}`, points: 100, grant: { sku: "credits", units: 10 } }), "catalog");
  const coupon = await ok(await post("/v1/redeem-methods", { type: "coupon", name: `Coupon ${tag}`, points: 100, discount: { type: "fixed", amount: 500 }, usableBy: "anyone" }), "coupon");
  await ok(await post("/v1/tiers", { code: "gold", name: `Gold ${tag}`, rank: 1 }), "tier");
  const order = `order-${tag}`;
  const lines = [{ sku: "shirt", quantity: 1, amount: 5000 }];
  await ok(await call(app, "PUT", `/v1/orders/${order}`, { key: admin, body: { memberId: member, placedAt: "2026-01-10T00:00:00Z", lines } }), "order");
  const cart = { lines, discounts: 0, credits: 0, shipping: 0 };
  const hold = await ok(await post("/v1/redemptions", { memberId: member, methodId: cash.id, points: 100, orderId: order, cart }), "hold");
  const granted = await ok(await post("/v1/redemptions", { memberId: member, methodId: pack.id }), "entitlement");
  const code = await ok(await post("/v1/redemptions", { memberId: member, methodId: coupon.id }), "code");
  const entitlementId = granted.entitlement?.id ?? granted.entitlementId;
  expect(entitlementId, JSON.stringify(granted)).toBeTruthy();
  const spareKey = await ok(await post("/v1/keys", { name: `Spare ${tag}`, role: "viewer" }), "key");
  keys.member = (await ok(await post("/v1/member-tokens", { memberId: member }), "member token")).token;
  const program = await ok(await call(app, "GET", "/v1/program/export", { key: admin }), "export");
  const hook = await ok(await post("/v1/webhook-endpoints", { url: "https://93.184.215.14/hooks", events: ["*"], description: `Hooks ${tag}` }), "webhook endpoint");
  const spareHook = await ok(await post("/v1/webhook-endpoints", { url: "https://93.184.215.14/spare", events: ["member.tier_changed"] }), "spare webhook endpoint");
  // A delivery to replay, when the caller lets the fixture hand the store's events on (no route makes one).
  const deliveryId = services ? await sampleDelivery(app, services, store, admin, hook.id) : "whd_unknown";
  const csv = { "content-type": "text/csv" };
  const upload = await ok(await call(app, "POST", "/v1/imports?kind=members", { key: admin, body: `memberId,email\nimported-${tag},imported-${tag}@example.com\n`, headers: csv }), "import");

  const exported = await ok(await call(app, "GET", "/v1/program/export", { key: admin }), "program");
  const simulation = await ok(await call(app, "POST", "/v1/simulations", { key: admin, body: { candidate: exported, from: "2026-01-01", to: "2026-01-31" } }), "simulation");
  const proposals = await ok(await call(app, "POST", "/v1/assistant/proposals", { key: admin, body: { targetCostShare: 0.02 } }), "proposals");

  const samples: Record<string, Sample> = {
    "POST /v1/simulations": { url: "/v1/simulations", body: { candidate: exported, from: "2026-01-01", to: "2026-01-31", redemptionRate: 0.5 } },
    "GET /v1/simulations": { url: "/v1/simulations" },
    "GET /v1/simulations/{id}": { url: `/v1/simulations/${simulation.id}` },
    "POST /v1/assistant/proposals": { url: "/v1/assistant/proposals", body: { targetCostShare: 0.01, from: "2026-01-01", to: "2026-01-31" } },
    "POST /v1/assistant/proposals/{id}/apply": { url: `/v1/assistant/proposals/${proposals.proposals[0].id}/apply` },
    "POST /v1/stores": { url: "/v1/stores", body: { name: "New", currency: "USD", timezone: "UTC" } },
    "GET /v1/store": { url: "/v1/store" },
    "POST /v1/keys": { url: "/v1/keys", body: { name: "k", role: "viewer" } },
    "GET /v1/keys": { url: "/v1/keys" },
    "DELETE /v1/keys/{id}": { url: `/v1/keys/${spareKey.id}` },
    "GET /v1/program": { url: "/v1/program" },
    "PATCH /v1/program": { url: "/v1/program", body: { pointsName: { en: "Stars" } } },
    "PUT /v1/members/{memberId}": { url: `/v1/members/${member}`, body: { phone: "+15550100" } },
    "GET /v1/members/{memberId}": { url: `/v1/members/${member}` },
    "GET /v1/members/{memberId}/activity": { url: `/v1/members/${member}/activity` },
    "GET /v1/members/{memberId}/notifications": { url: `/v1/members/${member}/notifications` },
    "POST /v1/members/{memberId}/adjustments": { url: `/v1/members/${member}/adjustments`, body: { points: 5, reason: "fuzz" } },
    "POST /v1/adjustments/bulk": { url: "/v1/adjustments/bulk", body: { memberIds: [member], points: 1, reason: "bulk" } },
    "GET /v1/redeem-methods": { url: "/v1/redeem-methods" },
    "POST /v1/redeem-methods": { url: "/v1/redeem-methods", body: { type: "catalog", name: "Another", points: 50, grant: { sku: "x", units: 1 } } },
    "GET /v1/redeem-methods/{id}": { url: `/v1/redeem-methods/${cash.id}` },
    "PATCH /v1/redeem-methods/{id}": { url: `/v1/redeem-methods/${pack.id}`, body: { points: 120 } },
    "DELETE /v1/redeem-methods/{id}": { url: `/v1/redeem-methods/${coupon.id}` },
    "POST /v1/redemptions": { url: "/v1/redemptions", body: { memberId: member, methodId: pack.id } },
    "GET /v1/redemptions/{id}": { url: `/v1/redemptions/${hold.id}` },
    "POST /v1/redemptions/{id}/capture": { url: `/v1/redemptions/${hold.id}/capture` },
    "POST /v1/redemptions/{id}/release": { url: `/v1/redemptions/${hold.id}/release` },
    "GET /v1/members/{memberId}/entitlements": { url: `/v1/members/${member}/entitlements` },
    "POST /v1/entitlements/{id}/consume": { url: `/v1/entitlements/${entitlementId}/consume`, body: { units: 1 } },
    "GET /v1/program/export": { url: "/v1/program/export" },
    "PUT /v1/program/import": { url: "/v1/program/import?dryRun=true", body: program },
    "GET /v1/earn-rules": { url: "/v1/earn-rules" },
    "POST /v1/earn-rules": { url: "/v1/earn-rules", body: { name: "More", event: "x", award: { type: "fixed", points: 1 } } },
    "GET /v1/earn-rules/{id}": { url: `/v1/earn-rules/${rule.id}` },
    "PATCH /v1/earn-rules/{id}": { url: `/v1/earn-rules/${rule.id}`, body: { award: { type: "fixed", points: 20 } } },
    "DELETE /v1/earn-rules/{id}": { url: `/v1/earn-rules/${rule.id}` },
    "POST /v1/events": { url: "/v1/events", body: { id: `evt-${tag}`, type: "signed.up", memberId: member } },
    "POST /v1/events/batch": { url: "/v1/events/batch", body: { events: [{ id: `bevt-${tag}`, type: "signed.up", memberId: member }] } },
    "PUT /v1/orders/{orderId}": { url: `/v1/orders/${order}`, body: { memberId: member, placedAt: "2026-01-10T00:00:00Z", paidAt: "2026-01-11T00:00:00Z", lines } },
    "GET /v1/orders/{orderId}": { url: `/v1/orders/${order}` },
    "POST /v1/checkout/quote": { url: "/v1/checkout/quote", body: { memberId: member, ...cart } },
    "GET /v1/coupons/{code}": { url: `/v1/coupons/${code.code}` },
    "POST /v1/coupons/{code}/use": { url: `/v1/coupons/${code.code}/use`, body: { orderId: order, subtotal: 5000 } },
    "GET /v1/exports/members.csv": { url: "/v1/exports/members.csv" },
    "GET /v1/exports/ledger.csv": { url: "/v1/exports/ledger.csv" },
    "GET /v1/exports/orders.csv": { url: "/v1/exports/orders.csv" },
    "GET /v1/tiers": { url: "/v1/tiers" },
    "POST /v1/tiers": { url: "/v1/tiers", body: { code: "silver", name: "Silver", rank: 0 } },
    "GET /v1/tiers/{code}": { url: "/v1/tiers/gold" },
    "PATCH /v1/tiers/{code}": { url: "/v1/tiers/gold", body: { name: "Golden" } },
    "DELETE /v1/tiers/{code}": { url: "/v1/tiers/gold" },
    "POST /v1/tiers/{code}/members": { url: "/v1/tiers/gold/members", body: { memberIds: [member] } },
    "GET /v1/audit-log": { url: "/v1/audit-log" },
    "GET /v1/event-feed": { url: "/v1/event-feed?limit=5" },
    "POST /v1/clock/advance": { url: "/v1/clock/advance", body: { to: "2026-01-16T00:00:00Z" } },
    "POST /v1/webhook-endpoints": { url: "/v1/webhook-endpoints", body: { url: "https://93.184.215.14/more", events: ["member.points_changed"] } },
    "GET /v1/webhook-endpoints": { url: "/v1/webhook-endpoints" },
    "GET /v1/webhook-endpoints/{id}": { url: `/v1/webhook-endpoints/${hook.id}` },
    "PATCH /v1/webhook-endpoints/{id}": { url: `/v1/webhook-endpoints/${hook.id}`, body: { description: "changed" } },
    "DELETE /v1/webhook-endpoints/{id}": { url: `/v1/webhook-endpoints/${spareHook.id}` },
    "POST /v1/webhook-endpoints/{id}/rotate-secret": { url: `/v1/webhook-endpoints/${hook.id}/rotate-secret` },
    "GET /v1/webhook-endpoints/{id}/deliveries": { url: `/v1/webhook-endpoints/${hook.id}/deliveries` },
    "POST /v1/webhook-deliveries/{id}/replay": { url: `/v1/webhook-deliveries/${deliveryId}/replay` },
    "PUT /v1/integrations/shopify": { url: "/v1/integrations/shopify", body: { shopDomain: `shop-${tag}.myshopify.com`, webhookSecret: `secret-${tag}-0123456789` } },
    "PUT /v1/integrations/woocommerce": { url: "/v1/integrations/woocommerce", body: { siteUrl: `https://${tag}.example.com`, webhookSecret: `secret-${tag}-0123456789` } },
    "GET /v1/integrations": { url: "/v1/integrations" },
    "POST /v1/imports": { url: "/v1/imports?kind=members", body: `memberId\nanother-${tag}\n`, headers: csv },
    "GET /v1/imports": { url: "/v1/imports" },
    "GET /v1/imports/{id}": { url: `/v1/imports/${upload.id}` },
    "GET /v1/session": { url: "/v1/session" },
    "GET /v1/members": { url: `/v1/members?q=${encodeURIComponent(member.slice(0, 4))}` },
    "GET /v1/dashboard": { url: "/v1/dashboard?months=3" },
    "POST /v1/member-tokens": { url: "/v1/member-tokens", body: { memberId: member } },
    "POST /v1/member-token-secret/rotate": { url: "/v1/member-token-secret/rotate" },
    "GET /v1/me": { url: "/v1/me?lang=en" },
    "GET /v1/me/activity": { url: "/v1/me/activity?limit=5" },
    "POST /v1/me/redemptions": { url: "/v1/me/redemptions", body: { methodId: pack.id } },
    "POST /v1/me/checkout/quote": { url: "/v1/me/checkout/quote", body: cart },
  };
  return { store, keys, markers: [store.id, email, rule.id, cash.id, pack.id, coupon.id, hold.id, code.code, `Gold ${tag}`, hook.id, `Hooks ${tag}`], samples };
}

/** Hands this store's outgoing events to the webhook fan-out, in statements that name only this store. */
async function sampleDelivery(app: FastifyInstance, services: Services, store: TestStore, admin: string, endpointId: string): Promise<string> {
  await services.tx.run(async (repos) => {
    const record = await repos.stores.get(store.id);
    const events = await repos.outbox.claimUndispatched(store.id, 1_000);
    await webhookFanOut(repos, record!, events, services.clock.now());
    await repos.outbox.markDispatched(store.id, events.map((e) => e.id), services.clock.now());
  });
  const list = await ok(await call(app, "GET", `/v1/webhook-endpoints/${endpointId}/deliveries?limit=1`, { key: admin }), "deliveries");
  expect(list.data.length, "the fixture's adjustment made a delivery").toBe(1);
  return list.data[0].id as string;
}

import type { IncomingHttpHeaders } from "node:http";
import { expect } from "vitest";
import { dispatchOutgoing } from "../../src/services/dispatch.ts";
import { runWebhookDeliveries, type WebhookRunOptions } from "../../src/services/webhooks/deliver.ts";
import { webhookFanOut } from "../../src/services/webhooks/fan-out.ts";
import { call, type TestApp, type TestStore } from "../support/app.ts";

/**
 * Stores of this test file that have endpoints: only their events are handed on, so that on a
 * shared PostgreSQL no other test file's events are dispatched (and lost to its own fan-outs).
 */
const endpointStores = new Set<string>();

/** Creates an endpoint through the API; returns its id and secret. */
export async function createEndpoint(t: TestApp, store: TestStore, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  endpointStores.add(store.id);
  const res = await call(t.app, "POST", "/v1/webhook-endpoints", { key: store.adminKey, body: { events: ["*"], ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function adjust(t: TestApp, store: TestStore, memberId: string, points: number): Promise<void> {
  const res = await call(t.app, "POST", `/v1/members/${memberId}/adjustments`, { key: store.adminKey, body: { points, reason: "webhook test" } });
  expect(res.statusCode, res.body).toBe(201);
}

/**
 * Moves outgoing events into deliveries, then runs one delivery pass. On a shared PostgreSQL the
 * pass may also pick up other test files' deliveries, so tests check their own store's results.
 */
export async function deliver(t: TestApp, options: Partial<WebhookRunOptions> = {}) {
  await dispatchOutgoing(t.services, [webhookFanOut], { storeIds: [...endpointStores] });
  // Only this file's stores: other files' endpoints (the route samples' unreachable addresses) would fill the claim.
  return runWebhookDeliveries(t.services, { allowPrivate: true, retryBaseMs: 1000, maxAttempts: 12, limit: 100, random: () => 0, timeoutMs: 2_000, storeIds: [...endpointStores], ...options });
}

export async function deliveries(t: TestApp, store: TestStore, endpointId: string, query = ""): Promise<any> {
  const res = await call(t.app, "GET", `/v1/webhook-endpoints/${endpointId}/deliveries${query}`, { key: store.adminKey });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** The headers a receiver got, as the verifying library wants them. */
export function signatureHeaders(h: IncomingHttpHeaders): Record<string, string> {
  return { "webhook-id": String(h["webhook-id"]), "webhook-timestamp": String(h["webhook-timestamp"]), "webhook-signature": String(h["webhook-signature"]) };
}

export const later = (minutes: number) => new Date(Date.parse("2026-01-15T12:00:00Z") + minutes * 60_000);

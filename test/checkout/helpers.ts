import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { verifyLedger } from "../../src/storage/verify.ts";
import { call, createTestStore, type TestApp, type TestStore } from "../support/app.ts";

/** The HTTP verbs of one store, bound to one key. Every call returns the raw response. */
export interface Client {
  store: TestStore;
  get(url: string): Promise<LightMyRequestResponse>;
  put(url: string, body: unknown): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body: unknown): Promise<LightMyRequestResponse>;
  del(url: string): Promise<LightMyRequestResponse>;
  /** GET and parse, failing on a non-200. */
  json(url: string): Promise<any>;
  /** Moves the sandbox clock; fails on a non-200. */
  advance(to: string): Promise<{ now: string; ran: { matured: number; released: number; expired: number; reminded: number } }>;
  member(id: string): Promise<any>;
  order(id: string, body: unknown): Promise<any>;
  activity(memberId: string): Promise<any[]>;
  adjust(memberId: string, points: number, reason?: string): Promise<any>;
}

export function client(t: TestApp, store: TestStore, key = store.adminKey): Client {
  const c: Client = {
    store,
    get: (url) => call(t.app, "GET", url, { key }),
    put: (url, body) => call(t.app, "PUT", url, { key, body }),
    post: (url, body = {}) => call(t.app, "POST", url, { key, body }),
    patch: (url, body) => call(t.app, "PATCH", url, { key, body }),
    del: (url) => call(t.app, "DELETE", url, { key }),
    async json(url) {
      const res = await c.get(url);
      if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async advance(to) {
      const res = await c.post("/v1/clock/advance", { to });
      if (res.statusCode !== 200) throw new Error(`advance to ${to}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    member: (id) => c.json(`/v1/members/${encodeURIComponent(id)}`),
    async order(id, body) {
      const res = await c.put(`/v1/orders/${encodeURIComponent(id)}`, body);
      if (res.statusCode !== 200) throw new Error(`PUT order ${id}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async activity(memberId) {
      return (await c.json(`/v1/members/${encodeURIComponent(memberId)}/activity?limit=200`)).data;
    },
    async adjust(memberId, points, reason = "test credit") {
      const res = await c.post(`/v1/members/${encodeURIComponent(memberId)}/adjustments`, { points, reason });
      if (res.statusCode !== 201) throw new Error(`adjust ${memberId}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
  };
  return c;
}

export interface StoreSetup {
  clock?: string;
  timezone?: string;
  currency?: string;
  program?: Record<string, unknown>;
  rules?: Array<Record<string, unknown>>;
  methods?: Array<Record<string, unknown>>;
}

/** A sandbox store with the given program settings, earn rules and redeem methods. */
export async function setupStore(t: TestApp, setup: StoreSetup = {}): Promise<{ c: Client; ruleIds: string[]; methodIds: string[] }> {
  const store = await createTestStore(t.app, {
    clock: setup.clock ?? "2026-03-01T00:00:00Z",
    ...(setup.timezone ? { timezone: setup.timezone } : {}),
    ...(setup.currency ? { currency: setup.currency } : {}),
  });
  const c = client(t, store);
  if (setup.program) {
    const res = await c.patch("/v1/program", setup.program);
    if (res.statusCode !== 200) throw new Error(`program: ${res.statusCode} ${res.body}`);
  }
  const ruleIds: string[] = [];
  for (const rule of setup.rules ?? []) {
    const res = await c.post("/v1/earn-rules", rule);
    if (res.statusCode !== 201) throw new Error(`rule: ${res.statusCode} ${res.body}`);
    ruleIds.push(res.json().id);
  }
  const methodIds: string[] = [];
  for (const method of setup.methods ?? []) {
    const res = await c.post("/v1/redeem-methods", method);
    if (res.statusCode !== 201) throw new Error(`method: ${res.statusCode} ${res.body}`);
    methodIds.push(res.json().id);
  }
  return { c, ruleIds, methodIds };
}

/** $1 = 1 point on the subtotal, awarded when paid. */
export const orderRule = (over: Record<string, unknown> = {}) => ({
  name: "Points on orders",
  event: "order",
  channels: ["online"],
  award: { type: "per_amount", points: 1, per: 100 },
  timing: { awardOn: "paid", delayDays: 0 },
  ...over,
});

export async function expectLedgerClean(t: TestApp, storeIds: readonly string[]): Promise<void> {
  for (const id of storeIds) expect(await verifyLedger(t.db, id)).toEqual([]);
}

/** ISO instant plus some days / minutes (UTC arithmetic), in the API's millisecond form. */
export function plus(iso: string, amount: { days?: number; minutes?: number; ms?: number }): string {
  const ms = (amount.days ?? 0) * 86_400_000 + (amount.minutes ?? 0) * 60_000 + (amount.ms ?? 0);
  return new Date(Date.parse(iso) + ms).toISOString();
}

export const iso = (s: string) => new Date(s).toISOString();

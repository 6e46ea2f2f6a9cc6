import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, OPERATOR_TOKEN, startTestApp, type TestApp } from "../support/app.ts";
import { registeredRoutes, sampleStore, type RouteInfo, type SampleStore } from "./route-fixture.ts";

const RANK: Record<string, number> = { viewer: 1, points_manager: 2, admin: 3 };
const STORE_ROLES = ["viewer", "points_manager", "admin"] as const;

/**
 * Every registered route × every kind of caller that must be refused: no key, a malformed key, a
 * key of the right shape that does not exist, a revoked key, the operator token on a store route,
 * another store's admin key, and each role below the route's. Generated from /openapi.json, so a
 * new route is covered the day it is added (and fails here until it has a sample).
 */
describe("route × caller matrix", () => {
  let t: TestApp;
  let a: SampleStore;
  let b: SampleStore;
  let routes: RouteInfo[];
  let revoked: string;
  const seen: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    a = await sampleStore(t.app, "A");
    b = await sampleStore(t.app, "B");
    // Member routes (/v1/me…) take member tokens, not keys: test/http/member-tokens.test.ts has their matrix.
    routes = (await registeredRoutes(t.app)).filter((r) => r.role !== "none" && r.role !== "member");
    const k = await call(t.app, "POST", "/v1/keys", { key: a.keys.admin, body: { name: "to revoke", role: "admin" } });
    revoked = k.json().key;
    expect((await call(t.app, "DELETE", `/v1/keys/${k.json().id}`, { key: a.keys.admin })).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  const send = (r: RouteInfo, key: string | null) => {
    const sample = a.samples[r.id]!;
    return call(t.app, r.method, sample.url, { key, ...(sample.body !== undefined ? { body: sample.body } : {}) });
  };
  const expectRefused = (res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string, label: string) => {
    expect(res.statusCode, `${label}: ${res.body}`).toBe(status);
    expect(String(res.headers["content-type"]), label).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body).code, label).toBe(code);
    seen.push(label);
  };

  it("has a sample for every registered route, every route declares a role, and no sample is stale", () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => r.role === "undeclared").map((r) => r.id)).toEqual([]);
    expect(routes.filter((r) => !a.samples[r.id]).map((r) => r.id)).toEqual([]);
    expect(Object.keys(a.samples).filter((id) => !routes.some((r) => r.id === id) && !id.startsWith("GET /v1/me") && !id.startsWith("POST /v1/me/"))).toEqual([]);
  });

  it("refuses callers without a valid key with 401, whatever the route", async () => {
    const fakeKey = `pb_${a.store.id}_${"0".repeat(32)}`;
    for (const r of routes) {
      expectRefused(await send(r, null), 401, "unauthorized", `${r.id} without a key`);
      expectRefused(await send(r, "not-a-key"), 401, "unauthorized", `${r.id} with a malformed key`);
      expectRefused(await send(r, fakeKey), 401, "unauthorized", `${r.id} with an unknown key`);
      expectRefused(await send(r, revoked), 401, "unauthorized", `${r.id} with a revoked key`);
      if (r.role === "operator") expectRefused(await send(r, a.keys.admin), 401, "unauthorized", `${r.id} with a store key`);
      else expectRefused(await send(r, OPERATOR_TOKEN), 401, "unauthorized", `${r.id} with the operator token`);
    }
  });

  it("refuses each role below the route's with 403 naming the role needed", async () => {
    for (const r of routes.filter((x) => x.role in RANK)) {
      for (const role of STORE_ROLES.filter((x) => RANK[x]! < RANK[r.role]!)) {
        const res = await send(r, a.keys[role]);
        expectRefused(res, 403, "forbidden", `${r.id} with a ${role} key`);
        expect(JSON.parse(res.body).detail).toContain(r.role);
      }
    }
  });

  it("never shows or changes one store's data for another store's admin key", async () => {
    const before = (await call(t.app, "GET", `/v1/members/member-A`, { key: a.keys.admin })).json();
    const rulesBefore = (await call(t.app, "GET", "/v1/earn-rules", { key: a.keys.admin })).json();
    for (const r of routes.filter((x) => x.role in RANK)) {
      const res = await send(r, b.keys.admin);
      const label = `${r.id} with another store's admin key`;
      expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
      for (const marker of a.markers) expect(res.body, `${label} leaked ${marker}`).not.toContain(marker);
      // A route that names one of store A's generated ids (rule, method, redemption, key, coupon
      // code) finds nothing in store B. Member ids, order ids and tier codes are the merchant's own
      // names, so store B may well have its own record under the same name (and did create some above).
      if (/\{id\}/.test(r.path) || r.path.startsWith("/v1/coupons/")) {
        expectRefused(res, 404, "not_found", label);
      } else seen.push(label);
    }
    expect((await call(t.app, "GET", `/v1/members/member-A`, { key: a.keys.admin })).json()).toEqual(before);
    expect((await call(t.app, "GET", "/v1/earn-rules", { key: a.keys.admin })).json()).toEqual(rulesBefore);
  });

  it("each store role may call the routes of its rank (no 401/403), so the refusals above are about the caller", async () => {
    for (const r of routes.filter((x) => x.role in RANK && x.method === "GET")) {
      const res = await send(r, a.keys[r.role as keyof SampleStore["keys"]]);
      expect(res.statusCode, `${r.id}: ${res.body}`).toBe(200);
    }
    expect(seen.length).toBeGreaterThan(routes.length * 5);
  });
});

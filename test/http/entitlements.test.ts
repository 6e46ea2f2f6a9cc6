import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated } from "../support/http.ts";

const T0 = "2026-01-15T12:00:00.000Z";

describe("entitlements: GET /v1/members/{memberId}/entitlements, POST /v1/entitlements/{id}/consume", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** A store whose member "m" bought one pack of `units` email credits valid `validDays`. */
  async function setup(opts: { units?: number; validDays?: number | null; timezone?: string } = {}) {
    const store = await createTestStore(t.app, opts.timezone ? { timezone: opts.timezone } : {});
    const key = store.adminKey;
    const manager = await store.key("points_manager");
    await call(t.app, "POST", "/v1/members/m/adjustments", { key, body: { points: 1000, reason: "start" } });
    const methodId = (await call(t.app, "POST", "/v1/redeem-methods", {
      key,
      body: { type: "catalog", name: "Email credits", points: 200, grant: { sku: "email-credits", units: opts.units ?? 100, validDays: opts.validDays === undefined ? 30 : opts.validDays } },
    })).json().id as string;
    const redemption = (await call(t.app, "POST", "/v1/redemptions", { key: manager, body: { memberId: "m", methodId } })).json();
    return { store, key, manager, methodId, entitlementId: redemption.entitlement.id as string };
  }
  const consume = (key: string, id: string, body: unknown, headers?: Record<string, string>) => call(t.app, "POST", `/v1/entitlements/${id}/consume`, { key, body, headers });
  const list = async (key: string, memberId = "m") => (await call(t.app, "GET", `/v1/members/${memberId}/entitlements`, { key })).json();

  describe("happy paths", () => {
    it("lists a member's entitlements, newest first", async () => {
      const s = await setup();
      await call(t.app, "POST", "/v1/clock/advance", { key: s.key, body: { to: "2026-01-16T00:00:00Z" } });
      const second = (await call(t.app, "POST", "/v1/redemptions", { key: s.manager, body: { memberId: "m", methodId: s.methodId } })).json().entitlement;
      const res = await call(t.app, "GET", "/v1/members/m/entitlements", { key: await s.store.key("viewer") });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        data: [
          { id: second.id, sku: "email-credits", units: 100, unitsRemaining: 100, expiresAt: "2026-02-15T00:00:00.000Z", createdAt: "2026-01-16T00:00:00.000Z" },
          { id: s.entitlementId, sku: "email-credits", units: 100, unitsRemaining: 100, expiresAt: "2026-02-14T12:00:00.000Z", createdAt: T0 },
        ],
        nextCursor: null,
      });
    });

    it("validDays counts local days in the store's time zone", async () => {
      // 2026-03-08 is the US DST change: 30 local days after 07:00 EST is 07:00 EDT, one hour less in UTC.
      const store = await createTestStore(t.app, { timezone: "America/New_York", clock: "2026-02-20T12:00:00Z" });
      await call(t.app, "POST", "/v1/members/m/adjustments", { key: store.adminKey, body: { points: 100, reason: "x" } });
      const methodId = (await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "catalog", name: "x", points: 10, grant: { sku: "s", units: 1, validDays: 30 } } })).json().id;
      const ent = (await call(t.app, "POST", "/v1/redemptions", { key: store.adminKey, body: { memberId: "m", methodId } })).json().entitlement;
      expect(ent.expiresAt).toBe("2026-03-22T11:00:00.000Z");
    });

    it("a member with none has an empty list", async () => {
      const s = await setup();
      await call(t.app, "PUT", "/v1/members/empty", { key: s.key, body: {} });
      expect(await list(s.key, "empty")).toEqual({ data: [], nextCursor: null });
    });

    it("consume takes units and returns the entitlement; the last unit can be used", async () => {
      const s = await setup({ units: 10 });
      const res = await consume(s.manager, s.entitlementId, { units: 4 });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: s.entitlementId, sku: "email-credits", units: 10, unitsRemaining: 6, expiresAt: "2026-02-14T12:00:00.000Z", createdAt: T0 });
      expect((await consume(s.manager, s.entitlementId, { units: 6 })).json().unitsRemaining).toBe(0);
      expect((await list(s.key)).data[0].unitsRemaining).toBe(0);
      const uses = await t.db.query<{ units: number | string }>("SELECT units FROM entitlement_uses WHERE store_id = $1 ORDER BY at, id", [s.store.id]);
      expect(uses.map((u) => Number(u.units)).sort()).toEqual([4, 6]);
    });

    it("an entitlement without expiry can be used at any time", async () => {
      const s = await setup({ validDays: null });
      await call(t.app, "POST", "/v1/clock/advance", { key: s.key, body: { to: "2036-01-01T00:00:00Z" } });
      expect((await consume(s.manager, s.entitlementId, { units: 1 })).json()).toMatchObject({ unitsRemaining: 99, expiresAt: null });
    });

    it("a replayed consume (Idempotency-Key) uses the units once", async () => {
      const s = await setup({ units: 10 });
      const headers = { "idempotency-key": "use-1" };
      const a = await consume(s.manager, s.entitlementId, { units: 3 }, headers);
      const b = await consume(s.manager, s.entitlementId, { units: 3 }, headers);
      expect(b.statusCode).toBe(200);
      expect(b.headers["idempotent-replayed"]).toBe("true");
      expect(b.json()).toEqual(a.json());
      expect((await list(s.key)).data[0].unitsRemaining).toBe(7);
      expectProblem(await consume(s.manager, s.entitlementId, { units: 4 }, headers), 409, "idempotency_conflict");
    });
  });

  describe("errors", () => {
    it("over-consuming is 409 insufficient_units and uses nothing", async () => {
      const s = await setup({ units: 5 });
      const res = await consume(s.manager, s.entitlementId, { units: 6 });
      const body = expectProblem(res, 409, "insufficient_units");
      expect(body.detail).toBe("only 5 units remain");
      expect(body.errors).toEqual([{ path: "units", message: "only 5 units remain" }]);
      await consume(s.manager, s.entitlementId, { units: 5 });
      expectProblem(await consume(s.manager, s.entitlementId, { units: 1 }), 409, "insufficient_units");
      expect((await list(s.key)).data[0].unitsRemaining).toBe(0);
    });

    it("an expired entitlement is refused after the clock passes its expiry", async () => {
      const s = await setup({ units: 10, validDays: 1 });
      // Just before the end: still usable.
      await call(t.app, "POST", "/v1/clock/advance", { key: s.key, body: { to: "2026-01-16T11:59:59Z" } });
      expect((await consume(s.manager, s.entitlementId, { units: 1 })).json().unitsRemaining).toBe(9);
      await call(t.app, "POST", "/v1/clock/advance", { key: s.key, body: { to: "2026-01-16T12:00:00Z" } });
      const res = await consume(s.manager, s.entitlementId, { units: 1 });
      expect(expectProblem(res, 409, "expired").detail).toBe("this entitlement has expired");
      // Still listed, with what was left when it expired.
      expect((await list(s.key)).data[0]).toMatchObject({ id: s.entitlementId, unitsRemaining: 9, expiresAt: "2026-01-16T12:00:00.000Z" });
    });

    it("units must be a positive integer", async () => {
      const s = await setup();
      for (const units of [0, -1, 1.5, "2", null]) {
        expectFieldErrors(await consume(s.manager, s.entitlementId, { units }), ["units"]);
      }
      expectFieldErrors(await consume(s.manager, s.entitlementId, {}), [{ path: "units", message: "is required" }]);
      expectFieldErrors(await consume(s.manager, s.entitlementId, { units: 1, sku: "x" }), ["body"]);
      expect((await list(s.key)).data[0].unitsRemaining).toBe(100);
    });

    it("an unknown entitlement or never-seen member is 404", async () => {
      const s = await setup();
      expect(expectProblem(await consume(s.manager, "etl_nope", { units: 1 }), 404, "not_found").detail).toBe("entitlement was not found");
      expect(expectProblem(await call(t.app, "GET", "/v1/members/ghost/entitlements", { key: s.key }), 404, "not_found").detail).toBe("member was not found");
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      const s = await setup();
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/members/m/entitlements" }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "POST", url: `/v1/entitlements/${s.entitlementId}/consume`, body: { units: 1 } }, OPERATOR_TOKEN);
      expect((await list(s.key)).data[0].unitsRemaining).toBe(100);
    });

    it("a viewer may list but gets 403 on consume", async () => {
      const s = await setup();
      const viewer = await s.store.key("viewer");
      expect((await list(viewer)).data).toHaveLength(1);
      await expectForbidden(t.app, { method: "POST", url: `/v1/entitlements/${s.entitlementId}/consume`, body: { units: 1 } }, viewer, "points_manager");
      expect((await list(s.key)).data[0].unitsRemaining).toBe(100);
    });

    it("another store's key gets 404 and cannot consume this store's entitlements", async () => {
      const a = await setup();
      const b = await setup();
      const res = await consume(b.manager, a.entitlementId, { units: 1 });
      expectProblem(res, 404, "not_found");
      // B's member "m" is B's own: B sees only B's entitlement under the same member id.
      expect((await list(b.key)).data.map((e: { id: string }) => e.id)).toEqual([b.entitlementId]);
      const other = await createTestStore(t.app);
      const seen = await call(t.app, "GET", "/v1/members/m/entitlements", { key: other.adminKey });
      expectProblem(seen, 404, "not_found");
      expect(seen.body).not.toContain(a.entitlementId);
      expect((await list(a.key)).data[0].unitsRemaining).toBe(100);
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      const s = await setup();
      await expectMalformedBodiesRefused(t.app, "POST", `/v1/entitlements/${s.entitlementId}/consume`, s.manager);
      expectFieldErrors(await consume(s.manager, "etl%00x", { units: 1 }), ["id"]);
      expect((await list(s.key)).data[0].unitsRemaining).toBe(100);
    });
  });
});

describe("GET /v1/members/{memberId}/entitlements pagination", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("pages newest first with limit and cursor", async () => {
    const store = await createTestStore(t.app);
    const key = store.adminKey;
    await call(t.app, "POST", "/v1/members/p/adjustments", { key, body: { points: 500, reason: "start" } });
    const method = (await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "catalog", name: "Pack", points: 100, grant: { sku: "pack", units: 1, validDays: null } } })).json();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "p", methodId: method.id } })).json().entitlement.id);
    }
    const first = (await call(t.app, "GET", "/v1/members/p/entitlements?limit=2", { key })).json();
    expect(first.data.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
    const second = (await call(t.app, "GET", `/v1/members/p/entitlements?limit=2&cursor=${first.nextCursor}`, { key })).json();
    expect(second.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const last = (await call(t.app, "GET", `/v1/members/p/entitlements?limit=2&cursor=${second.nextCursor}`, { key })).json();
    expect(last).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
  });
});

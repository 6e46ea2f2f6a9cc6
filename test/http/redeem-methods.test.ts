import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated } from "../support/http.ts";

const T0 = "2026-01-15T12:00:00.000Z";
const catalog = { type: "catalog", name: "100 email credits", points: 200, grant: { sku: "email-credits", units: 100, validDays: 365 } };
const cashback = { type: "cashback", name: "Points as money", points: 10, amount: 100, maxPointsPerOrder: 500, maxDiscount: { type: "percent", percent: 20 } };

describe("redeem methods: /v1/redeem-methods", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
  });
  afterAll(async () => t.close());

  const create = (body: unknown, key = store.adminKey) => call(t.app, "POST", "/v1/redeem-methods", { key, body });

  describe("CRUD", () => {
    it("creates a catalogue method with defaults filled in", async () => {
      const res = await create(catalog);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        id: expect.stringMatching(/^rm_/),
        ...catalog,
        channels: ["online"],
        enabled: true,
        createdAt: T0,
        updatedAt: T0,
      });
      const got = await call(t.app, "GET", `/v1/redeem-methods/${res.json().id}`, { key: await store.key("viewer") });
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual(res.json());
    });

    it("creates a cashback method", async () => {
      const res = await create({ ...cashback, channels: ["online", "pos"] });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ id: expect.stringMatching(/^rm_/), ...cashback, channels: ["online", "pos"], enabled: true, stackWithDiscounts: true, createdAt: T0, updatedAt: T0 });
    });

    it("lists methods in creation order, paginated", async () => {
      const local = await createTestStore(t.app);
      const ids: string[] = [];
      for (const name of ["one", "two", "three"]) ids.push((await create({ ...catalog, name }, local.adminKey)).json().id);
      const all = (await call(t.app, "GET", "/v1/redeem-methods", { key: local.adminKey })).json();
      expect(all.data.map((m: { name: string }) => m.name)).toEqual(["one", "two", "three"]);
      expect(all.nextCursor).toBeNull();
      const p1 = (await call(t.app, "GET", "/v1/redeem-methods?limit=2", { key: local.adminKey })).json();
      expect(p1.data.map((m: { id: string }) => m.id)).toEqual(ids.slice(0, 2));
      expect(p1.nextCursor).toEqual(expect.any(String));
      const p2 = (await call(t.app, "GET", `/v1/redeem-methods?limit=2&cursor=${p1.nextCursor}`, { key: local.adminKey })).json();
      expect(p2).toEqual({ data: [expect.objectContaining({ id: ids[2], name: "three" })], nextCursor: null });
      expectFieldErrors(await call(t.app, "GET", "/v1/redeem-methods?limit=0", { key: local.adminKey }), ["limit"]);
    });

    it("PATCH merges the fields given into the method", async () => {
      const id = (await create(catalog)).json().id;
      const res = await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { points: 250, enabled: false, description: "Now dearer" } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id, ...catalog, points: 250, enabled: false, description: "Now dearer", channels: ["online"], createdAt: T0, updatedAt: T0 });
      expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key: store.adminKey })).json()).toEqual(res.json());
    });

    it("PATCH cannot change the type: 422 naming type, the method unchanged", async () => {
      const id = (await create(catalog)).json().id;
      const res = await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { type: "cashback", amount: 100 } });
      expectFieldErrors(res, [{ path: "type", message: /cannot become another type/ }]);
      expectFieldErrors(await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { type: "cashback" } }), ["type"]);
      // Naming the same type is allowed.
      expect((await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { type: "catalog", name: "Renamed" } })).json()).toMatchObject({ type: "catalog", name: "Renamed", points: 200 });
      expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key: store.adminKey })).json()).toMatchObject({ type: "catalog", grant: catalog.grant });
    });

    it("PATCH validates the merged method, naming the field, and changes nothing when it fails", async () => {
      const id = (await create(cashback)).json().id;
      expectFieldErrors(await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { points: 0 } }), ["points"]);
      expectFieldErrors(await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { maxDiscount: { type: "percent", percent: 150 } } }), ["maxDiscount.percent"]);
      expectFieldErrors(await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { grant: { sku: "x", units: 1 } } }), ["body"]);
      expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key: store.adminKey })).json()).toMatchObject({ points: 10, maxDiscount: { type: "percent", percent: 20 } });
    });

    it("DELETE removes the method: 204, then 404 everywhere, and it is gone from the list", async () => {
      const local = await createTestStore(t.app);
      const id = (await create(catalog, local.adminKey)).json().id;
      const del = await call(t.app, "DELETE", `/v1/redeem-methods/${id}`, { key: local.adminKey });
      expect(del.statusCode).toBe(204);
      expect(del.body).toBe("");
      for (const [method, body] of [["GET", undefined], ["PATCH", { points: 1 }], ["DELETE", undefined]] as const) {
        const res = await call(t.app, method, `/v1/redeem-methods/${id}`, { key: local.adminKey, body });
        expect(expectProblem(res, 404, "not_found").detail).toBe("redeem method was not found");
      }
      expect((await call(t.app, "GET", "/v1/redeem-methods", { key: local.adminKey })).json()).toEqual({ data: [], nextCursor: null });
    });

    it("deleting a method keeps what it issued usable and stops new redemptions", async () => {
      const local = await createTestStore(t.app);
      const key = local.adminKey;
      await call(t.app, "POST", "/v1/members/m/adjustments", { key, body: { points: 1000, reason: "x" } });
      const id = (await create(catalog, key)).json().id;
      const redemption = (await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "m", methodId: id } })).json();
      expect(redemption).toMatchObject({ status: "completed", points: 200 });
      expect((await call(t.app, "DELETE", `/v1/redeem-methods/${id}`, { key })).statusCode).toBe(204);

      const ents = (await call(t.app, "GET", "/v1/members/m/entitlements", { key })).json().data;
      expect(ents).toEqual([expect.objectContaining({ id: redemption.entitlement.id, sku: "email-credits", units: 100, unitsRemaining: 100 })]);
      const used = await call(t.app, "POST", `/v1/entitlements/${redemption.entitlement.id}/consume`, { key, body: { units: 30 } });
      expect(used.statusCode).toBe(200);
      expect(used.json()).toMatchObject({ unitsRemaining: 70 });
      expect((await call(t.app, "GET", `/v1/redemptions/${redemption.id}`, { key })).json()).toMatchObject({ id: redemption.id, status: "completed", methodId: id });

      const again = await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "m", methodId: id } });
      expectFieldErrors(again, [{ path: "methodId", message: "no such redeem method" }]);
      expect((await call(t.app, "GET", "/v1/members/m", { key })).json().balance).toBe(800);
    });

    it("every change is an audit record with the actor, before and after", async () => {
      const local = await createTestStore(t.app);
      const key = local.adminKey;
      const actor = (await call(t.app, "GET", "/v1/keys", { key })).json().data[0].id;
      const created = (await create(catalog, key)).json();
      await call(t.app, "PATCH", `/v1/redeem-methods/${created.id}`, { key, body: { points: 300 } });
      await call(t.app, "DELETE", `/v1/redeem-methods/${created.id}`, { key });
      const log = (await call(t.app, "GET", "/v1/audit-log", { key })).json().data.filter((r: { entityType: string }) => r.entityType === "redeem_method");
      const config = { ...catalog, channels: ["online"], enabled: true };
      expect(log).toEqual([
        expect.objectContaining({ action: "redeem_method.deleted", entityId: created.id, actor, before: { ...config, points: 300 }, after: null }),
        expect.objectContaining({ action: "redeem_method.updated", entityId: created.id, actor, before: config, after: { ...config, points: 300 } }),
        expect.objectContaining({ action: "redeem_method.created", entityId: created.id, actor, before: null, after: config, at: T0 }),
      ]);
    });
  });

  describe("errors", () => {
    it("POST names every invalid field", async () => {
      expectFieldErrors(await create({ ...catalog, type: "voucher" }), ["type"]);
      expectFieldErrors(await create({ type: "catalog", name: "x", points: 10 }), [{ path: "grant", message: "is required" }]);
      expectFieldErrors(await create({ ...catalog, points: -5, grant: { sku: "", units: 0 } }), ["points", "grant.sku", "grant.units"]);
      expectFieldErrors(await create({ ...cashback, amount: 0, maxDiscount: { type: "fixed" } }), ["amount", "maxDiscount.amount"]);
      expectFieldErrors(await create({ ...cashback, channels: [] }), ["channels"]);
      expectFieldErrors(await create({ ...catalog, color: "red" }), ["body"]);
      expectFieldErrors(await create({}), ["type"]);
      expect((await call(t.app, "GET", "/v1/redeem-methods?limit=500", { key: store.adminKey })).json().data.some((m: { type: string }) => m.type === "voucher")).toBe(false);
    });

    it("an unknown id is 404", async () => {
      expectProblem(await call(t.app, "GET", "/v1/redeem-methods/rm_nope", { key: store.adminKey }), 404, "not_found");
      expectProblem(await call(t.app, "PATCH", "/v1/redeem-methods/rm_nope", { key: store.adminKey, body: { points: 5 } }), 404, "not_found");
      expectProblem(await call(t.app, "DELETE", "/v1/redeem-methods/rm_nope", { key: store.adminKey }), 404, "not_found");
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      const id = (await create(catalog)).json().id;
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/redeem-methods" }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "POST", url: "/v1/redeem-methods", body: catalog }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "GET", url: `/v1/redeem-methods/${id}` }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "PATCH", url: `/v1/redeem-methods/${id}`, body: { points: 1 } }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "DELETE", url: `/v1/redeem-methods/${id}` }, OPERATOR_TOKEN);
      expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key: store.adminKey })).json().points).toBe(200);
    });

    it("viewer and points_manager may read but get 403 on every change", async () => {
      const id = (await create(catalog)).json().id;
      for (const role of ["viewer", "points_manager"] as const) {
        const key = await store.key(role);
        expect((await call(t.app, "GET", "/v1/redeem-methods", { key })).statusCode).toBe(200);
        expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key })).statusCode).toBe(200);
        await expectForbidden(t.app, { method: "POST", url: "/v1/redeem-methods", body: catalog }, key, "admin");
        await expectForbidden(t.app, { method: "PATCH", url: `/v1/redeem-methods/${id}`, body: { points: 1 } }, key, "admin");
        await expectForbidden(t.app, { method: "DELETE", url: `/v1/redeem-methods/${id}` }, key, "admin");
      }
      expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key: store.adminKey })).json()).toMatchObject({ points: 200 });
    });

    it("another store's key gets 404 for this store's methods and never lists them", async () => {
      const a = await createTestStore(t.app);
      const b = await createTestStore(t.app);
      const id = (await create({ ...catalog, name: "A's secret item" }, a.adminKey)).json().id;
      for (const [method, body] of [["GET", undefined], ["PATCH", { points: 1 }], ["DELETE", undefined]] as const) {
        const res = await call(t.app, method, `/v1/redeem-methods/${id}`, { key: b.adminKey, body });
        expectProblem(res, 404, "not_found");
        expect(res.body).not.toContain("secret");
      }
      expect((await call(t.app, "GET", "/v1/redeem-methods", { key: b.adminKey })).json()).toEqual({ data: [], nextCursor: null });
      // B cannot redeem on A's method either.
      await call(t.app, "POST", "/v1/members/m/adjustments", { key: b.adminKey, body: { points: 1000, reason: "x" } });
      expectFieldErrors(await call(t.app, "POST", "/v1/redemptions", { key: b.adminKey, body: { memberId: "m", methodId: id } }), ["methodId"]);
      expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key: a.adminKey })).json()).toMatchObject({ name: "A's secret item", points: 200 });
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      const id = (await create(catalog)).json().id;
      await expectMalformedBodiesRefused(t.app, "POST", "/v1/redeem-methods", store.adminKey);
      await expectMalformedBodiesRefused(t.app, "PATCH", `/v1/redeem-methods/${id}`, store.adminKey);
      expectFieldErrors(await call(t.app, "PATCH", `/v1/redeem-methods/${id}`, { key: store.adminKey, body: { name: "nul\u0000" } }), ["name"]);
      expect((await call(t.app, "GET", `/v1/redeem-methods/${id}`, { key: store.adminKey })).json().name).toBe(catalog.name);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectFieldErrors, expectProblem, expectUnauthenticated } from "../support/http.ts";
import { recordChange } from "../../src/services/audit.ts";

const T0 = "2026-01-15T12:00:00.000Z";

describe("GET /v1/audit-log", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** A store with four settings changes after its creation, and the ids involved. */
  async function setup() {
    const store = await createTestStore(t.app);
    const key = store.adminKey;
    const adminId = (await call(t.app, "GET", "/v1/keys", { key })).json().data[0].id as string;
    const viewerKey = (await call(t.app, "POST", "/v1/keys", { key, body: { name: "Reader", role: "viewer" } })).json();
    await call(t.app, "PATCH", "/v1/program", { key, body: { pointsName: { en: "Coins" } } });
    const method = (await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "catalog", name: "Pack", points: 10, grant: { sku: "p", units: 1 } } })).json();
    await call(t.app, "PATCH", "/v1/redeem-methods/" + method.id, { key, body: { points: 20 } });
    // Ledger movements are not settings changes: they stay out of the audit log.
    await call(t.app, "POST", "/v1/members/m/adjustments", { key, body: { points: 100, reason: "not audited" } });
    await call(t.app, "PUT", "/v1/members/m", { key, body: { email: "m@example.com" } });
    return { store, key, adminId, viewer: viewerKey.key as string, viewerId: viewerKey.id as string, methodId: method.id as string };
  }

  describe("happy paths", () => {
    it("lists settings changes newest first, with who, when, before and after; a viewer may read it", async () => {
      const s = await setup();
      const res = await call(t.app, "GET", "/v1/audit-log", { key: s.viewer });
      expect(res.statusCode).toBe(200);
      const { data, nextCursor } = res.json();
      expect(nextCursor).toBeNull();
      expect(data.map((r: { action: string }) => r.action)).toEqual([
        "redeem_method.updated", "redeem_method.created", "program.updated", "key.created", "key.created",
      ]);
      for (const r of data) expect(r).toEqual(expect.objectContaining({ id: expect.stringMatching(/^aud_/), at: T0 }));
      expect(data[0]).toMatchObject({ actor: s.adminId, entityType: "redeem_method", entityId: s.methodId, before: { points: 10 }, after: { points: 20 } });
      expect(data[2]).toMatchObject({ actor: s.adminId, entityType: "program", entityId: s.store.id, before: { pointsName: { en: "Points" } }, after: { pointsName: { en: "Coins" } } });
      expect(data[3]).toEqual({
        id: expect.any(String), at: T0, actor: s.adminId, action: "key.created", entityType: "api_key", entityId: s.viewerId,
        before: null, after: { id: s.viewerId, name: "Reader", role: "viewer" },
      });
      // The store's first key was made by the operator.
      expect(data[4]).toMatchObject({ actor: "operator", action: "key.created", entityId: s.adminId, after: { id: s.adminId, name: "Initial admin key", role: "admin" } });
      expect(res.body).not.toContain("not audited");
    });

    it("keeps newest first for changes written in one transaction (same millisecond)", async () => {
      // A program import writes several audit records at once; their order must survive.
      const store = await createTestStore(t.app);
      await t.services.tx.run(async (repos) => {
        for (let i = 0; i < 25; i++) {
          await recordChange(repos, store.id, { id: "importer", role: "admin" }, { action: `step.${i}`, entityType: "test", entityId: String(i), before: null, after: { i } }, new Date(T0));
        }
      });
      const data = (await call(t.app, "GET", "/v1/audit-log?limit=25", { key: store.adminKey })).json().data;
      expect(data.map((r: { action: string }) => r.action)).toEqual(Array.from({ length: 25 }, (_, i) => `step.${24 - i}`));
    });

    it("paginates with limit and cursor without overlap", async () => {
      const s = await setup();
      const all = (await call(t.app, "GET", "/v1/audit-log", { key: s.key })).json().data.map((r: { id: string }) => r.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/v1/audit-log?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const page = (await call(t.app, "GET", url, { key: s.key })).json();
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.data.map((r: { id: string }) => r.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(all);
    });
  });

  describe("errors", () => {
    it("refuses a bad limit or cursor, naming it", async () => {
      const s = await setup();
      for (const limit of ["0", "501", "ten"]) expectFieldErrors(await call(t.app, "GET", `/v1/audit-log?limit=${limit}`, { key: s.key }), ["limit"]);
      expectFieldErrors(await call(t.app, "GET", `/v1/audit-log?cursor=${"a".repeat(201)}`, { key: s.key }), ["cursor"]);
      expectFieldErrors(await call(t.app, "GET", "/v1/audit-log?cursor=aud_%00", { key: s.key }), ["cursor"]);
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/audit-log" }, OPERATOR_TOKEN);
    });

    it("a key only sees its own store's audit records", async () => {
      const a = await setup();
      const b = await createTestStore(t.app);
      const res = await call(t.app, "GET", "/v1/audit-log", { key: b.adminKey });
      const data = res.json().data as Array<{ entityId: string; action: string }>;
      expect(data.map((r) => r.action)).toEqual(["key.created"]);
      for (const id of [a.store.id, a.methodId, a.adminId, a.viewerId]) expect(res.body).not.toContain(id);
      // A's cursor does not open A's records to B.
      const aFirst = (await call(t.app, "GET", "/v1/audit-log?limit=1", { key: a.key })).json();
      const viaCursor = await call(t.app, "GET", `/v1/audit-log?cursor=${encodeURIComponent(aFirst.nextCursor)}`, { key: b.adminKey });
      for (const id of [a.store.id, a.methodId, a.viewerId]) expect(viaCursor.body).not.toContain(id);
    });

    it("every role can read it (viewer is the lowest role, so there is no 403 case)", async () => {
      const s = await setup();
      const manager = (await call(t.app, "POST", "/v1/keys", { key: s.key, body: { name: "pm", role: "points_manager" } })).json().key;
      for (const key of [s.viewer, manager, s.key]) expect((await call(t.app, "GET", "/v1/audit-log", { key })).statusCode).toBe(200);
      // A read never writes: the log is the same before and after.
      const before = (await call(t.app, "GET", "/v1/audit-log", { key: s.key })).json();
      await call(t.app, "GET", "/v1/audit-log", { key: s.viewer });
      expect((await call(t.app, "GET", "/v1/audit-log", { key: s.key })).json()).toEqual(before);
    });

    it("it is read-only: writing methods are not routes", async () => {
      const s = await setup();
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const res = await call(t.app, method, "/v1/audit-log", { key: s.key, body: method === "DELETE" ? undefined : {} });
        expectProblem(res, 404, "not_found");
      }
    });
  });
});

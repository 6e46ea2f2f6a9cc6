import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated } from "../support/http.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("POST /v1/keys and GET /v1/keys", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app, { name: "Keys store" });
  });
  afterAll(async () => t.close());

  describe("happy paths", () => {
    it("creates a key shown once, with the role asked for", async () => {
      const res = await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: "Back office", role: "viewer" } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        id: expect.stringMatching(/^key_[0-9a-z]+$/),
        name: "Back office",
        role: "viewer",
        key: expect.stringMatching(new RegExp(`^pb_${store.id}_[0-9a-z]{32}$`)),
        createdAt: "2026-01-15T12:00:00.000Z",
      });
    });

    it("lists the store's keys with their roles and creators but never a secret", async () => {
      const local = await createTestStore(t.app);
      const created = await call(t.app, "POST", "/v1/keys", { key: local.adminKey, body: { name: "Storefront", role: "points_manager" } });
      const list = await call(t.app, "GET", "/v1/keys", { key: local.adminKey });
      expect(list.statusCode).toBe(200);
      const admin = list.json().data.find((k: { name: string }) => k.name === "Initial admin key");
      expect(list.json()).toEqual({
        data: [
          { id: admin.id, name: "Initial admin key", role: "admin", createdBy: "operator", createdAt: "2026-01-15T12:00:00.000Z", revokedAt: null },
          { id: created.json().id, name: "Storefront", role: "points_manager", createdBy: admin.id, createdAt: "2026-01-15T12:00:00.000Z", revokedAt: null },
        ],
        nextCursor: null,
      });
      expect(list.body).not.toContain(created.json().key);
      expect(list.body).not.toContain(local.adminKey);
    });

    it("a new key works with exactly its role", async () => {
      const mk = async (role: string) => (await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: role, role } })).json().key as string;
      const viewer = await mk("viewer");
      const manager = await mk("points_manager");
      const admin = await mk("admin");

      // viewer: reads, nothing else
      expect((await call(t.app, "GET", "/v1/program", { key: viewer })).statusCode).toBe(200);
      expectProblem(await call(t.app, "PUT", "/v1/members/k1", { key: viewer, body: {} }), 403, "forbidden");
      // points_manager: adjustments, not settings or keys
      expect((await call(t.app, "POST", "/v1/members/k1/adjustments", { key: manager, body: { points: 5, reason: "test" } })).statusCode).toBe(201);
      expectProblem(await call(t.app, "PATCH", "/v1/program", { key: manager, body: { enabled: true } }), 403, "forbidden");
      expectProblem(await call(t.app, "POST", "/v1/keys", { key: manager, body: { name: "x", role: "viewer" } }), 403, "forbidden");
      // admin: everything, including more keys
      expect((await call(t.app, "PATCH", "/v1/program", { key: admin, body: { pointsName: { en: "Stars" } } })).statusCode).toBe(200);
      const third = await call(t.app, "POST", "/v1/keys", { key: admin, body: { name: "from the new admin", role: "viewer" } });
      expect(third.statusCode).toBe(201);
      // The key's creator is recorded as the key that made it.
      const list = (await call(t.app, "GET", "/v1/keys", { key: admin })).json().data as Array<{ id: string; name: string; createdBy: string }>;
      const adminId = list.find((k) => k.name === "admin")!.id;
      expect(list.find((k) => k.name === "from the new admin")!.createdBy).toBe(adminId);
    });

    it("pages the key list oldest first with limit and cursor", async () => {
      const local = await createTestStore(t.app);
      for (const name of ["k1", "k2", "k3"]) await call(t.app, "POST", "/v1/keys", { key: local.adminKey, body: { name, role: "viewer" } });
      const first = (await call(t.app, "GET", "/v1/keys?limit=2", { key: local.adminKey })).json();
      expect(first.data.map((k: { name: string }) => k.name)).toEqual(["Initial admin key", "k1"]);
      const rest = (await call(t.app, "GET", `/v1/keys?limit=2&cursor=${first.nextCursor}`, { key: local.adminKey })).json();
      expect(rest.data.map((k: { name: string }) => k.name)).toEqual(["k2", "k3"]);
      expect(rest.nextCursor).toBeNull();
    });

    it("stores keys hashed: no table row holds the key text, api_keys holds its SHA-256", async () => {
      const local = await createTestStore(t.app);
      const res = await call(t.app, "POST", "/v1/keys", { key: local.adminKey, body: { name: "Hashed", role: "admin" } });
      const { key, id } = res.json();
      const rows = await t.db.query<Record<string, unknown>>("SELECT * FROM api_keys WHERE store_id = $1", [local.id]);
      expect(rows).toHaveLength(2);
      const dump = JSON.stringify(rows);
      for (const secret of [key, local.adminKey]) {
        expect(dump).not.toContain(secret);
        // not even the random part on its own
        expect(dump).not.toContain(secret.slice(-32));
      }
      expect(rows.find((r) => r.id === id)!.key_hash).toBe(sha256(key));
      expect(rows.map((r) => r.key_hash).sort()).toEqual([sha256(key), sha256(local.adminKey)].sort());
      // The audit record of the key creation names the key, not its secret.
      const audit = JSON.stringify(await t.db.query("SELECT * FROM audit_log WHERE store_id = $1", [local.id]));
      expect(audit).toContain(id);
      expect(audit).not.toContain(key.slice(-32));
      expect(audit).not.toContain(local.adminKey.slice(-32));
    });

    it("records key creation in the audit log", async () => {
      const local = await createTestStore(t.app);
      const res = await call(t.app, "POST", "/v1/keys", { key: local.adminKey, body: { name: "Audited", role: "points_manager" } });
      const log = (await call(t.app, "GET", "/v1/audit-log", { key: local.adminKey })).json().data;
      expect(log[0]).toMatchObject({
        action: "key.created", entityType: "api_key", entityId: res.json().id,
        before: null, after: { id: res.json().id, name: "Audited", role: "points_manager" },
      });
    });

    it("honours Idempotency-Key: a retry creates no second key, and the secret is never stored for replay", async () => {
      const local = await createTestStore(t.app);
      const headers = { "idempotency-key": "key-1" };
      const first = await call(t.app, "POST", "/v1/keys", { key: local.adminKey, body: { name: "Retry", role: "viewer" }, headers });
      const again = await call(t.app, "POST", "/v1/keys", { key: local.adminKey, body: { name: "Retry", role: "viewer" }, headers });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(first.json().key).toMatch(/^pb_st_/);
      expect(again.json()).toEqual({ ...first.json(), key: null });
      const stored = await t.db.query<{ response: unknown }>("SELECT response FROM idempotency WHERE store_id = $1 AND key = 'key-1'", [local.id]);
      expect(JSON.stringify(stored)).not.toContain(first.json().key);
      const list = (await call(t.app, "GET", "/v1/keys", { key: local.adminKey })).json().data;
      expect(list.filter((k: { name: string }) => k.name === "Retry")).toHaveLength(1);
      expectProblem(await call(t.app, "POST", "/v1/keys", { key: local.adminKey, body: { name: "Retry", role: "admin" }, headers }), 409, "idempotency_conflict");
    });
  });

  describe("errors", () => {
    it("names the invalid fields", async () => {
      expectFieldErrors(await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: "", role: "owner" } }), ["name", "role"]);
      expectFieldErrors(await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: {} }), [
        { path: "name", message: "is required" },
        { path: "role" },
      ]);
      expectFieldErrors(await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: "x".repeat(201), role: "viewer" } }), ["name"]);
      expectFieldErrors(await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: "x", role: "viewer", storeId: "st_other" } }), ["body"]);
    });

    it("an Idempotency-Key longer than 255 characters is refused", async () => {
      const res = await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: "x", role: "viewer" }, headers: { "idempotency-key": "k".repeat(256) } });
      expectFieldErrors(res, ["Idempotency-Key"]);
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      await expectUnauthenticated(t.app, { method: "POST", url: "/v1/keys", body: { name: "x", role: "admin" } }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/keys" }, OPERATOR_TOKEN);
    });

    it("viewer and points_manager keys get 403 forbidden and cannot mint keys", async () => {
      for (const role of ["viewer", "points_manager"] as const) {
        const key = await store.key(role);
        await expectForbidden(t.app, { method: "POST", url: "/v1/keys", body: { name: "escalate", role: "admin" } }, key, "admin");
        await expectForbidden(t.app, { method: "GET", url: "/v1/keys" }, key, "admin");
      }
      const list = (await call(t.app, "GET", "/v1/keys", { key: store.adminKey })).json().data;
      expect(list.some((k: { name: string }) => k.name === "escalate")).toBe(false);
    });

    it("a key of another store sees only its own store's keys, and its keys do not open this store", async () => {
      const a = await createTestStore(t.app, { name: "A" });
      const b = await createTestStore(t.app, { name: "B" });
      const aKey = (await call(t.app, "POST", "/v1/keys", { key: a.adminKey, body: { name: "only in A", role: "viewer" } })).json();
      const bList = (await call(t.app, "GET", "/v1/keys", { key: b.adminKey })).json();
      expect(bList.data.map((k: { name: string }) => k.name)).toEqual(["Initial admin key"]);
      expect(JSON.stringify(bList)).not.toContain(aKey.id);
      // A key made by B's admin belongs to B.
      const bKey = (await call(t.app, "POST", "/v1/keys", { key: b.adminKey, body: { name: "in B", role: "viewer" } })).json().key as string;
      expect(bKey.startsWith(`pb_${b.id}_`)).toBe(true);
      expect((await call(t.app, "GET", "/v1/store", { key: bKey })).json().id).toBe(b.id);
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      await expectMalformedBodiesRefused(t.app, "POST", "/v1/keys", store.adminKey);
    });
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { WRONG_KEY, expectFieldErrors, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated, rawCall } from "../support/http.ts";

const valid = { name: "Acme Outfitters", currency: "EUR", timezone: "Europe/Berlin" };
/** On PostgreSQL the database outlives a run and is shared by parallel files: name what this run makes. */
const run = randomUUID();
const storesNamed = async (t: TestApp, name: string) =>
  Number((await t.db.query<{ n: number | string }>("SELECT count(*) AS n FROM stores WHERE name = $1", [name]))[0]!.n);

describe("POST /v1/stores and GET /v1/store", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  describe("happy paths", () => {
    it("creates a store on wall time with its first admin key", async () => {
      const res = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: valid });
      expect(res.statusCode).toBe(201);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      const body = res.json();
      expect(body).toEqual({
        id: expect.stringMatching(/^st_[0-9a-z]+$/),
        name: "Acme Outfitters",
        currency: "EUR",
        timezone: "Europe/Berlin",
        sandbox: false,
        createdAt: "2026-01-15T12:00:00.000Z",
        apiKey: expect.stringMatching(new RegExp(`^pb_${body.id}_[0-9a-z]{32}$`)),
      });

      // The first key is an admin key of that store: it can read the store and create keys.
      const me = await call(t.app, "GET", "/v1/store", { key: body.apiKey });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual({ id: body.id, name: "Acme Outfitters", currency: "EUR", timezone: "Europe/Berlin", sandbox: false, createdAt: "2026-01-15T12:00:00.000Z" });
      const keys = await call(t.app, "GET", "/v1/keys", { key: body.apiKey });
      expect(keys.json().data).toEqual([{ id: expect.stringMatching(/^key_/), name: "Initial admin key", role: "admin", createdBy: "operator", createdAt: "2026-01-15T12:00:00.000Z", revokedAt: null }]);
    });

    it("creates a sandbox store whose clock starts at the given instant (any offset, stored as UTC)", async () => {
      const res = await call(t.app, "POST", "/v1/stores", {
        key: OPERATOR_TOKEN,
        body: { name: "Sandbox", currency: "TWD", timezone: "Asia/Taipei", sandbox: true, clock: "2020-12-01T09:30:00+08:00" },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ sandbox: true, clock: "2020-12-01T01:30:00.000Z", currency: "TWD", timezone: "Asia/Taipei" });
      const me = await call(t.app, "GET", "/v1/store", { key: res.json().apiKey });
      expect(me.json()).toMatchObject({ sandbox: true, clock: "2020-12-01T01:30:00.000Z" });
    });

    it("a sandbox store without a clock starts at now", async () => {
      const res = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, sandbox: true } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ sandbox: true, clock: "2026-01-15T12:00:00.000Z" });
    });

    it("every role can read its own store", async () => {
      const store = await createTestStore(t.app, { name: "Roles" });
      for (const role of ["viewer", "points_manager", "admin"] as const) {
        const res = await call(t.app, "GET", "/v1/store", { key: await store.key(role) });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ id: store.id, name: "Roles", clock: "2026-01-15T12:00:00.000Z" });
      }
    });

    it("honours Idempotency-Key: a retried creation returns the same store instead of a second one", async () => {
      const headers = { "idempotency-key": `create-store-${run}` };
      const name = `Once ${run}`;
      const first = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, name }, headers });
      expect(first.statusCode).toBe(201);
      expect(first.headers["idempotent-replayed"]).toBeUndefined();
      const again = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, name }, headers });
      expect(again.statusCode).toBe(201);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      // The admin key is shown once: a replay has the store, not the secret.
      expect(again.json()).toEqual({ ...first.json(), apiKey: null });
      expect(await storesNamed(t, name)).toBe(1);
      const other = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, name: `Twice ${run}` }, headers });
      expectProblem(other, 409, "idempotency_conflict");
    });
  });

  describe("errors", () => {
    it("names every invalid field: currency, timezone, clock, name", async () => {
      const res = await call(t.app, "POST", "/v1/stores", {
        key: OPERATOR_TOKEN,
        body: { name: "", currency: "usd", timezone: "Mars/Olympus_Mons", sandbox: true, clock: "yesterday" },
      });
      expectFieldErrors(res, [
        { path: "name" },
        { path: "currency", message: "an ISO 4217 code such as USD" },
        { path: "timezone", message: "not an IANA time zone" },
        { path: "clock" },
      ]);
    });

    it("requires name, currency and timezone", async () => {
      const res = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: {} });
      expectFieldErrors(res, [
        { path: "name", message: "is required" },
        { path: "currency", message: "is required" },
        { path: "timezone", message: "is required" },
      ]);
    });

    it("refuses currencies that are not three capital letters", async () => {
      for (const currency of ["US", "USDT", "U$D", 840]) {
        expectFieldErrors(await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, currency } }), ["currency"]);
      }
    });

    it("refuses a clock on a store that is not a sandbox", async () => {
      const res = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, clock: "2026-01-01T00:00:00Z" } });
      expectFieldErrors(res, [{ path: "clock", message: "only sandbox stores have their own clock" }]);
    });

    it("refuses a clock without an offset and unknown fields", async () => {
      expectFieldErrors(await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, sandbox: true, clock: "2026-01-01T00:00:00" } }), ["clock"]);
      expectFieldErrors(await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, sandbox: "yes" } }), ["sandbox"]);
      const extra = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, owner: "me" } });
      expectFieldErrors(extra, ["body"]);
      expect(extra.json().errors[0].message).toContain("owner");
    });

    it("nothing is created when validation fails", async () => {
      const name = `Invalid ${run}`;
      expectFieldErrors(await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, name, timezone: "Nowhere/Land" } }), ["timezone"]);
      expect(await storesNamed(t, name)).toBe(0);
    });
  });

  describe("security", () => {
    it("POST /v1/stores needs the operator token: none, a wrong one, or a store's admin key get 401", async () => {
      for (const authorization of [undefined, "Bearer wrong-operator-token", `Bearer ${OPERATOR_TOKEN}x`, `Bearer ${WRONG_KEY}`, `Basic ${OPERATOR_TOKEN}`, OPERATOR_TOKEN]) {
        const res = await t.app.inject({ method: "POST", url: "/v1/stores", headers: authorization ? { authorization } : {}, payload: valid });
        const body = expectProblem(res, 401, "unauthorized");
        expect(body.title).toBe("Authentication required");
      }
      const store = await createTestStore(t.app);
      const res = await call(t.app, "POST", "/v1/stores", { key: store.adminKey, body: valid });
      expectProblem(res, 401, "unauthorized");
    });

    it("an unauthenticated request creates nothing, even with a valid body", async () => {
      const name = `Unauthenticated ${run}`;
      expectProblem(await call(t.app, "POST", "/v1/stores", { key: null, body: { ...valid, name } }), 401, "unauthorized");
      expectProblem(await call(t.app, "POST", "/v1/stores", { key: "wrong", body: { ...valid, name } }), 401, "unauthorized");
      expect(await storesNamed(t, name)).toBe(0);
    });

    it("GET /v1/store refuses a missing or invalid key and the operator token", async () => {
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/store" }, OPERATOR_TOKEN);
    });

    it("POST /v1/stores is the operator's: no store key of any role reaches it", async () => {
      const store = await createTestStore(t.app);
      // The operator route only knows the operator token; a store key is simply not it.
      for (const role of ["viewer", "points_manager"] as const) {
        expectProblem(await call(t.app, "POST", "/v1/stores", { key: await store.key(role), body: valid }), 401, "unauthorized");
      }
    });

    it("a key only ever sees its own store", async () => {
      const a = await createTestStore(t.app, { name: "Store A" });
      const b = await createTestStore(t.app, { name: "Store B", currency: "JPY" });
      const seenByA = (await call(t.app, "GET", "/v1/store", { key: a.adminKey })).json();
      const seenByB = (await call(t.app, "GET", "/v1/store", { key: b.adminKey })).json();
      expect(seenByA).toMatchObject({ id: a.id, name: "Store A", currency: "USD" });
      expect(seenByB).toMatchObject({ id: b.id, name: "Store B", currency: "JPY" });
      // A key is bound to its store: a key of A with B's store id swapped in is not a key of B.
      const forged = a.adminKey.replace(a.id, b.id);
      expectProblem(await call(t.app, "GET", "/v1/store", { key: forged }), 401, "unauthorized");
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      await expectMalformedBodiesRefused(t.app, "POST", "/v1/stores", OPERATOR_TOKEN);
      const big = await rawCall(t.app, "POST", "/v1/stores", OPERATOR_TOKEN, JSON.stringify({ ...valid, name: "x".repeat(2 * 1024 * 1024) }));
      expectProblem(big, 413, "body_too_large");
      const nul = await call(t.app, "POST", "/v1/stores", { key: OPERATOR_TOKEN, body: { ...valid, name: "bad\u0000name" } });
      expectFieldErrors(nul, ["name"]);
    });
  });
});

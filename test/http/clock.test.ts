import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated } from "../support/http.ts";
import { awardPoints } from "../../src/services/awards.ts";

const advance = (t: TestApp, key: string, to: string, headers?: Record<string, string>) => call(t.app, "POST", "/v1/clock/advance", { key, body: { to }, headers });

describe("POST /v1/clock/advance", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** Pending points the way the rule engine credits them (an order award with a delay). */
  async function awardPending(store: TestStore, memberId: string, points: number, availableAt: string) {
    await t.services.tx.run((repos) =>
      awardPoints(repos, t.services, store.id, {
        memberId, points, earnedAt: new Date("2026-01-15T12:00:00Z"), availableAt: new Date(availableAt),
        validity: { type: "never" }, source: { type: "order", ref: `order-${memberId}` },
      }, { id: "system", role: "system" }),
    );
  }
  const member = async (store: TestStore, id: string) => (await call(t.app, "GET", `/v1/members/${id}`, { key: store.adminKey })).json();

  describe("happy paths", () => {
    it("moves the sandbox clock forward and reports the new now", async () => {
      const store = await createTestStore(t.app);
      const res = await advance(t, store.adminKey, "2026-02-01T00:00:00+01:00");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ now: "2026-01-31T23:00:00.000Z", ran: { matured: 0, released: 0, expired: 0, reminded: 0 } });
      expect((await call(t.app, "GET", "/v1/store", { key: store.adminKey })).json().clock).toBe("2026-01-31T23:00:00.000Z");
      // New activity happens at the store's time.
      const entry = (await call(t.app, "POST", "/v1/members/m/adjustments", { key: store.adminKey, body: { points: 1, reason: "x" } })).json();
      expect(entry.at).toBe("2026-01-31T23:00:00.000Z");
    });

    it("pending points mature when the clock reaches their availableAt", async () => {
      const store = await createTestStore(t.app);
      await awardPending(store, "p", 120, "2026-01-18T12:00:00Z");
      expect(await member(store, "p")).toMatchObject({ balance: 0, pending: 120 });
      // a pending-points member cannot spend them yet
      expectProblem(await call(t.app, "POST", "/v1/members/p/adjustments", { key: store.adminKey, body: { points: -1, reason: "x" } }), 409, "insufficient_points");

      expect((await advance(t, store.adminKey, "2026-01-18T11:59:59Z")).json().ran).toEqual({ matured: 0, released: 0, expired: 0, reminded: 0 });
      expect(await member(store, "p")).toMatchObject({ balance: 0, pending: 120 });
      const res = await advance(t, store.adminKey, "2026-01-18T12:00:00Z");
      expect(res.json()).toEqual({ now: "2026-01-18T12:00:00.000Z", ran: { matured: 1, released: 0, expired: 0, reminded: 0 } });
      expect(await member(store, "p")).toMatchObject({ balance: 120, pending: 0 });
      const activity = (await call(t.app, "GET", "/v1/members/p/activity", { key: store.adminKey })).json().data;
      expect(activity[0]).toMatchObject({ type: "mature", points: 120, balanceAfter: 120, at: "2026-01-18T12:00:00.000Z", actor: "system" });
    });

    it("counts what it ran: matured, released, expired and reminded, across members, once", async () => {
      const store = await createTestStore(t.app);
      const key = store.adminKey;
      // c: never-expiring points, then a cashback hold that times out after 30 minutes
      await call(t.app, "POST", "/v1/members/c/adjustments", { key, body: { points: 100, reason: "x" } });
      const method = (await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "cashback", name: "cb", points: 10, amount: 100 } })).json().id;
      const hold = (await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "c", methodId: method, points: 50, orderId: "o-c", cart: { lines: [{ sku: "tee", quantity: 1, amount: 500 }] } } })).json();
      // b: 50 points valid 1 day; r: 30 points valid 9 days with a 7-day reminder
      await call(t.app, "PATCH", "/v1/program", { key, body: { validity: { type: "rolling", days: 1 } } });
      await call(t.app, "POST", "/v1/members/b/adjustments", { key, body: { points: 50, reason: "x" } });
      await call(t.app, "PATCH", "/v1/program", { key, body: { validity: { type: "rolling", days: 9 }, expiryReminderDays: 7 } });
      await call(t.app, "POST", "/v1/members/r/adjustments", { key, body: { points: 30, reason: "x" } });
      // a: 100 pending points available in 2 days, and a second pending lot later
      await awardPending(store, "a", 100, "2026-01-17T12:00:00Z");
      await awardPending(store, "a", 5, "2026-01-17T13:00:00Z");

      const res = await advance(t, key, "2026-01-18T12:00:00Z");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ now: "2026-01-18T12:00:00.000Z", ran: { matured: 2, released: 1, expired: 1, reminded: 1 } });

      expect(await member(store, "a")).toMatchObject({ balance: 105, pending: 0 });
      expect(await member(store, "b")).toMatchObject({ balance: 0 });
      expect((await call(t.app, "GET", "/v1/members/b/activity", { key })).json().data[0]).toMatchObject({ type: "expire", points: -50, balanceAfter: 0, at: "2026-01-16T12:00:00.000Z" });
      expect(await member(store, "c")).toMatchObject({ balance: 100, held: 0 });
      expect((await call(t.app, "GET", `/v1/redemptions/${hold.id}`, { key })).json().status).toBe("released");
      expect(await member(store, "r")).toMatchObject({ balance: 30, expiring: [{ expiresAt: "2026-01-24T12:00:00.000Z", points: 30 }] });
      const reminders = await t.db.query<{ member_id: string; payload: { points: number; balance: number } }>("SELECT member_id, payload FROM outbox WHERE store_id = $1 AND topic = 'member.points_expiring'", [store.id]);
      expect(reminders.map((r) => [r.member_id, r.payload.points, r.payload.balance])).toEqual([["r", 30, 30]]);

      // Advancing to the same instant again is allowed and finds nothing left to do.
      expect((await advance(t, key, "2026-01-18T12:00:00Z")).json()).toEqual({ now: "2026-01-18T12:00:00.000Z", ran: { matured: 0, released: 0, expired: 0, reminded: 0 } });
    });

    it("a replayed advance (Idempotency-Key) returns the first result", async () => {
      const store = await createTestStore(t.app);
      await awardPending(store, "i", 10, "2026-01-16T12:00:00Z");
      const headers = { "idempotency-key": "tick-1" };
      const first = await advance(t, store.adminKey, "2026-01-17T00:00:00Z", headers);
      const again = await advance(t, store.adminKey, "2026-01-17T00:00:00Z", headers);
      expect(first.json().ran.matured).toBe(1);
      expect(again.statusCode).toBe(200);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(again.json()).toEqual(first.json());
      expectProblem(await advance(t, store.adminKey, "2026-01-18T00:00:00Z", headers), 409, "idempotency_conflict");
    });
  });

  describe("errors", () => {
    it("a store that is not a sandbox gets 409 not_sandbox and keeps wall time", async () => {
      const store = await createTestStore(t.app, { sandbox: false, clock: undefined });
      const res = await advance(t, store.adminKey, "2030-01-01T00:00:00Z");
      const body = expectProblem(res, 409, "not_sandbox");
      expect(body.detail).toBe("only sandbox stores have a clock to advance");
      const entry = (await call(t.app, "POST", "/v1/members/m/adjustments", { key: store.adminKey, body: { points: 1, reason: "x" } })).json();
      expect(entry.at).toBe("2026-01-15T12:00:00.000Z");
    });

    it("never moves backwards: 422 clock_backwards naming to, the clock unchanged", async () => {
      const store = await createTestStore(t.app);
      await advance(t, store.adminKey, "2026-03-01T00:00:00Z");
      const res = await advance(t, store.adminKey, "2026-02-28T23:59:59.999Z");
      const body = expectProblem(res, 422, "clock_backwards");
      expect(body.detail).toBe("the clock is at 2026-03-01T00:00:00.000Z and never moves back");
      expect(body.errors).toEqual([{ path: "to", message: "must not be before the store's current time" }]);
      expect((await call(t.app, "GET", "/v1/store", { key: store.adminKey })).json().clock).toBe("2026-03-01T00:00:00.000Z");
    });

    it("to must be an ISO instant with an offset", async () => {
      const store = await createTestStore(t.app);
      for (const to of ["tomorrow", "2026-02-01", "2026-02-01T00:00:00", 1767225600000, null]) {
        expectFieldErrors(await call(t.app, "POST", "/v1/clock/advance", { key: store.adminKey, body: { to } }), ["to"]);
      }
      expectFieldErrors(await call(t.app, "POST", "/v1/clock/advance", { key: store.adminKey, body: {} }), [{ path: "to", message: "is required" }]);
      expectFieldErrors(await call(t.app, "POST", "/v1/clock/advance", { key: store.adminKey, body: { to: "2026-02-01T00:00:00Z", by: "1d" } }), ["body"]);
      expect((await call(t.app, "GET", "/v1/store", { key: store.adminKey })).json().clock).toBe("2026-01-15T12:00:00.000Z");
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      await expectUnauthenticated(t.app, { method: "POST", url: "/v1/clock/advance", body: { to: "2027-01-01T00:00:00Z" } }, OPERATOR_TOKEN);
    });

    it("viewer and points_manager get 403 and the clock stays", async () => {
      const store = await createTestStore(t.app);
      for (const role of ["viewer", "points_manager"] as const) {
        await expectForbidden(t.app, { method: "POST", url: "/v1/clock/advance", body: { to: "2027-01-01T00:00:00Z" } }, await store.key(role), "admin");
      }
      expect((await call(t.app, "GET", "/v1/store", { key: store.adminKey })).json().clock).toBe("2026-01-15T12:00:00.000Z");
    });

    it("a store's advance moves only its own clock and runs only its own due work", async () => {
      const a = await createTestStore(t.app);
      const b = await createTestStore(t.app);
      await awardPending(a, "x", 10, "2026-01-16T12:00:00Z");
      const res = await advance(t, b.adminKey, "2026-02-01T00:00:00Z");
      expect(res.json().ran).toEqual({ matured: 0, released: 0, expired: 0, reminded: 0 });
      expect((await call(t.app, "GET", "/v1/store", { key: a.adminKey })).json().clock).toBe("2026-01-15T12:00:00.000Z");
      expect(await member(a, "x")).toMatchObject({ balance: 0, pending: 10 });
      expectProblem(await call(t.app, "GET", "/v1/members/x", { key: b.adminKey }), 404, "not_found");
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      const store = await createTestStore(t.app);
      await expectMalformedBodiesRefused(t.app, "POST", "/v1/clock/advance", store.adminKey);
      expect((await call(t.app, "GET", "/v1/store", { key: store.adminKey })).json().clock).toBe("2026-01-15T12:00:00.000Z");
    });
  });
});

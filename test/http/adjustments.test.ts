import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated } from "../support/http.ts";
import { feedSettled } from "../support/feed.ts";

const T0 = "2026-01-15T12:00:00.000Z";

describe("adjustments: POST /v1/members/{memberId}/adjustments and POST /v1/adjustments/bulk", () => {
  let t: TestApp;
  let store: TestStore;
  let manager: string;
  let managerId: string;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
    manager = await store.key("points_manager");
    managerId = (await call(t.app, "GET", "/v1/keys", { key: store.adminKey })).json().data.find((k: { role: string }) => k.role === "points_manager").id;
  });
  afterAll(async () => t.close());

  const adjust = (memberId: string, body: unknown, key = manager, headers?: Record<string, string>) =>
    call(t.app, "POST", `/v1/members/${memberId}/adjustments`, { key, body, headers });
  const member = async (memberId: string, key = store.adminKey) => (await call(t.app, "GET", `/v1/members/${memberId}`, { key })).json();
  const activity = async (memberId: string, key = store.adminKey) => (await call(t.app, "GET", `/v1/members/${memberId}/activity`, { key })).json().data;

  describe("single adjustments", () => {
    it("adds points: 201 with the entry, a new member is created on first sight", async () => {
      const res = await adjust("add-1", { points: 250, reason: "Welcome gift" });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        id: expect.stringMatching(/^ent_/),
        type: "adjust",
        points: 250,
        balanceAfter: 250,
        at: T0,
        reason: "Welcome gift",
        actor: managerId,
        source: { type: "adjustment", ref: null },
        lotId: expect.stringMatching(/^lot_/),
      });
      expect(await member("add-1")).toMatchObject({ memberId: "add-1", balance: 250, pending: 0, expiring: [] });
      expect(await activity("add-1")).toEqual([res.json()]);
    });

    it("deducts points with a negative amount", async () => {
      await adjust("ded-1", { points: 100, reason: "start" });
      const res = await adjust("ded-1", { points: -40, reason: "Returned item" });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ type: "adjust", points: -40, balanceAfter: 60, reason: "Returned item", actor: managerId });
      // down to exactly zero is allowed
      expect((await adjust("ded-1", { points: -60, reason: "All of it" })).json()).toMatchObject({ points: -60, balanceAfter: 0 });
      expect(await member("ded-1")).toMatchObject({ balance: 0 });
      expect((await activity("ded-1")).map((e: { points: number; balanceAfter: number }) => [e.points, e.balanceAfter])).toEqual([[-60, 0], [-40, 60], [100, 100]]);
    });

    it("an added lot takes the program's validity", async () => {
      const local = await createTestStore(t.app);
      await call(t.app, "PATCH", "/v1/program", { key: local.adminKey, body: { validity: { type: "rolling", days: 10 } } });
      await call(t.app, "POST", "/v1/members/v/adjustments", { key: local.adminKey, body: { points: 30, reason: "x" } });
      expect(await member("v", local.adminKey)).toMatchObject({ balance: 30, expiring: [{ expiresAt: "2026-01-25T12:00:00.000Z", points: 30 }] });
    });

    it("the reason is trimmed and may be up to 500 characters", async () => {
      expect((await adjust("r-1", { points: 1, reason: "  padded  " })).json().reason).toBe("padded");
      const long = "é".repeat(500);
      expect((await adjust("r-1", { points: 1, reason: long })).json().reason).toBe(long);
    });

    it("each adjustment is announced as member.points_changed, carrying the channels it asked for", async () => {
      const local = await createTestStore(t.app);
      const key = local.adminKey;
      await call(t.app, "PUT", "/v1/members/n1", { key, body: { email: "n1@example.com", phone: "+15550101" } });
      await call(t.app, "POST", "/v1/members/n1/adjustments", { key, body: { points: 10, reason: "a" } });
      await call(t.app, "POST", "/v1/members/n1/adjustments", { key, body: { points: 20, reason: "b", notify: { email: false, sms: true } } });
      await call(t.app, "POST", "/v1/members/n1/adjustments", { key, body: { points: 30, reason: "c", notify: { email: false } } });
      await call(t.app, "POST", "/v1/members/n1/adjustments", { key, body: { points: -5, reason: "d", notify: { email: true, sms: true } } });
      await feedSettled(t.db, local.id);
      const feed = await call(t.app, "GET", "/v1/event-feed?type=member.points_changed&memberId=n1", { key });
      expect(feed.statusCode).toBe(200);
      const events = feed.json().data as Array<{ type: string; memberId: string; data: { entryType: string; points: number; balance: number; reason: string; notify?: unknown } }>;
      expect(events.map((e) => [e.data.entryType, e.data.points, e.data.balance, e.data.reason, e.data.notify ?? null])).toEqual([
        ["adjust", 10, 10, "a", null],
        ["adjust", 20, 30, "b", { email: false, sms: true }],
        ["adjust", 30, 60, "c", { email: false }],
        ["adjust", -5, 55, "d", { email: true, sms: true }],
      ]);
    });
  });

  describe("single adjustment errors", () => {
    it("the reason is required and 1–500 characters", async () => {
      expectFieldErrors(await adjust("e-1", { points: 10 }), [{ path: "reason", message: "is required" }]);
      expectFieldErrors(await adjust("e-1", { points: 10, reason: "" }), ["reason"]);
      expectFieldErrors(await adjust("e-1", { points: 10, reason: "    " }), ["reason"]);
      expectFieldErrors(await adjust("e-1", { points: 10, reason: "x".repeat(501) }), ["reason"]);
      expectFieldErrors(await adjust("e-1", { points: 10, reason: 42 }), ["reason"]);
      expectProblem(await call(t.app, "GET", "/v1/members/e-1", { key: store.adminKey }), 404, "not_found");
    });

    it("zero, fractional, missing or non-numeric points are refused naming points", async () => {
      expectFieldErrors(await adjust("e-2", { points: 0, reason: "x" }), [{ path: "points", message: "must not be zero" }]);
      expectFieldErrors(await adjust("e-2", { points: 1.5, reason: "x" }), ["points"]);
      expectFieldErrors(await adjust("e-2", { points: "10", reason: "x" }), ["points"]);
      expectFieldErrors(await adjust("e-2", { reason: "x" }), [{ path: "points", message: "is required" }]);
      expectFieldErrors(await adjust("e-2", { points: 2_000_000_000, reason: "x" }), ["points"]);
      expectFieldErrors(await adjust("e-2", { points: 5, reason: "x", notify: { email: "yes" } }), ["notify.email"]);
      expectFieldErrors(await adjust("e-2", { points: 5, reason: "x", expiresAt: "2030-01-01T00:00:00Z" }), ["body"]);
    });

    it("a deduction below zero is 409 insufficient_points and changes nothing", async () => {
      await adjust("poor", { points: 30, reason: "start" });
      const res = await adjust("poor", { points: -31, reason: "too much" });
      const body = expectProblem(res, 409, "insufficient_points");
      expect(body).toMatchObject({ title: "Not enough points", available: 30 });
      expect(body.detail).toContain("30");
      expect(await member("poor")).toMatchObject({ balance: 30 });
      expect(await activity("poor")).toHaveLength(1);
      // A member never seen has nothing to deduct.
      expectProblem(await adjust("never-seen", { points: -1, reason: "x" }), 409, "insufficient_points");
    });
  });

  describe("bulk", () => {
    it("adds the same points to every member, creating those not seen yet", async () => {
      await adjust("b-old", { points: 5, reason: "before" });
      const res = await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["b-old", "b-new-1", "b-new-2"], points: 50, reason: "Anniversary" } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ count: 3 });
      expect(await member("b-old")).toMatchObject({ balance: 55 });
      expect(await member("b-new-1")).toMatchObject({ balance: 50 });
      const entries = await activity("b-new-2");
      expect(entries).toEqual([expect.objectContaining({ type: "adjust", points: 50, balanceAfter: 50, reason: "Anniversary", actor: managerId, source: { type: "adjustment", ref: "bulk" } })]);
    });

    it("a member named twice is credited once", async () => {
      const res = await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["dup", "dup", "dup-2"], points: 7, reason: "x" } });
      expect(res.json()).toEqual({ count: 2 });
      expect(await member("dup")).toMatchObject({ balance: 7 });
    });

    it("is all-or-nothing: one bad member id and no one is credited or created", async () => {
      await adjust("aon-existing", { points: 1, reason: "x" });
      const res = await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["aon-existing", "aon-1", "", "aon-2"], points: 10, reason: "x" } });
      expectFieldErrors(res, ["memberIds.2"]);
      const nul = await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["aon-existing", "aon-1", "a\u0000b"], points: 10, reason: "x" } });
      expectFieldErrors(nul, ["memberIds.2"]);
      expect(await member("aon-existing")).toMatchObject({ balance: 1 });
      expectProblem(await call(t.app, "GET", "/v1/members/aon-1", { key: store.adminKey }), 404, "not_found");
      expectProblem(await call(t.app, "GET", "/v1/members/aon-2", { key: store.adminKey }), 404, "not_found");
    });

    it("accepts at most 100 000 member ids", async () => {
      const ids = Array.from({ length: 100_001 }, (_, i) => `m${i}`);
      const res = await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ids, points: 1, reason: "too many" } });
      expectFieldErrors(res, ["memberIds"]);
      expectProblem(await call(t.app, "GET", "/v1/members/m0", { key: store.adminKey }), 404, "not_found");
    });

    it("refuses negative or zero points, a missing reason, an empty list", async () => {
      expectFieldErrors(await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["neg"], points: -10, reason: "x" } }), [
        { path: "points", message: "bulk adjustments add points; deduct one member at a time" },
      ]);
      expectFieldErrors(await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["neg"], points: 0, reason: "x" } }), ["points"]);
      expectFieldErrors(await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["neg"], points: 10 } }), [{ path: "reason", message: "is required" }]);
      expectFieldErrors(await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: ["neg"], points: 10, reason: "x".repeat(501) } }), ["reason"]);
      expectFieldErrors(await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: [], points: 10, reason: "x" } }), ["memberIds"]);
      expectFieldErrors(await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { memberIds: "neg", points: 10, reason: "x" } }), ["memberIds"]);
      expectProblem(await call(t.app, "GET", "/v1/members/neg", { key: store.adminKey }), 404, "not_found");
    });
  });

  describe("idempotency", () => {
    it("a replay returns the same body with idempotent-replayed and applies once", async () => {
      const headers = { "idempotency-key": "adj-1" };
      const first = await adjust("idem", { points: 75, reason: "Goodwill" }, manager, headers);
      expect(first.statusCode).toBe(201);
      expect(first.headers["idempotent-replayed"]).toBeUndefined();
      const second = await adjust("idem", { points: 75, reason: "Goodwill" }, manager, headers);
      expect(second.statusCode).toBe(201);
      expect(second.headers["idempotent-replayed"]).toBe("true");
      expect(second.headers["content-type"]).toMatch(/^application\/json/);
      expect(second.json()).toEqual(first.json());
      expect(await member("idem")).toMatchObject({ balance: 75 });
      expect(await activity("idem")).toHaveLength(1);
    });

    it("the same key with another body is 409 idempotency_conflict and applies nothing", async () => {
      const headers = { "idempotency-key": "adj-2" };
      await adjust("idem-2", { points: 10, reason: "once" }, manager, headers);
      const res = await adjust("idem-2", { points: 11, reason: "once" }, manager, headers);
      const body = expectProblem(res, 409, "idempotency_conflict");
      expect(body.title).toBe("Idempotency key reused with another request");
      // The same key on another member's URL is another request too.
      expectProblem(await adjust("idem-2b", { points: 10, reason: "once" }, manager, headers), 409, "idempotency_conflict");
      expect(await member("idem-2")).toMatchObject({ balance: 10 });
      expectProblem(await call(t.app, "GET", "/v1/members/idem-2b", { key: store.adminKey }), 404, "not_found");
    });

    it("a refusal is replayed as the same problem", async () => {
      const headers = { "idempotency-key": "adj-3" };
      const first = await adjust("idem-3", { points: -5, reason: "nothing there" }, manager, headers);
      expectProblem(first, 409, "insufficient_points");
      await adjust("idem-3", { points: 100, reason: "now there is" });
      const again = await adjust("idem-3", { points: -5, reason: "nothing there" }, manager, headers);
      expectProblem(again, 409, "insufficient_points");
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(again.json()).toEqual(first.json());
      expect(await member("idem-3")).toMatchObject({ balance: 100 });
    });

    it("keys are per store: another store may use the same key", async () => {
      const other = await createTestStore(t.app);
      const headers = { "idempotency-key": "adj-1" };
      const res = await call(t.app, "POST", "/v1/members/idem/adjustments", { key: other.adminKey, body: { points: 75, reason: "Goodwill" }, headers });
      expect(res.statusCode).toBe(201);
      expect(res.headers["idempotent-replayed"]).toBeUndefined();
      expect(await member("idem", other.adminKey)).toMatchObject({ balance: 75 });
      expect(await member("idem")).toMatchObject({ balance: 75 });
    });

    it("bulk is idempotent too", async () => {
      const headers = { "idempotency-key": "bulk-1" };
      const body = { memberIds: ["ib-1", "ib-2"], points: 20, reason: "Campaign" };
      const first = await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body, headers });
      const second = await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body, headers });
      expect(first.json()).toEqual({ count: 2 });
      expect(second.statusCode).toBe(201);
      expect(second.headers["idempotent-replayed"]).toBe("true");
      expect(second.json()).toEqual({ count: 2 });
      expect(await member("ib-1")).toMatchObject({ balance: 20 });
      expectProblem(await call(t.app, "POST", "/v1/adjustments/bulk", { key: manager, body: { ...body, points: 21 }, headers }), 409, "idempotency_conflict");
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      await expectUnauthenticated(t.app, { method: "POST", url: "/v1/members/sec/adjustments", body: { points: 10, reason: "x" } }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "POST", url: "/v1/adjustments/bulk", body: { memberIds: ["sec"], points: 10, reason: "x" } }, OPERATOR_TOKEN);
      expectProblem(await call(t.app, "GET", "/v1/members/sec", { key: store.adminKey }), 404, "not_found");
    });

    it("a viewer gets 403 forbidden and nothing is written", async () => {
      const viewer = await store.key("viewer");
      await expectForbidden(t.app, { method: "POST", url: "/v1/members/sec/adjustments", body: { points: 10, reason: "x" } }, viewer, "points_manager");
      await expectForbidden(t.app, { method: "POST", url: "/v1/adjustments/bulk", body: { memberIds: ["sec"], points: 10, reason: "x" } }, viewer, "points_manager");
      expectProblem(await call(t.app, "GET", "/v1/members/sec", { key: store.adminKey }), 404, "not_found");
    });

    it("another store's key never touches this store's members", async () => {
      const a = await createTestStore(t.app);
      const b = await createTestStore(t.app);
      await call(t.app, "POST", "/v1/members/x/adjustments", { key: a.adminKey, body: { points: 40, reason: "a" } });
      // B deducting from "x" is B's own member x, who has nothing: A's 40 are not visible to it.
      const res = await call(t.app, "POST", "/v1/members/x/adjustments", { key: b.adminKey, body: { points: -10, reason: "steal" } });
      const body = expectProblem(res, 409, "insufficient_points");
      expect(body.available).toBe(0);
      await call(t.app, "POST", "/v1/adjustments/bulk", { key: b.adminKey, body: { memberIds: ["x"], points: 1, reason: "b" } });
      expect(await member("x", a.adminKey)).toMatchObject({ balance: 40 });
      expect(await member("x", b.adminKey)).toMatchObject({ balance: 1 });
      expect((await activity("x", b.adminKey)).map((e: { reason: string }) => e.reason)).toEqual(["b"]);
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      await expectMalformedBodiesRefused(t.app, "POST", "/v1/members/mal/adjustments", manager);
      await expectMalformedBodiesRefused(t.app, "POST", "/v1/adjustments/bulk", manager);
      expectFieldErrors(await adjust("mal", { points: 5, reason: "bad\u0000reason" }), ["reason"]);
      expectProblem(await call(t.app, "GET", "/v1/members/mal", { key: store.adminKey }), 404, "not_found");
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated } from "../support/http.ts";

const T0 = "2026-01-15T12:00:00.000Z";

describe("members: PUT/GET /v1/members/{memberId} and GET .../activity", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
  });
  afterAll(async () => t.close());

  const adjust = (key: string, memberId: string, points: number, reason = "test") =>
    call(t.app, "POST", `/v1/members/${memberId}/adjustments`, { key, body: { points, reason } });

  describe("happy paths", () => {
    it("PUT creates a member with its attributes and an empty ledger", async () => {
      const res = await call(t.app, "PUT", "/v1/members/cust-1", {
        key: store.adminKey,
        body: { email: "ann@example.com", phone: "+1 555 010 9999", birthday: "1990-04-01", tags: ["vip", "newsletter"], isMember: true, language: "en" },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        memberId: "cust-1",
        email: "ann@example.com",
        phone: "+1 555 010 9999",
        birthday: "1990-04-01",
        tier: null,
        tags: ["vip", "newsletter"],
        isMember: true,
        language: "en",
        balance: 0,
        pending: 0,
        held: 0,
        debt: 0,
        expiring: [],
        createdAt: T0,
        updatedAt: T0,
      });
      const got = await call(t.app, "GET", "/v1/members/cust-1", { key: await store.key("viewer") });
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual(res.json());
    });

    it("PUT is an upsert: fields not given keep their values, null clears, a new list replaces", async () => {
      await call(t.app, "PUT", "/v1/members/cust-2", { key: store.adminKey, body: { email: "bo@example.com", phone: "+15550100", tags: ["a"], language: "de", isMember: false } });
      const res = await call(t.app, "PUT", "/v1/members/cust-2", { key: store.adminKey, body: { phone: null, birthday: "2000-02-29" } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ memberId: "cust-2", email: "bo@example.com", phone: null, birthday: "2000-02-29", tags: ["a"], language: "de", isMember: false });
      const again = await call(t.app, "PUT", "/v1/members/cust-2", { key: store.adminKey, body: { tags: [], isMember: true } });
      expect(again.json()).toMatchObject({ email: "bo@example.com", phone: null, birthday: "2000-02-29", tags: [], language: "de", isMember: true });
      // An empty body changes nothing.
      const empty = await call(t.app, "PUT", "/v1/members/cust-2", { key: store.adminKey, body: {} });
      expect(empty.json()).toEqual(again.json());
    });

    it("PUT keeps the member's points", async () => {
      await adjust(store.adminKey, "cust-3", 120);
      const res = await call(t.app, "PUT", "/v1/members/cust-3", { key: await store.key("points_manager"), body: { email: "c@example.com" } });
      expect(res.json()).toMatchObject({ memberId: "cust-3", email: "c@example.com", balance: 120, pending: 0 });
    });

    it("member ids are the merchant's own strings (URL-encoded characters round-trip)", async () => {
      const id = "user@shop.example/42 ü";
      const res = await call(t.app, "PUT", `/v1/members/${encodeURIComponent(id)}`, { key: store.adminKey, body: {} });
      expect(res.statusCode).toBe(200);
      expect(res.json().memberId).toBe(id);
      expect((await call(t.app, "GET", `/v1/members/${encodeURIComponent(id)}`, { key: store.adminKey })).json().memberId).toBe(id);
    });

    it("expiring groups points by instant, soonest first, after spending nearest-expiry first", async () => {
      const local = await createTestStore(t.app, { timezone: "Asia/Taipei" });
      const key = local.adminKey;
      const patch = (validity: unknown) => call(t.app, "PATCH", "/v1/program", { key, body: { validity } });

      await patch({ type: "rolling", days: 30 });
      await adjust(key, "m", 100);
      await adjust(key, "m", 50); // same instant as the 100: one group
      await call(t.app, "POST", "/v1/clock/advance", { key, body: { to: "2026-01-16T12:00:00Z" } });
      await adjust(key, "m", 25);
      await patch({ type: "fixed_date", month: 12, day: 31 });
      await adjust(key, "m", 10); // end of 2027-12-31 in Taipei
      await patch({ type: "never" });
      await adjust(key, "m", 5); // never expires: not in the schedule
      await patch({ type: "rolling", days: 3 });
      await adjust(key, "m", 7); // created last, expires first

      const res = await call(t.app, "GET", "/v1/members/m", { key });
      expect(res.json()).toMatchObject({ balance: 197, pending: 0 });
      expect(res.json().expiring).toEqual([
        { expiresAt: "2026-01-19T12:00:00.000Z", points: 7 },
        { expiresAt: "2026-02-14T12:00:00.000Z", points: 150 },
        { expiresAt: "2026-02-15T12:00:00.000Z", points: 25 },
        { expiresAt: "2027-12-31T15:59:59.999Z", points: 10 },
      ]);

      // Deducting 100 takes the 7 expiring soonest, then 93 of the 150.
      expect((await adjust(key, "m", -100, "correction")).statusCode).toBe(201);
      const after = (await call(t.app, "GET", "/v1/members/m", { key })).json();
      expect(after.balance).toBe(97);
      expect(after.expiring).toEqual([
        { expiresAt: "2026-02-14T12:00:00.000Z", points: 57 },
        { expiresAt: "2026-02-15T12:00:00.000Z", points: 25 },
        { expiresAt: "2027-12-31T15:59:59.999Z", points: 10 },
      ]);

      // Once the first group's instant passes it is gone from balance and schedule.
      await call(t.app, "POST", "/v1/clock/advance", { key, body: { to: "2026-02-14T12:00:00Z" } });
      const later = (await call(t.app, "GET", "/v1/members/m", { key })).json();
      expect(later.balance).toBe(40);
      expect(later.expiring).toEqual([
        { expiresAt: "2026-02-15T12:00:00.000Z", points: 25 },
        { expiresAt: "2027-12-31T15:59:59.999Z", points: 10 },
      ]);
    });

    it("activity is paginated newest first with limit and cursor", async () => {
      const local = await createTestStore(t.app);
      const key = local.adminKey;
      const keyId = (await call(t.app, "GET", "/v1/keys", { key })).json().data[0].id;
      for (const p of [1, 2, 3, 4, 5]) await adjust(key, "pager", p, `reason ${p}`);

      const page1 = await call(t.app, "GET", "/v1/members/pager/activity?limit=2", { key: await local.key("viewer") });
      expect(page1.statusCode).toBe(200);
      const body1 = page1.json();
      expect(body1.data).toHaveLength(2);
      expect(body1.data[0]).toEqual({
        id: expect.stringMatching(/^ent_/),
        type: "adjust",
        points: 5,
        balanceAfter: 15,
        at: T0,
        reason: "reason 5",
        actor: keyId,
        source: { type: "adjustment", ref: null },
        lotId: expect.stringMatching(/^lot_/),
      });
      expect(body1.data.map((e: { points: number }) => e.points)).toEqual([5, 4]);
      expect(typeof body1.nextCursor).toBe("string");

      const page2 = (await call(t.app, "GET", `/v1/members/pager/activity?limit=2&cursor=${encodeURIComponent(body1.nextCursor)}`, { key })).json();
      expect(page2.data.map((e: { points: number; balanceAfter: number }) => [e.points, e.balanceAfter])).toEqual([[3, 6], [2, 3]]);
      expect(typeof page2.nextCursor).toBe("string");
      const page3 = (await call(t.app, "GET", `/v1/members/pager/activity?limit=2&cursor=${encodeURIComponent(page2.nextCursor)}`, { key })).json();
      expect(page3).toEqual({ data: [expect.objectContaining({ points: 1, balanceAfter: 1, reason: "reason 1" })], nextCursor: null });

      // No overlap, nothing skipped, and the default page holds them all.
      const ids = [...body1.data, ...page2.data, ...page3.data].map((e: { id: string }) => e.id);
      expect(new Set(ids).size).toBe(5);
      const all = (await call(t.app, "GET", "/v1/members/pager/activity", { key })).json();
      expect(all.data.map((e: { id: string }) => e.id)).toEqual(ids);
      expect(all.nextCursor).toBeNull();
      // limit exactly the count: no further page
      expect((await call(t.app, "GET", "/v1/members/pager/activity?limit=5", { key })).json().nextCursor).toBeNull();
    });

    it("a member seen but without entries has an empty activity", async () => {
      await call(t.app, "PUT", "/v1/members/quiet", { key: store.adminKey, body: {} });
      expect((await call(t.app, "GET", "/v1/members/quiet/activity", { key: store.adminKey })).json()).toEqual({ data: [], nextCursor: null });
    });
  });

  describe("errors", () => {
    it("a member never seen is 404 not_found, on the member and on its activity", async () => {
      const res = await call(t.app, "GET", "/v1/members/nobody", { key: store.adminKey });
      const body = expectProblem(res, 404, "not_found");
      expect(body.detail).toBe("member was not found");
      expectProblem(await call(t.app, "GET", "/v1/members/nobody/activity", { key: store.adminKey }), 404, "not_found");
      // Reading does not create the member.
      expectProblem(await call(t.app, "GET", "/v1/members/nobody", { key: store.adminKey }), 404, "not_found");
    });

    it("PUT names each invalid attribute", async () => {
      const res = await call(t.app, "PUT", "/v1/members/bad", {
        key: store.adminKey,
        body: { email: "not-an-email", phone: "call me", birthday: "1990-13-45", tags: "vip", isMember: "yes", language: "e" },
      });
      expectFieldErrors(res, ["email", "phone", "birthday", "tags", "isMember", "language"]);
      expectFieldErrors(await call(t.app, "PUT", "/v1/members/bad", { key: store.adminKey, body: { tags: ["ok", ""] } }), ["tags.1"]);
      expectFieldErrors(await call(t.app, "PUT", "/v1/members/bad", { key: store.adminKey, body: { nickname: "B" } }), ["body"]);
      expectProblem(await call(t.app, "GET", "/v1/members/bad", { key: store.adminKey }), 404, "not_found");
    });

    it("member ids of up to 200 characters work, even percent-encoded", async () => {
      for (const id of ["y".repeat(200), "ü".repeat(200), "😀".repeat(100)]) {
        const res = await call(t.app, "PUT", `/v1/members/${encodeURIComponent(id)}`, { key: store.adminKey, body: {} });
        expect(res.statusCode).toBe(200);
        expect(res.json().memberId).toBe(id);
      }
    });

    it("a URL that does not decode is a 400 problem naming the url", async () => {
      const res = await call(t.app, "GET", "/v1/members/%E0%A4%A", { key: store.adminKey });
      const body = expectProblem(res, 400, "validation_failed");
      expect(body.errors).toEqual([{ path: "url", message: expect.any(String) }]);
    });

    it("member ids longer than 200 characters or holding NUL are refused naming memberId", async () => {
      expectFieldErrors(await call(t.app, "PUT", `/v1/members/${"x".repeat(201)}`, { key: store.adminKey, body: {} }), ["memberId"]);
      expectFieldErrors(await call(t.app, "GET", `/v1/members/${"x".repeat(201)}`, { key: store.adminKey }), ["memberId"]);
      expectFieldErrors(await call(t.app, "PUT", "/v1/members/a%00b", { key: store.adminKey, body: {} }), ["memberId"]);
      expectFieldErrors(await call(t.app, "GET", "/v1/members/a%00b/activity", { key: store.adminKey }), ["memberId"]);
    });

    it("activity refuses a bad limit or cursor, naming it", async () => {
      await adjust(store.adminKey, "lim", 1);
      for (const limit of ["0", "501", "abc", "2.5", "-1"]) {
        expectFieldErrors(await call(t.app, "GET", `/v1/members/lim/activity?limit=${limit}`, { key: store.adminKey }), ["limit"]);
      }
      expectFieldErrors(await call(t.app, "GET", `/v1/members/lim/activity?cursor=${"9".repeat(201)}`, { key: store.adminKey }), ["cursor"]);
      expectFieldErrors(await call(t.app, "GET", "/v1/members/lim/activity?cursor=%00", { key: store.adminKey }), ["cursor"]);
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      await expectUnauthenticated(t.app, { method: "PUT", url: "/v1/members/cust-1", body: { email: "x@example.com" } }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/members/cust-1" }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/members/cust-1/activity" }, OPERATOR_TOKEN);
      expect((await call(t.app, "GET", "/v1/members/cust-1", { key: store.adminKey })).json().email).toBe("ann@example.com");
    });

    it("a viewer may read but not PUT (403), and nothing is written", async () => {
      const viewer = await store.key("viewer");
      await expectForbidden(t.app, { method: "PUT", url: "/v1/members/viewer-made", body: { email: "v@example.com" } }, viewer, "points_manager");
      expectProblem(await call(t.app, "GET", "/v1/members/viewer-made", { key: viewer }), 404, "not_found");
    });

    it("another store's key gets 404 for this store's members, never their data", async () => {
      const a = await createTestStore(t.app);
      const b = await createTestStore(t.app);
      await call(t.app, "PUT", "/v1/members/shared-id", { key: a.adminKey, body: { email: "secret@a.example" } });
      await adjust(a.adminKey, "shared-id", 500);
      for (const url of ["/v1/members/shared-id", "/v1/members/shared-id/activity"]) {
        const res = await call(t.app, "GET", url, { key: b.adminKey });
        expectProblem(res, 404, "not_found");
        expect(res.body).not.toContain("secret@a.example");
        expect(res.body).not.toContain("500");
      }
      // B naming the same id makes B's own member; A's is untouched.
      const bMember = await call(t.app, "PUT", "/v1/members/shared-id", { key: b.adminKey, body: { phone: "+15550199" } });
      expect(bMember.json()).toMatchObject({ email: null, phone: "+15550199", balance: 0 });
      expect((await call(t.app, "GET", "/v1/members/shared-id", { key: a.adminKey })).json()).toMatchObject({ email: "secret@a.example", phone: null, balance: 500 });
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      expectFieldErrors(await call(t.app, "PUT", "/v1/members/cust-9", { key: store.adminKey, body: { tags: ["ok", "n\u0000l"] } }), ["tags.1"]);
      expectFieldErrors(await call(t.app, "PUT", "/v1/members/cust-9", { key: store.adminKey, body: { email: "\ud800@example.com" } }), ["email"]);
      expectProblem(await call(t.app, "GET", "/v1/members/cust-9", { key: store.adminKey }), 404, "not_found");
      // An empty JSON body is {}: a member with no attributes, created like any other upsert.
      await expectMalformedBodiesRefused(t.app, "PUT", "/v1/members/cust-9", store.adminKey);
    });
  });
});

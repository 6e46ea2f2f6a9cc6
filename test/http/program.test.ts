import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectUnauthenticated } from "../support/http.ts";

const DEFAULTS = {
  enabled: true,
  pointsName: { en: "Points" },
  rulesText: {},
  validity: { type: "never" },
  expiryReminderDays: null,
  notifications: { pointsEarned: true, pointsAdjusted: true, expiryReminder: true, redemption: true },
  clawback: "allow_negative",
  holdTtlMinutes: 30,
};

describe("GET /v1/program and PATCH /v1/program", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  describe("happy paths", () => {
    it("a new store has the default program, readable by a viewer", async () => {
      const store = await createTestStore(t.app);
      const res = await call(t.app, "GET", "/v1/program", { key: await store.key("viewer") });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject(DEFAULTS);
    });

    it("PATCH changes only the fields given and returns the whole program", async () => {
      const store = await createTestStore(t.app);
      const before = (await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json();
      const res = await call(t.app, "PATCH", "/v1/program", {
        key: store.adminKey,
        body: { pointsName: { en: "Stars", "zh-TW": "點數" }, validity: { type: "fixed_date", month: 12, day: 31 } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ...before, pointsName: { en: "Stars", "zh-TW": "點數" }, validity: { type: "fixed_date", month: 12, day: 31 } });
      // And it is what GET returns afterwards.
      expect((await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json()).toEqual(res.json());
    });

    it("a partial notifications patch merges with the stored flags", async () => {
      const store = await createTestStore(t.app);
      await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { notifications: { expiryReminder: false } } });
      const res = await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { notifications: { pointsEarned: false }, expiryReminderDays: 7 } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        ...DEFAULTS,
        expiryReminderDays: 7,
        notifications: { pointsEarned: false, pointsAdjusted: true, expiryReminder: false, redemption: true },
      });
    });

    it("every setting can be changed: enabled, rulesText, clawback, holdTtlMinutes, rolling validity", async () => {
      const store = await createTestStore(t.app);
      const patch = {
        enabled: false,
        rulesText: { en: "Earn 1 point per $10." },
        clawback: "floor_zero",
        holdTtlMinutes: 45,
        validity: { type: "rolling", months: 12 },
        expiryReminderDays: 0,
      };
      const res = await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: patch });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ...DEFAULTS, ...patch });
      // An empty patch changes nothing.
      const same = await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: {} });
      expect(same.json()).toEqual(res.json());
    });

    it("each change is an audit record with who, when, before and after", async () => {
      const store = await createTestStore(t.app);
      const keyId = (await call(t.app, "GET", "/v1/keys", { key: store.adminKey })).json().data[0].id;
      const before = (await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json();
      const after = (await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { holdTtlMinutes: 90, validity: { type: "rolling", days: 365 } } })).json();
      const log = (await call(t.app, "GET", "/v1/audit-log", { key: store.adminKey })).json();
      expect(log.data[0]).toEqual({
        id: expect.stringMatching(/^aud_/),
        at: "2026-01-15T12:00:00.000Z",
        actor: keyId,
        action: "program.updated",
        entityType: "program",
        entityId: store.id,
        before,
        after,
      });
      expect(log.data[0].before.holdTtlMinutes).toBe(30);
      expect(log.data[0].after).toMatchObject({ holdTtlMinutes: 90, validity: { type: "rolling", days: 365 } });
    });
  });

  describe("errors", () => {
    it("an invalid validity is refused naming its path, and nothing changes", async () => {
      const store = await createTestStore(t.app);
      const before = (await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json();
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { validity: { type: "rolling", days: 0 } } }), ["validity.days"]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { validity: { type: "rolling", days: 1.5 } } }), ["validity.days"]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { validity: { type: "rolling", months: -1 } } }), ["validity.months"]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { validity: { type: "rolling" } } }), [
        { path: "validity", message: "give exactly one of days or months" },
      ]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { validity: { type: "fixed_date", month: 13, day: 1 } } }), ["validity.month"]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { validity: { type: "fixed_date", month: 4, day: 31 } } }), [
        { path: "validity", message: "day does not exist in that month" },
      ]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { validity: { type: "forever" } } }), ["validity.type"]);
      expect((await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json()).toEqual(before);
      // No audit record for a refused change.
      const log = (await call(t.app, "GET", "/v1/audit-log", { key: store.adminKey })).json().data;
      expect(log.filter((r: { action: string }) => r.action === "program.updated")).toEqual([]);
    });

    it("names every other invalid setting", async () => {
      const store = await createTestStore(t.app);
      const res = await call(t.app, "PATCH", "/v1/program", {
        key: store.adminKey,
        body: { enabled: "yes", holdTtlMinutes: 0, clawback: "sometimes", expiryReminderDays: 400, notifications: { sms: true } },
      });
      expectFieldErrors(res, ["enabled", "holdTtlMinutes", "clawback", "expiryReminderDays", "notifications"]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { pointsName: { en: 5 } } }), ["pointsName.en"]);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { currency: "EUR" } }), ["body"]);
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      await expectUnauthenticated(t.app, { method: "GET", url: "/v1/program" }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "PATCH", url: "/v1/program", body: { enabled: false } }, OPERATOR_TOKEN);
    });

    it("only an admin may PATCH: viewer and points_manager get 403 and nothing changes", async () => {
      const store = await createTestStore(t.app);
      for (const role of ["viewer", "points_manager"] as const) {
        await expectForbidden(t.app, { method: "PATCH", url: "/v1/program", body: { enabled: false } }, await store.key(role), "admin");
      }
      expect((await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json().enabled).toBe(true);
    });

    it("a key of another store reads and changes only its own program", async () => {
      const a = await createTestStore(t.app);
      const b = await createTestStore(t.app);
      await call(t.app, "PATCH", "/v1/program", { key: a.adminKey, body: { pointsName: { en: "A-coins" } } });
      await call(t.app, "PATCH", "/v1/program", { key: b.adminKey, body: { enabled: false } });
      expect((await call(t.app, "GET", "/v1/program", { key: a.adminKey })).json()).toMatchObject({ enabled: true, pointsName: { en: "A-coins" } });
      expect((await call(t.app, "GET", "/v1/program", { key: b.adminKey })).json()).toMatchObject({ enabled: false, pointsName: { en: "Points" } });
      const bLog = (await call(t.app, "GET", "/v1/audit-log", { key: b.adminKey })).json().data;
      expect(bLog.every((r: { entityId: string }) => r.entityId !== a.id)).toBe(true);
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      const store = await createTestStore(t.app);
      await expectMalformedBodiesRefused(t.app, "PATCH", "/v1/program", store.adminKey);
      expectFieldErrors(await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { rulesText: { en: "a\u0000b" } } }), ["rulesText.en"]);
      expect((await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json().rulesText).toEqual({});
    });
  });
});

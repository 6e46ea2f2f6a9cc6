import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectFieldErrors } from "../support/http.ts";
import { applyPreset } from "../support/presets.ts";

/** Source 000: redeemed items are "valid for 1 year": twelve calendar months, leap years included. */
describe("catalogue entitlements valid for calendar months", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("saas-usage: redeemed on 2027-03-01 (Taipei), an add-on pack is valid through 2028-03-01, not 2028-02-29", async () => {
    const store = await createTestStore(t.app, { timezone: "Asia/Taipei", clock: "2027-03-01T02:00:00Z" });
    await applyPreset(t.app, store.adminKey, "saas-usage");
    await call(t.app, "POST", "/v1/members/acct-1/adjustments", { key: store.adminKey, body: { points: 1000, reason: "opening balance" } });
    const methods = (await call(t.app, "GET", "/v1/redeem-methods", { key: store.adminKey })).json().data as Array<{ id: string; type: string; grant?: { validMonths?: number } }>;
    const pack = methods.find((m) => m.type === "catalog")!;
    expect(pack.grant?.validMonths).toBe(12);
    const res = await call(t.app, "POST", "/v1/redemptions", { key: store.adminKey, body: { memberId: "acct-1", methodId: pack.id } });
    expect(res.statusCode, res.body).toBe(201);
    // 10:00 local on 2027-03-01 → 10:00 local on 2028-03-01 (UTC+8).
    expect(res.json().entitlement.expiresAt).toBe("2028-03-01T02:00:00.000Z");
  });

  it("takes validMonths or validDays, not both, and counts month ends as the calendar does", async () => {
    const store = await createTestStore(t.app, { timezone: "UTC", clock: "2027-01-31T12:00:00Z" });
    const both = await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "catalog", name: "Both", points: 1, grant: { sku: "x", units: 1, validMonths: 1, validDays: 30 } } });
    expectFieldErrors(both, ["grant.validMonths"]);
    const monthly = await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "catalog", name: "Monthly", points: 1, grant: { sku: "x", units: 1, validMonths: 1 } } });
    expect(monthly.statusCode).toBe(201);
    await call(t.app, "POST", "/v1/members/m/adjustments", { key: store.adminKey, body: { points: 10, reason: "funds" } });
    const res = await call(t.app, "POST", "/v1/redemptions", { key: store.adminKey, body: { memberId: "m", methodId: monthly.json().id } });
    // One calendar month after 31 January is the last day of February.
    expect(res.json().entitlement.expiresAt).toBe("2027-02-28T12:00:00.000Z");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";

describe("a first tour through the API", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("earns by adjustment, redeems from the catalogue and shows it in activity", async () => {
    const store = await createTestStore(t.app);
    const key = store.adminKey;
    expect((await call(t.app, "PUT", "/v1/members/m1", { key, body: { email: "m1@example.com" } })).statusCode).toBe(200);
    const adj = await call(t.app, "POST", "/v1/members/m1/adjustments", { key, body: { points: 300, reason: "welcome" } });
    expect(adj.statusCode).toBe(201);
    expect(adj.json()).toMatchObject({ type: "adjust", points: 300, balanceAfter: 300, reason: "welcome" });
    const method = await call(t.app, "POST", "/v1/redeem-methods", {
      key, body: { type: "catalog", name: "100 email credits", points: 200, grant: { sku: "email-credits", units: 100, validDays: 365 } },
    });
    expect(method.statusCode).toBe(201);
    const red = await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "m1", methodId: method.json().id } });
    expect(red.statusCode).toBe(201);
    expect(red.json()).toMatchObject({ status: "completed", points: 200, entitlement: { sku: "email-credits", units: 100, unitsRemaining: 100, expiresAt: "2027-01-15T12:00:00.000Z" } });
    const member = await call(t.app, "GET", "/v1/members/m1", { key });
    expect(member.json()).toMatchObject({ memberId: "m1", balance: 100, pending: 0 });
    const activity = await call(t.app, "GET", "/v1/members/m1/activity", { key });
    expect(activity.json().data.map((e: { type: string; points: number }) => [e.type, e.points])).toEqual([["redeem", -200], ["adjust", 300]]);
  });
});

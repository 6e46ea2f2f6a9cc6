import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectProblem, rawCall } from "../support/http.ts";
import { runScheduledWork } from "../../src/jobs/due-work-tick.ts";

/** SPEC §4 Idempotency, through the public API. */
describe("Idempotency-Key", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
  });
  afterAll(async () => t.close());

  const adjust = (key: string, body: unknown, memberId = "m1") =>
    call(t.app, "POST", `/v1/members/${memberId}/adjustments`, { key: store.adminKey, body, headers: { "idempotency-key": key } });

  it("the same key and body, with keys in another order, returns the stored response once applied", async () => {
    const first = await rawCall(t.app, "POST", "/v1/members/m1/adjustments", store.adminKey, '{"points": 10, "reason": "welcome"}', "application/json", { "idempotency-key": "order-1" });
    expect(first.statusCode).toBe(201);
    const again = await rawCall(t.app, "POST", "/v1/members/m1/adjustments", store.adminKey, '{"reason": "welcome", "points": 10}', "application/json", { "idempotency-key": "order-1" });
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json()).toEqual(first.json());
    expect((await call(t.app, "GET", "/v1/members/m1", { key: store.adminKey })).json().balance).toBe(10);
  });

  it("belongs to the store whatever the route: the same key on another route or member is a conflict", async () => {
    expect((await adjust("shared-1", { points: 5, reason: "a" })).statusCode).toBe(201);
    expectProblem(await adjust("shared-1", { points: 5, reason: "a" }, "m2"), 409, "idempotency_conflict");
    const other = await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: "x", role: "viewer" }, headers: { "idempotency-key": "shared-1" } });
    expectProblem(other, 409, "idempotency_conflict");
    expectProblem(await adjust("shared-1", { points: 6, reason: "a" }), 409, "idempotency_conflict");
  });

  it("stores refusals: a retry of a refused request is refused the same way, even after the cause is gone", async () => {
    const refused = await adjust("deduct-1", { points: -1000, reason: "too much" }, "m3");
    expectProblem(refused, 409, "insufficient_points");
    await adjust("fund-m3", { points: 5000, reason: "funds" }, "m3");
    const retry = await adjust("deduct-1", { points: -1000, reason: "too much" }, "m3");
    expectProblem(retry, 409, "insufficient_points");
    expect(retry.headers["idempotent-replayed"]).toBe("true");
  });

  it("stores a validation refusal found while applying the request, so its retry is refused the same way", async () => {
    await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "cashback", name: "Cash 2", points: 10, amount: 100, channels: ["online"] } });
    const methods = (await call(t.app, "GET", "/v1/redeem-methods", { key: store.adminKey })).json().data as Array<{ id: string; name: string }>;
    const cash = methods.find((m) => m.name === "Cash 2")!;
    await adjust("fund-m6", { points: 50, reason: "funds" }, "m6");
    const hold = () => call(t.app, "POST", "/v1/redemptions", {
      key: store.adminKey,
      headers: { "idempotency-key": "hold-m6" },
      body: { memberId: "m6", methodId: cash.id, points: 100, orderId: "o-6", cart: { lines: [{ sku: "a", quantity: 1, amount: 5000 }], discounts: 0, credits: 0, shipping: 0 } },
    });
    const refused = await hold();
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    await adjust("fund-m6-more", { points: 500, reason: "funds" }, "m6");
    const retry = await hold();
    expect(retry.statusCode).toBe(refused.statusCode);
    expect(retry.json()).toEqual(refused.json());
    expect(retry.headers["idempotent-replayed"]).toBe("true");
  });

  it("keeps keys 24 hours by default, then lets them be used again", async () => {
    expect((await adjust("daily-1", { points: 1, reason: "day one" }, "m4")).statusCode).toBe(201);
    t.clock.advanceMinutes(23 * 60);
    expectProblem(await adjust("daily-1", { points: 2, reason: "day two" }, "m4"), 409, "idempotency_conflict");
    t.clock.advanceMinutes(61);
    const reused = await adjust("daily-1", { points: 2, reason: "day two" }, "m4");
    expect(reused.statusCode).toBe(201);
    expect(reused.headers["idempotent-replayed"]).toBeUndefined();
    expect((await call(t.app, "GET", "/v1/members/m4", { key: store.adminKey })).json().balance).toBe(3);
  });

  it("the scheduler's tick forgets keys past their time, so the table does not grow forever", async () => {
    expect((await adjust("old-1", { points: 1, reason: "old" }, "m7")).statusCode).toBe(201);
    const count = () => t.db.query<{ n: string }>("SELECT count(*) AS n FROM idempotency WHERE scope = 'request' AND key = 'old-1'");
    expect(Number((await count())[0]!.n)).toBe(1);
    t.clock.advanceMinutes(25 * 60);
    const report = await runScheduledWork(t.services, { holder: "test", ttlMs: 30_000 });
    expect(report.forgottenKeys).toBeGreaterThanOrEqual(1);
    expect(Number((await count())[0]!.n)).toBe(0);
  });

  it("keys of one store do not collide with another store's", async () => {
    const other = await createTestStore(t.app);
    const res = await call(t.app, "POST", "/v1/members/m1/adjustments", { key: other.adminKey, body: { points: 7, reason: "other" }, headers: { "idempotency-key": "order-1" } });
    expect(res.statusCode).toBe(201);
    expect(res.headers["idempotent-replayed"]).toBeUndefined();
  });

  it("a capture sent with Content-Type: application/json and no body works, and replays", async () => {
    await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "cashback", name: "Cash", points: 10, amount: 100, channels: ["online"] } });
    const methods = (await call(t.app, "GET", "/v1/redeem-methods", { key: store.adminKey })).json().data as Array<{ id: string; type: string }>;
    const cash = methods.find((m) => m.type === "cashback")!;
    await adjust("fund-m5", { points: 500, reason: "funds" }, "m5");
    const hold = await call(t.app, "POST", "/v1/redemptions", {
      key: store.adminKey,
      body: { memberId: "m5", methodId: cash.id, points: 100, orderId: "o-5", cart: { lines: [{ sku: "a", quantity: 1, amount: 5000 }], discounts: 0, credits: 0, shipping: 0 } },
    });
    expect(hold.statusCode).toBe(201);
    const capture = await rawCall(t.app, "POST", `/v1/redemptions/${hold.json().id}/capture`, store.adminKey, "", "application/json", { "idempotency-key": "cap-5" });
    expect(capture.statusCode).toBe(200);
    expect(capture.json().status).toBe("completed");
    const again = await rawCall(t.app, "POST", `/v1/redemptions/${hold.json().id}/capture`, store.adminKey, "", "application/json", { "idempotency-key": "cap-5" });
    expect(again.json()).toEqual(capture.json());
  });
});

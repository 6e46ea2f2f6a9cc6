import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../src/storage/verify.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { setupStore } from "./helpers.ts";

/** A capture that arrives after the order changed: the order's state still decides what was spent. */
describe("capturing cashback after the order changed", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const lines = [{ sku: "a", quantity: 1, amount: 10_000 }, { sku: "b", quantity: 1, amount: 10_000 }];
  const order = (extra: Record<string, unknown> = {}) => ({ memberId: "amy", lines, placedAt: "2026-03-01T00:00:00Z", ...extra });

  it("refuses to capture on a canceled order, and the hold can still be released", async () => {
    const { c, methodIds } = await setupStore(t, { methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }] });
    await c.adjust("amy", 1_000);
    const hold = (await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[0], points: 400, orderId: "x1", cart: { lines } })).json();
    await c.order("x1", order({ canceledAt: "2026-03-01T00:00:00Z" }));
    // Canceling the order already released the hold.
    expect(await c.json(`/v1/redemptions/${hold.id}`)).toMatchObject({ status: "released" });
    const late = await c.post(`/v1/redemptions/${hold.id}/capture`);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe("invalid_state");
    expect(await c.member("amy")).toMatchObject({ balance: 1_000, held: 0 });
  });

  it("gives back the refunded share at once when the capture comes after a refund", async () => {
    const { c, methodIds } = await setupStore(t, { methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }] });
    await c.adjust("amy", 1_000);
    const hold = (await c.post("/v1/redemptions", { memberId: "amy", methodId: methodIds[0], points: 400, orderId: "x2", cart: { lines } })).json();
    const refund = { id: "r1", lines: [{ sku: "b", quantity: 1, amount: 10_000 }], amount: 10_000, at: "2026-03-01T00:00:00Z" };
    await c.order("x2", order({ refunds: [refund] }));
    const captured = await c.post(`/v1/redemptions/${hold.id}/capture`);
    expect(captured.statusCode).toBe(200);
    expect(captured.json()).toMatchObject({ status: "completed", points: 400, returned: 200 });
    expect(await c.member("amy")).toMatchObject({ balance: 800, held: 0 });
    expect((await c.json("/v1/orders/x2")).points.redeemed).toBe(200);
    expect(await verifyLedger(t.db, c.store.id)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { applyPreset } from "../support/presets.ts";

/** The "Member Points" scheme (seeds/002), replayed through the public API on a sandbox store. */
describe("preset member-points", () => {
  let t: TestApp;
  let store: TestStore;
  const get = (url: string) => call(t.app, "GET", url, { key: store.adminKey });
  const put = (url: string, body: unknown) => call(t.app, "PUT", url, { key: store.adminKey, body });
  const post = (url: string, body: unknown) => call(t.app, "POST", url, { key: store.adminKey, body });
  const advance = (to: string) => post("/v1/clock/advance", { to });

  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app, { timezone: "Asia/Taipei", currency: "TWD", clock: "2020-11-01T00:00:00Z" });
    await applyPreset(t.app, store.adminKey, "member-points");
  });
  afterAll(async () => t.close());

  const order = (over: Record<string, unknown>) => ({
    memberId: "amy", channel: "online", lines: [{ sku: "tea", quantity: 2, amount: 10_000 }], shipping: 600, fees: 100,
    discounts: 0, placedAt: "2020-11-29T02:00:00Z", ...over,
  });

  it("credits $10 = 1 point on the subtotal 3 days after collection, expiring Dec 31 next year", async () => {
    await put("/v1/members/amy", { email: "amy@example.com" });
    await advance("2020-12-01T04:00:00Z");
    const res = await put("/v1/orders/o-1", order({ paidAt: "2020-11-29T02:05:00Z", deliveredAt: "2020-12-01T03:00:00Z" }));
    expect(res.statusCode).toBe(200);
    // $100 subtotal → 10 points; shipping and fees never count.
    expect(res.json().points).toEqual({ earned: 0, pending: 10, reversed: 0, redeemed: 0 });
    expect(res.json().awards[0]).toMatchObject({ points: 10, status: "pending", availableAt: "2020-12-04T03:00:00.000Z", expiresAt: "2021-12-31T15:59:59.999Z" });

    let member = (await get("/v1/members/amy")).json();
    expect(member).toMatchObject({ balance: 0, pending: 10 });
    const ran = (await advance("2020-12-04T03:00:00Z")).json();
    expect(ran.ran.matured).toBe(1);
    member = (await get("/v1/members/amy")).json();
    expect(member).toMatchObject({ balance: 10, pending: 0, expiring: [{ expiresAt: "2021-12-31T15:59:59.999Z", points: 10 }] });
  });

  it("changes points when the order is edited but keeps the earn and expiry dates", async () => {
    const res = await put("/v1/orders/o-1", order({ lines: [{ sku: "tea", quantity: 3, amount: 15_000 }], paidAt: "2020-11-29T02:05:00Z", deliveredAt: "2020-12-01T03:00:00Z" }));
    expect(res.json().points).toEqual({ earned: 15, pending: 0, reversed: 0, redeemed: 0 });
    const member = (await get("/v1/members/amy")).json();
    expect(member.balance).toBe(15);
    expect(member.expiring).toEqual([{ expiresAt: "2021-12-31T15:59:59.999Z", points: 15 }]);
    const down = await put("/v1/orders/o-1", order({ lines: [{ sku: "tea", quantity: 1, amount: 5_000 }], paidAt: "2020-11-29T02:05:00Z", deliveredAt: "2020-12-01T03:00:00Z" }));
    expect(down.json().points).toEqual({ earned: 5, pending: 0, reversed: 10, redeemed: 0 });
    expect((await get("/v1/members/amy")).json().balance).toBe(5);
  });

  it("earns nothing on POS orders, guest orders and orders of non-members", async () => {
    const pos = await put("/v1/orders/pos-1", order({ channel: "pos", paidAt: "2020-12-04T03:00:00Z", deliveredAt: "2020-12-04T03:00:00Z" }));
    expect(pos.json().points.earned + pos.json().points.pending).toBe(0);
    const guest = await put("/v1/orders/guest-1", order({ memberId: null, paidAt: "2020-12-04T03:00:00Z", deliveredAt: "2020-12-04T03:00:00Z" }));
    expect(guest.json().points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
    await put("/v1/members/walk-in", { isMember: false });
    const nonMember = await put("/v1/orders/nm-1", order({ memberId: "walk-in", paidAt: "2020-12-04T03:00:00Z", deliveredAt: "2020-12-04T03:00:00Z" }));
    expect(nonMember.json().points.pending).toBe(0);
  });

  it("reverses on refunds and cancellation, whatever order the updates arrive in", async () => {
    await put("/v1/members/ben", {});
    const refundFirst = order({ memberId: "ben", refunds: [{ id: "r1", lines: [{ sku: "tea", quantity: 1, amount: 5_000 }], amount: 5_000, at: "2020-12-04T03:00:00Z" }] });
    // A refund webhook that arrives before delivery: nothing yet to reverse.
    expect((await put("/v1/orders/o-2", refundFirst)).json().points.pending).toBe(0);
    const delivered = await put("/v1/orders/o-2", { ...refundFirst, deliveredAt: "2020-12-04T02:00:00Z" });
    expect(delivered.json().points).toEqual({ earned: 0, pending: 5, reversed: 0, redeemed: 0 });
    const canceled = await put("/v1/orders/o-2", { ...refundFirst, deliveredAt: "2020-12-04T02:00:00Z", canceledAt: "2020-12-04T03:00:00Z" });
    expect(canceled.json().points).toEqual({ earned: 0, pending: 0, reversed: 5, redeemed: 0 });
    expect((await get("/v1/members/ben")).json()).toMatchObject({ balance: 0, pending: 0 });
  });

  it("adds and deducts by hand with a reason, and adds in bulk", async () => {
    const add = await post("/v1/members/amy/adjustments", { points: 100, reason: "Apology for a late delivery" });
    expect(add.json()).toMatchObject({ points: 100, reason: "Apology for a late delivery" });
    const deduct = await post("/v1/members/amy/adjustments", { points: -30, reason: "Correction" });
    expect(deduct.json().balanceAfter).toBe(75);
    const bulk = await post("/v1/adjustments/bulk", { memberIds: ["amy", "ben", "cat"], points: 20, reason: "Anniversary gift" });
    expect(bulk.json()).toEqual({ count: 3 });
    expect((await get("/v1/members/cat")).json().balance).toBe(20);
  });
});

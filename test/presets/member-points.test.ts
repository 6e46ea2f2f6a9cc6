import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectFaithfulReplay } from "../support/replay.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectProblem } from "../support/http.ts";
import { applyPreset } from "../support/presets.ts";

/** The "Member Points" scheme (seeds/002), replayed through the public API on a sandbox store. */
describe("preset member-points", () => {
  /** Every store the scenarios created: the simulator must replay each one exactly (SPEC §8). */
  const replayed: string[] = [];
  let t: TestApp;
  let store: TestStore;
  const get = (url: string) => call(t.app, "GET", url, { key: store.adminKey });
  const put = (url: string, body: unknown) => call(t.app, "PUT", url, { key: store.adminKey, body });
  const post = (url: string, body: unknown) => call(t.app, "POST", url, { key: store.adminKey, body });
  const advance = (to: string) => post("/v1/clock/advance", { to });

  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app, { timezone: "Asia/Taipei", currency: "TWD", clock: "2020-11-01T00:00:00Z" });
    replayed.push(store.id);
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

  /**
   * Redeem points to cash (source §2 and §4): each scenario gets its own store with the preset, so
   * its clock and its members' lots are its own. Asia/Taipei is UTC+8 all year.
   */
  describe("checkout: redeem points to cash", () => {
    const EXPIRY_2021 = "2021-12-31T15:59:59.999Z"; // 2021-12-31 23:59:59.999 in Taipei
    const EXPIRY_2022 = "2022-12-31T15:59:59.999Z";

    async function fresh(clock: string) {
      const s = await createTestStore(t.app, { timezone: "Asia/Taipei", currency: "TWD", clock });
      replayed.push(s.id);
      const key = s.adminKey;
      await applyPreset(t.app, key, "member-points");
      const methods = (await call(t.app, "GET", "/v1/redeem-methods", { key })).json().data as Array<{ id: string; name: string }>;
      expect(methods.map((m) => m.name)).toEqual(["Redeem to cash"]);
      const cash = methods[0]!.id;
      const sget = (url: string) => call(t.app, "GET", url, { key });
      const sput = (url: string, body: unknown) => call(t.app, "PUT", url, { key, body });
      const spost = (url: string, body?: unknown) => call(t.app, "POST", url, { key, body });
      const quote = async (memberId: string, cart: Record<string, unknown>) => {
        const res = await spost("/v1/checkout/quote", { memberId, channel: "online", ...cart });
        expect(res.statusCode, res.body).toBe(200);
        return res.json() as Record<string, unknown>;
      };
      const adjust = async (memberId: string, points: number) => {
        const res = await spost(`/v1/members/${memberId}/adjustments`, { points, reason: "opening balance" });
        expect(res.statusCode, res.body).toBe(201);
      };
      const putOrder = async (id: string, body: Record<string, unknown>) => {
        const res = await sput(`/v1/orders/${id}`, body);
        expect(res.statusCode, res.body).toBe(200);
        return res.json() as { points: { earned: number; pending: number; reversed: number; redeemed: number }; awards: Array<Record<string, unknown>> };
      };
      const sadvance = async (to: string) => {
        const res = await spost("/v1/clock/advance", { to });
        expect(res.statusCode, res.body).toBe(200);
        return res.json() as { now: string; ran: { matured: number; released: number; expired: number; reminded: number } };
      };
      const member = async (id: string) => (await sget(`/v1/members/${id}`)).json();
      const redeem = (body: Record<string, unknown>) => spost("/v1/redemptions", { methodId: cash, ...body });
      return { cash, get: sget, put: sput, post: spost, quote, adjust, putOrder, advance: sadvance, member, redeem };
    }

    const line = (amount: number, sku = "tea") => ({ sku, quantity: 1, amount });
    /** 2021-03-01 12:00 in Taipei. */
    const NOON = "2021-03-01T04:00:00Z";

    it("10 points = $1, only on orders of $200 or more, at most $50 off → at most 500 points", async () => {
      const s = await fresh(NOON);
      await s.adjust("amy", 2_000);
      // Below $200: nothing, and why.
      expect(await s.quote("amy", { lines: [line(19_999)] })).toEqual({
        balance: 2_000, maxPoints: 0, maxDiscount: 0, pointsPerUnit: 10, methodId: s.cash, subtotal: 19_999, eligibleSubtotal: 19_999, payable: 19_999,
        reasonCode: "below_min_subtotal", reason: "the order subtotal must be at least 20000",
      });
      // $200: the $50 cap → 500 points; a $1,000 order is capped the same.
      expect(await s.quote("amy", { lines: [line(20_000)] })).toEqual({
        balance: 2_000, maxPoints: 500, maxDiscount: 5_000, pointsPerUnit: 10, methodId: s.cash, subtotal: 20_000, eligibleSubtotal: 20_000, payable: 20_000,
      });
      expect(await s.quote("amy", { lines: [line(60_000), line(40_000, "cake")] })).toMatchObject({ maxPoints: 500, maxDiscount: 5_000, subtotal: 100_000 });
      // A smaller balance binds, in steps of 10 points ($1): 235 points → 230 usable → $23.
      await s.adjust("ben", 235);
      expect(await s.quote("ben", { lines: [line(30_000)] })).toMatchObject({ balance: 235, maxPoints: 230, maxDiscount: 2_300 });

      // At checkout the member can only enter up to 500 points on this cart.
      const cart = { lines: [line(30_000)] };
      expect(expectProblem(await s.redeem({ memberId: "amy", points: 510, orderId: "o-cap", cart }), 409, "exceeds_order_limit").maxPoints).toBe(500);
      expectFieldErrors(await s.redeem({ memberId: "amy", points: 505, orderId: "o-cap", cart }), [{ path: "points", message: "spend cashback points in steps of 10" }]);
      const below = await s.redeem({ memberId: "amy", points: 10, orderId: "o-small", cart: { lines: [line(19_999)] } });
      expect(expectProblem(below, 409, "exceeds_order_limit")).toMatchObject({ maxPoints: 0, reason: "below_min_subtotal" });
      const held = await s.redeem({ memberId: "amy", points: 500, orderId: "o-cap", cart });
      expect(held.statusCode, held.body).toBe(201);
      expect(held.json()).toMatchObject({ status: "held", points: 500, discount: 5_000, orderId: "o-cap", type: "cashback" });
      expect(await s.member("amy")).toMatchObject({ balance: 1_500, held: 500 });
      // The $50 is for the whole order: split into several holds it is the same.
      expect(expectProblem(await s.redeem({ memberId: "amy", points: 10, orderId: "o-cap", cart }), 409, "exceeds_order_limit")).toMatchObject({ maxPoints: 0, reason: "order_limit_reached" });
    });

    it("discounts → applied credits → applied points: the cap is taken on what is left after discounts and credits; shipping never counts", async () => {
      const s = await fresh(NOON);
      await s.adjust("amy", 2_000);
      const lines = [line(15_000), line(10_000, "cake")]; // $250
      const q = (cart: Record<string, unknown>) => s.quote("amy", { lines, ...cart });
      // $250 − $30 discount = $220 left: the $50 cap binds → 500 points.
      expect(await q({ discounts: 3_000 })).toMatchObject({ maxPoints: 500, maxDiscount: 5_000, subtotal: 25_000, payable: 22_000 });
      // Then $185 of store credit: $35 left → 350 points for $35.
      expect(await q({ discounts: 3_000, credits: 18_500 })).toEqual({
        balance: 2_000, maxPoints: 350, maxDiscount: 3_500, pointsPerUnit: 10, methodId: s.cash, subtotal: 25_000, eligibleSubtotal: 25_000, payable: 3_500,
      });
      // $34.56 left → 345.6 points' worth, in steps of 10 → 340 points for $34.
      expect(await q({ discounts: 3_000, credits: 18_544 })).toMatchObject({ maxPoints: 340, maxDiscount: 3_400, payable: 3_456 });
      // The same with $100 shipping: shipping is not paid with points.
      expect(await q({ discounts: 3_000, credits: 18_544, shipping: 10_000 })).toMatchObject({ maxPoints: 340, maxDiscount: 3_400, payable: 3_456 });
      // Discounts and credits that cover the goods leave nothing for points.
      expect(await q({ discounts: 5_000, credits: 20_000 })).toMatchObject({ maxPoints: 0, maxDiscount: 0, payable: 0, reasonCode: "nothing_to_pay" });
      // The $200 minimum is on the order subtotal, before discounts: $200 − $170 discount still qualifies, for $30.
      expect(await s.quote("amy", { lines: [line(20_000)], discounts: 17_000 })).toMatchObject({ maxPoints: 300, maxDiscount: 3_000, payable: 3_000 });

      // A hold with the cart follows the same order of application.
      const cart = { lines, discounts: 3_000, credits: 18_544, shipping: 10_000 };
      expect(expectProblem(await s.redeem({ memberId: "amy", points: 350, orderId: "o-dc", cart }), 409, "exceeds_order_limit").maxPoints).toBe(340);
      expect((await s.redeem({ memberId: "amy", points: 340, orderId: "o-dc", cart })).json()).toMatchObject({ status: "held", points: 340, discount: 3_400 });
    });

    it("entering 0 points applies none: no hold, and the order pays and earns in full", async () => {
      const s = await fresh(NOON);
      await s.adjust("amy", 1_000);
      const placed = { memberId: "amy", channel: "online", lines: [line(30_000)], shipping: 600, placedAt: NOON };
      await s.putOrder("o-zero", placed);
      expect(await s.quote("amy", { lines: [line(30_000)], shipping: 600 })).toMatchObject({ maxPoints: 500 });
      expectFieldErrors(await s.redeem({ memberId: "amy", points: 0, orderId: "o-zero", cart: { lines: [line(30_000)] } }), ["points"]);
      expectFieldErrors(await s.redeem({ memberId: "amy", orderId: "o-zero" }), [{ path: "points", message: "cashback needs the number of points to spend" }]);
      expect(await s.member("amy")).toMatchObject({ balance: 1_000, held: 0 });
      expect((await s.get("/v1/members/amy/activity")).json().data.map((e: { type: string }) => e.type)).toEqual(["adjust"]);
      const paid = await s.putOrder("o-zero", { ...placed, paidAt: "2021-03-01T04:00:00Z" });
      expect(paid.points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
      // Collected the same day: $300 → 30 points pending for 3 days; the balance was never touched.
      const collected = await s.putOrder("o-zero", { ...placed, paidAt: "2021-03-01T04:00:00Z", deliveredAt: "2021-03-01T04:00:00Z" });
      expect(collected.points).toEqual({ earned: 0, pending: 30, reversed: 0, redeemed: 0 });
      expect((await s.get("/v1/orders/o-zero")).json().points).toEqual({ earned: 0, pending: 30, reversed: 0, redeemed: 0 });
      expect(await s.member("amy")).toMatchObject({ balance: 1_000, pending: 30, held: 0 });
    });

    it("a hold within the cap is captured when the order is paid: the order shows the points redeemed, and earns on its subtotal", async () => {
      const s = await fresh(NOON);
      await s.adjust("amy", 1_000);
      const placed = { memberId: "amy", channel: "online", lines: [line(25_000)], discounts: 0, shipping: 600, placedAt: NOON };
      await s.putOrder("o-paid", placed);
      const cart = { lines: [line(25_000)], shipping: 600 };
      expect(await s.quote("amy", cart)).toMatchObject({ maxPoints: 500, maxDiscount: 5_000 });
      const held = await s.redeem({ memberId: "amy", points: 500, orderId: "o-paid", cart });
      expect(held.statusCode, held.body).toBe(201);
      const id = held.json().id as string;
      expect(await s.member("amy")).toMatchObject({ balance: 500, held: 500 });
      expect((await s.get("/v1/orders/o-paid")).json().points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 500 });

      // Paid ten minutes later: the merchant captures the hold and sends the paid order.
      await s.advance("2021-03-01T04:10:00Z");
      const captured = await s.post(`/v1/redemptions/${id}/capture`);
      expect(captured.json()).toMatchObject({ id, status: "completed", points: 500, discount: 5_000, orderId: "o-paid" });
      const paid = { ...placed, paidAt: "2021-03-01T04:10:00Z" };
      expect((await s.putOrder("o-paid", paid)).points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 500 });
      expect(await s.member("amy")).toMatchObject({ balance: 500, held: 0 });
      // A captured spend does not come back when the hold's 30 minutes pass.
      expect((await s.advance("2021-03-01T05:00:00Z")).ran.released).toBe(0);
      expect((await s.get(`/v1/redemptions/${id}`)).json().status).toBe("completed");
      expect(await s.member("amy")).toMatchObject({ balance: 500, held: 0 });
      // The hold took the points from the balance; the capture makes the spend final without moving it again.
      expect((await s.get("/v1/members/amy/activity")).json().data.map((e: { type: string; points: number; balanceAfter: number }) => [e.type, e.points, e.balanceAfter])).toEqual([
        ["capture", -500, 500], ["hold", -500, 500], ["adjust", 1_000, 1_000],
      ]);

      // Collected on 03-02, credited 03-05: $250 subtotal → 25 points (points spent do not reduce it).
      await s.advance("2021-03-02T04:00:00Z");
      const delivered = await s.putOrder("o-paid", { ...paid, deliveredAt: "2021-03-02T04:00:00Z" });
      expect(delivered.points).toEqual({ earned: 0, pending: 25, reversed: 0, redeemed: 500 });
      expect(delivered.awards[0]).toMatchObject({ points: 25, availableAt: "2021-03-05T04:00:00.000Z", expiresAt: EXPIRY_2022 });
      await s.advance("2021-03-05T04:00:00Z");
      expect((await s.get("/v1/orders/o-paid")).json().points).toEqual({ earned: 25, pending: 0, reversed: 0, redeemed: 500 });
      expect(await s.member("amy")).toMatchObject({ balance: 525 });
    });

    it("an unpaid order's hold is released after 30 minutes: the points come back", async () => {
      const s = await fresh(NOON);
      await s.adjust("amy", 1_000);
      const placed = { memberId: "amy", channel: "online", lines: [line(40_000)], placedAt: NOON };
      await s.putOrder("o-unpaid", placed);
      const held = await s.redeem({ memberId: "amy", points: 300, orderId: "o-unpaid", cart: { lines: [line(40_000)] } });
      expect(held.json()).toMatchObject({ status: "held", points: 300, discount: 3_000 });
      const id = held.json().id as string;
      expect(await s.member("amy")).toMatchObject({ balance: 700, held: 300 });

      expect((await s.advance("2021-03-01T04:29:59Z")).ran.released).toBe(0);
      expect((await s.get(`/v1/redemptions/${id}`)).json().status).toBe("held");
      expect(await s.member("amy")).toMatchObject({ balance: 700, held: 300 });
      expect((await s.advance("2021-03-01T04:30:00Z")).ran.released).toBe(1);
      expect((await s.get(`/v1/redemptions/${id}`)).json()).toMatchObject({ status: "released", updatedAt: "2021-03-01T04:30:00.000Z" });
      expect(await s.member("amy")).toMatchObject({ balance: 1_000, held: 0, expiring: [{ expiresAt: EXPIRY_2022, points: 1_000 }] });
      expect((await s.get("/v1/orders/o-unpaid")).json().points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
      // Too late to capture; the order canceled for the timeout changes nothing more.
      expectProblem(await s.post(`/v1/redemptions/${id}/capture`), 409, "invalid_state");
      const canceled = await s.putOrder("o-unpaid", { ...placed, canceledAt: "2021-03-01T04:30:00Z" });
      expect(canceled.points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
      expect(await s.member("amy")).toMatchObject({ balance: 1_000, held: 0 });
    });

    it("points that expire soonest are spent first: a 500-point redemption empties the lot expiring 2021-12-31 before touching 2022's", async () => {
      const s = await fresh("2020-12-01T04:00:00Z");
      await s.put("/v1/members/amy", {});
      // 2020 order: $3,000 → 300 points, collected 12-01, credited 12-04, expiring 2021-12-31.
      await s.putOrder("o-2020", { memberId: "amy", lines: [line(300_000)], placedAt: "2020-11-28T02:00:00Z", paidAt: "2020-11-28T02:05:00Z", deliveredAt: "2020-12-01T03:00:00Z" });
      await s.advance("2021-01-02T04:00:00Z");
      // 2021 order: $4,000 → 400 points, collected 01-02, credited 01-05, expiring 2022-12-31.
      await s.putOrder("o-2021", { memberId: "amy", lines: [line(400_000)], placedAt: "2021-01-01T02:00:00Z", paidAt: "2021-01-01T02:05:00Z", deliveredAt: "2021-01-02T03:00:00Z" });
      await s.advance("2021-01-05T03:00:00Z");
      expect(await s.member("amy")).toMatchObject({ balance: 700, expiring: [{ expiresAt: EXPIRY_2021, points: 300 }, { expiresAt: EXPIRY_2022, points: 400 }] });

      const cart = { lines: [line(60_000)] };
      await s.putOrder("o-spend", { memberId: "amy", ...cart, placedAt: "2021-01-05T03:00:00Z" });
      expect(await s.quote("amy", cart)).toMatchObject({ balance: 700, maxPoints: 500, maxDiscount: 5_000 });
      const held = (await s.redeem({ memberId: "amy", points: 500, orderId: "o-spend", cart })).json();
      // Held points are reserved from the lots, soonest expiry first: all 300 of 2021's, 200 of 2022's.
      expect(await s.member("amy")).toMatchObject({ balance: 200, held: 500, expiring: [{ expiresAt: EXPIRY_2022, points: 200 }] });
      expect((await s.post(`/v1/redemptions/${held.id}/capture`)).json()).toMatchObject({ status: "completed" });
      const paid = await s.putOrder("o-spend", { memberId: "amy", ...cart, placedAt: "2021-01-05T03:00:00Z", paidAt: "2021-01-05T03:05:00Z" });
      expect(paid.points.redeemed).toBe(500);
      expect(await s.member("amy")).toMatchObject({ balance: 200, held: 0, expiring: [{ expiresAt: EXPIRY_2022, points: 200 }] });

      // So nothing is lost at the end of 2021: the lot that expires then is already spent.
      expect((await s.advance("2022-01-01T00:00:00Z")).ran.expired).toBe(0);
      expect(await s.member("amy")).toMatchObject({ balance: 200, expiring: [{ expiresAt: EXPIRY_2022, points: 200 }] });
      expect((await s.advance("2023-01-01T00:00:00Z")).ran.expired).toBe(1);
      expect(await s.member("amy")).toMatchObject({ balance: 0, expiring: [] });
    });
  });

  it("the simulator replays every store of these scenarios to the ledger's own figures", async () => {
    expect(replayed.length).toBeGreaterThan(0);
    for (const storeId of replayed) await expectFaithfulReplay(t.services, storeId);
  });
});

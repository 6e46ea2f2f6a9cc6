import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectMalformedBodiesRefused, expectProblem, expectUnauthenticated } from "../support/http.ts";

const T0 = "2026-01-15T12:00:00.000Z";

describe("redemptions: POST /v1/redemptions, capture, release", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** A store with a member holding `points`, a catalogue method and a cashback method (10 pts = $1). */
  async function setup(points = 1000, program: Record<string, unknown> = {}) {
    const store = await createTestStore(t.app);
    const key = store.adminKey;
    const manager = await store.key("points_manager");
    if (Object.keys(program).length > 0) await call(t.app, "PATCH", "/v1/program", { key, body: program });
    if (points > 0) await call(t.app, "POST", "/v1/members/m/adjustments", { key, body: { points, reason: "start" } });
    else await call(t.app, "PUT", "/v1/members/m", { key, body: {} });
    const catalog = (await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "catalog", name: "AI credits", points: 200, grant: { sku: "ai-credits", units: 50, validDays: 365 } } })).json().id as string;
    const cashback = (await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "cashback", name: "Cashback", points: 10, amount: 100, maxPointsPerOrder: 500 } })).json().id as string;
    return { store, key, manager, catalog, cashback };
  }
  const redeem = (key: string, body: unknown, headers?: Record<string, string>) => call(t.app, "POST", "/v1/redemptions", { key, body, headers });
  /** A checkout cart of one line: $100 leaves room for the method's 500 points per order. */
  const cart = (amount = 10_000) => ({ lines: [{ sku: "tee", quantity: 1, amount }] });
  let orders = 0;
  /** A cashback hold on an order of its own, carrying its cart (SPEC §3). */
  const hold = (key: string, methodId: string, points: number, headers?: Record<string, string>) =>
    redeem(key, { memberId: "m", methodId, points, orderId: `ord-h${++orders}`, cart: cart() }, headers);
  const member = async (key: string, id = "m") => (await call(t.app, "GET", `/v1/members/${id}`, { key })).json();

  describe("catalogue", () => {
    it("completes at once with an entitlement, debiting the points", async () => {
      const s = await setup(500);
      const res = await redeem(s.manager, { memberId: "m", methodId: s.catalog, orderId: "ord-1" });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        id: expect.stringMatching(/^red_/),
        memberId: "m",
        methodId: s.catalog,
        type: "catalog",
        status: "completed",
        points: 200,
        orderId: "ord-1",
        entitlement: { id: expect.stringMatching(/^etl_/), sku: "ai-credits", units: 50, unitsRemaining: 50, expiresAt: "2027-01-15T12:00:00.000Z", createdAt: T0 },
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await member(s.key)).toMatchObject({ balance: 300, held: 0 });
      const activity = (await call(t.app, "GET", "/v1/members/m/activity", { key: s.key })).json().data;
      expect(activity[0]).toMatchObject({ type: "redeem", points: -200, balanceAfter: 300, source: { type: "redemption", ref: res.json().id } });
      expect((await call(t.app, "GET", `/v1/redemptions/${res.json().id}`, { key: await s.store.key("viewer") })).json()).toEqual(res.json());
    });

    it("an entitlement without validDays never expires; points must match the price when given", async () => {
      const s = await setup(500);
      const id = (await call(t.app, "POST", "/v1/redeem-methods", { key: s.key, body: { type: "catalog", name: "Forever", points: 100, grant: { sku: "pack", units: 1 } } })).json().id;
      expect((await redeem(s.key, { memberId: "m", methodId: id, points: 100 })).json().entitlement).toMatchObject({ sku: "pack", expiresAt: null });
      expectFieldErrors(await redeem(s.key, { memberId: "m", methodId: id, points: 50 }), [{ path: "points", message: "this catalogue item costs exactly 100 points" }]);
      expect(await member(s.key)).toMatchObject({ balance: 400 });
    });
  });

  describe("cashback", () => {
    it("holds, then capture completes it", async () => {
      const s = await setup(1000);
      const held = await redeem(s.manager, { memberId: "m", methodId: s.cashback, points: 150, orderId: "ord-2", cart: cart() });
      expect(held.statusCode).toBe(201);
      expect(held.json()).toEqual({
        id: expect.stringMatching(/^red_/), memberId: "m", methodId: s.cashback, type: "cashback", status: "held",
        points: 150, discount: 1500, orderId: "ord-2", createdAt: T0, updatedAt: T0,
      });
      expect(await member(s.key)).toMatchObject({ balance: 850, held: 150 });

      const captured = await call(t.app, "POST", `/v1/redemptions/${held.json().id}/capture`, { key: s.manager });
      expect(captured.statusCode).toBe(200);
      expect(captured.json()).toEqual({ ...held.json(), status: "completed" });
      expect(await member(s.key)).toMatchObject({ balance: 850, held: 0 });
      expect((await call(t.app, "GET", `/v1/redemptions/${held.json().id}`, { key: s.key })).json().status).toBe("completed");
      const types = (await call(t.app, "GET", "/v1/members/m/activity", { key: s.key })).json().data.map((e: { type: string }) => e.type);
      expect(types.slice(0, 2)).toEqual(["capture", "hold"]);

      // A completed redemption can neither be captured again nor released.
      for (const action of ["capture", "release"]) {
        const res = await call(t.app, "POST", `/v1/redemptions/${held.json().id}/${action}`, { key: s.manager });
        expect(expectProblem(res, 409, "invalid_state").detail).toContain("completed");
      }
      expect(await member(s.key)).toMatchObject({ balance: 850, held: 0 });
    });

    it("release returns the points; capture after release is 409 invalid_state", async () => {
      const s = await setup(1000);
      const held = (await hold(s.manager, s.cashback, 300)).json();
      expect(await member(s.key)).toMatchObject({ balance: 700, held: 300 });
      const released = await call(t.app, "POST", `/v1/redemptions/${held.id}/release`, { key: s.manager });
      expect(released.statusCode).toBe(200);
      expect(released.json()).toMatchObject({ id: held.id, status: "released", points: 300, discount: 3000 });
      expect(await member(s.key)).toMatchObject({ balance: 1000, held: 0 });

      const capture = await call(t.app, "POST", `/v1/redemptions/${held.id}/capture`, { key: s.manager });
      const body = expectProblem(capture, 409, "invalid_state");
      expect(body.detail).toBe("redemption is released; it can no longer be captured");
      expectProblem(await call(t.app, "POST", `/v1/redemptions/${held.id}/release`, { key: s.manager }), 409, "invalid_state");
      expect(await member(s.key)).toMatchObject({ balance: 1000, held: 0 });
    });

    it("an unpaid hold is released automatically after holdTtlMinutes when the clock passes it", async () => {
      const s = await setup(1000, { holdTtlMinutes: 45 });
      const held = (await hold(s.manager, s.cashback, 200)).json();

      const early = await call(t.app, "POST", "/v1/clock/advance", { key: s.key, body: { to: "2026-01-15T12:44:59Z" } });
      expect(early.json()).toEqual({ now: "2026-01-15T12:44:59.000Z", ran: { matured: 0, released: 0, expired: 0, reminded: 0 } });
      expect((await call(t.app, "GET", `/v1/redemptions/${held.id}`, { key: s.key })).json().status).toBe("held");
      expect(await member(s.key)).toMatchObject({ balance: 800, held: 200 });

      const due = await call(t.app, "POST", "/v1/clock/advance", { key: s.key, body: { to: "2026-01-15T12:45:00Z" } });
      expect(due.json()).toEqual({ now: "2026-01-15T12:45:00.000Z", ran: { matured: 0, released: 1, expired: 0, reminded: 0 } });
      const after = (await call(t.app, "GET", `/v1/redemptions/${held.id}`, { key: s.key })).json();
      expect(after).toMatchObject({ id: held.id, status: "released", updatedAt: "2026-01-15T12:45:00.000Z" });
      expect(await member(s.key)).toMatchObject({ balance: 1000, held: 0 });
      const release = (await call(t.app, "GET", "/v1/members/m/activity", { key: s.key })).json().data[0];
      expect(release).toMatchObject({ type: "release", points: 200, balanceAfter: 1000, reason: "hold timed out", actor: "system", at: "2026-01-15T12:45:00.000Z" });

      const capture = await call(t.app, "POST", `/v1/redemptions/${held.id}/capture`, { key: s.manager });
      expectProblem(capture, 409, "invalid_state");
      expect(await member(s.key)).toMatchObject({ balance: 1000, held: 0 });
    });

    it("the default hold time is 30 minutes", async () => {
      const s = await setup(1000);
      const held = (await hold(s.manager, s.cashback, 100)).json();
      const res = await call(t.app, "POST", "/v1/clock/advance", { key: s.key, body: { to: "2026-01-15T12:31:00Z" } });
      expect(res.json().ran.released).toBe(1);
      expect((await call(t.app, "GET", `/v1/redemptions/${held.id}`, { key: s.key })).json().status).toBe("released");
    });

    it("validates points: required, in steps of the method's points, within maxPointsPerOrder", async () => {
      const s = await setup(10_000);
      const on = { memberId: "m", methodId: s.cashback, orderId: "ord-v", cart: cart() };
      expectFieldErrors(await redeem(s.manager, on), [{ path: "points", message: "cashback needs the number of points to spend" }]);
      expectFieldErrors(await redeem(s.manager, { ...on, points: 15 }), [{ path: "points", message: "spend cashback points in steps of 10" }]);
      expectFieldErrors(await redeem(s.manager, { ...on, points: 0 }), ["points"]);
      expectFieldErrors(await redeem(s.manager, { ...on, points: -10 }), ["points"]);
      // Past the order's cap: refused with the points still allowed on that order.
      const past = expectProblem(await redeem(s.manager, { ...on, points: 510 }), 409, "exceeds_order_limit");
      expect(past.maxPoints).toBe(500);
      expect(past.reason).toBeUndefined();
      expect(await member(s.key)).toMatchObject({ balance: 10_000, held: 0 });
    });

    it("names the order and carries its cart, or refers to an order already recorded (SPEC §3)", async () => {
      const s = await setup(10_000);
      const base = { memberId: "m", methodId: s.cashback, points: 100 };
      expectFieldErrors(await redeem(s.manager, base), [{ path: "orderId", message: "cashback is spent on an order: name its orderId" }]);
      expectFieldErrors(await redeem(s.manager, { ...base, cart: cart() }), ["orderId"]);
      expectFieldErrors(await redeem(s.manager, { ...base, orderId: "ord-unknown" }), ["cart"]);
      expect(await member(s.key)).toMatchObject({ balance: 10_000, held: 0 });
      expect(await t.db.query("SELECT id FROM redemptions WHERE store_id = $1", [s.store.id])).toHaveLength(0);

      // An order recorded first: its lines are the cart ($30 → at most 300 points).
      const put = await call(t.app, "PUT", "/v1/orders/ord-known", { key: s.key, body: { memberId: "m", lines: [{ sku: "tee", quantity: 1, amount: 3_000 }], placedAt: T0 } });
      expect(put.statusCode).toBe(200);
      expect(expectProblem(await redeem(s.manager, { ...base, points: 310, orderId: "ord-known" }), 409, "exceeds_order_limit").maxPoints).toBe(300);
      const held = await redeem(s.manager, { ...base, orderId: "ord-known" });
      expect(held.statusCode).toBe(201);
      expect(held.json()).toMatchObject({ status: "held", points: 100, discount: 1000, orderId: "ord-known" });
      expect(await member(s.key)).toMatchObject({ balance: 9_900, held: 100 });
    });

    it("the limits hold for all the order's cashback together, held and captured", async () => {
      const s = await setup(10_000);
      const on = (orderId: string, points: number) => redeem(s.manager, { memberId: "m", methodId: s.cashback, points, orderId, cart: cart() });
      const first = await on("ord-split", 300);
      expect(first.statusCode).toBe(201);
      expect((await call(t.app, "POST", `/v1/redemptions/${first.json().id}/capture`, { key: s.manager })).statusCode).toBe(200);
      expect((await on("ord-split", 150)).statusCode).toBe(201);
      // 300 captured + 150 held: 50 of the 500 per order are left.
      expect(expectProblem(await on("ord-split", 100), 409, "exceeds_order_limit").maxPoints).toBe(50);
      expect((await on("ord-split", 50)).statusCode).toBe(201);
      const full = expectProblem(await on("ord-split", 10), 409, "exceeds_order_limit");
      expect(full).toMatchObject({ maxPoints: 0, reason: "order_limit_reached" });
      // Another order has its own limit.
      expect((await on("ord-other", 500)).statusCode).toBe(201);
      expect(await member(s.key)).toMatchObject({ balance: 9_000, held: 700 });
    });
  });

  describe("refusals", () => {
    it("a disabled program refuses with 409 program_disabled and moves no points", async () => {
      const s = await setup(1000, { enabled: false });
      for (const body of [{ memberId: "m", methodId: s.catalog }, { memberId: "m", methodId: s.cashback, points: 100, orderId: "ord-off", cart: cart() }]) {
        const res = await redeem(s.manager, body);
        const problem = expectProblem(res, 409, "program_disabled");
        expect(problem.title).toBe("The points program is disabled");
      }
      expect(await member(s.key)).toMatchObject({ balance: 1000, held: 0 });
      // Re-enabled, it works again.
      await call(t.app, "PATCH", "/v1/program", { key: s.key, body: { enabled: true } });
      expect((await redeem(s.manager, { memberId: "m", methodId: s.catalog })).statusCode).toBe(201);
    });

    it("not enough points is 409 insufficient_points with what is available", async () => {
      const s = await setup(199);
      const cat = expectProblem(await redeem(s.manager, { memberId: "m", methodId: s.catalog }), 409, "insufficient_points");
      expect(cat).toMatchObject({ available: 199, title: "Not enough points" });
      const cash = expectProblem(await hold(s.manager, s.cashback, 200), 409, "insufficient_points");
      expect(cash.available).toBe(199);
      // Held points are not spendable.
      expect((await hold(s.manager, s.cashback, 190)).statusCode).toBe(201);
      expect(expectProblem(await hold(s.manager, s.cashback, 10), 409, "insufficient_points").available).toBe(9);
      expect(await member(s.key)).toMatchObject({ balance: 9, held: 190 });
      const redemptions = await t.db.query("SELECT id FROM redemptions WHERE store_id = $1", [s.store.id]);
      expect(redemptions).toHaveLength(1);
    });

    it("cashback minBalance is a threshold on the balance", async () => {
      const s = await setup(400);
      const id = (await call(t.app, "POST", "/v1/redeem-methods", { key: s.key, body: { type: "cashback", name: "Min", points: 10, amount: 100, minBalance: 500 } })).json().id;
      const res = await hold(s.manager, id, 100);
      expect(expectProblem(res, 409, "insufficient_points").detail).toBe("cashback needs a balance of at least 500 points");
    });

    it("names the field for an unknown, disabled or off-channel method and a missing member id", async () => {
      const s = await setup(1000);
      expectFieldErrors(await redeem(s.manager, { memberId: "m", methodId: "rm_unknown" }), [{ path: "methodId", message: "no such redeem method" }]);
      await call(t.app, "PATCH", `/v1/redeem-methods/${s.catalog}`, { key: s.key, body: { enabled: false } });
      expectFieldErrors(await redeem(s.manager, { memberId: "m", methodId: s.catalog }), [{ path: "methodId", message: "this redeem method is disabled" }]);
      expectFieldErrors(await redeem(s.manager, { memberId: "m", methodId: s.cashback, points: 10, orderId: "ord-pos", cart: cart(), channel: "pos" }), [{ path: "channel", message: "this redeem method is not offered on channel pos" }]);
      expectFieldErrors(await redeem(s.manager, { methodId: s.cashback, points: 10 }), [{ path: "memberId", message: "is required" }]);
      expectFieldErrors(await redeem(s.manager, { memberId: "m", methodId: s.cashback, points: 10, coupon: "X" }), ["body"]);
      expect(await member(s.key)).toMatchObject({ balance: 1000, held: 0 });
    });

    it("an unknown member or redemption is 404", async () => {
      const s = await setup(1000);
      expectProblem(await redeem(s.manager, { memberId: "ghost", methodId: s.catalog }), 404, "not_found");
      expectProblem(await call(t.app, "GET", "/v1/redemptions/red_nope", { key: s.key }), 404, "not_found");
      expectProblem(await call(t.app, "POST", "/v1/redemptions/red_nope/capture", { key: s.key }), 404, "not_found");
      expectProblem(await call(t.app, "POST", "/v1/redemptions/red_nope/release", { key: s.key }), 404, "not_found");
    });
  });

  describe("idempotency", () => {
    it("a replayed redemption returns the same redemption and debits once", async () => {
      const s = await setup(1000);
      const headers = { "idempotency-key": "checkout-42" };
      const first = await redeem(s.manager, { memberId: "m", methodId: s.catalog }, headers);
      const second = await redeem(s.manager, { memberId: "m", methodId: s.catalog }, headers);
      expect(second.statusCode).toBe(201);
      expect(second.headers["idempotent-replayed"]).toBe("true");
      expect(second.json()).toEqual(first.json());
      expect(await member(s.key)).toMatchObject({ balance: 800 });
      expectProblem(await hold(s.manager, s.cashback, 10, headers), 409, "idempotency_conflict");

      // capture with a key: the replay does not fail as "already completed"
      const held = (await hold(s.manager, s.cashback, 10)).json();
      const h = { "idempotency-key": "capture-1" };
      const c1 = await call(t.app, "POST", `/v1/redemptions/${held.id}/capture`, { key: s.manager, headers: h });
      const c2 = await call(t.app, "POST", `/v1/redemptions/${held.id}/capture`, { key: s.manager, headers: h });
      expect(c1.statusCode).toBe(200);
      expect(c2.statusCode).toBe(200);
      expect(c2.headers["idempotent-replayed"]).toBe("true");
      expect(c2.json()).toEqual(c1.json());
    });
  });

  describe("security", () => {
    it("without a valid key: 401 unauthorized", async () => {
      const s = await setup(1000);
      const held = (await hold(s.manager, s.cashback, 100)).json();
      await expectUnauthenticated(t.app, { method: "POST", url: "/v1/redemptions", body: { memberId: "m", methodId: s.catalog } }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "GET", url: `/v1/redemptions/${held.id}` }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "POST", url: `/v1/redemptions/${held.id}/capture` }, OPERATOR_TOKEN);
      await expectUnauthenticated(t.app, { method: "POST", url: `/v1/redemptions/${held.id}/release` }, OPERATOR_TOKEN);
      expect(await member(s.key)).toMatchObject({ balance: 900, held: 100 });
    });

    it("a viewer may read a redemption but gets 403 on redeem, capture and release", async () => {
      const s = await setup(1000);
      const viewer = await s.store.key("viewer");
      const held = (await hold(s.manager, s.cashback, 100)).json();
      expect((await call(t.app, "GET", `/v1/redemptions/${held.id}`, { key: viewer })).json().status).toBe("held");
      await expectForbidden(t.app, { method: "POST", url: "/v1/redemptions", body: { memberId: "m", methodId: s.catalog } }, viewer, "points_manager");
      await expectForbidden(t.app, { method: "POST", url: `/v1/redemptions/${held.id}/capture` }, viewer, "points_manager");
      await expectForbidden(t.app, { method: "POST", url: `/v1/redemptions/${held.id}/release` }, viewer, "points_manager");
      expect(await member(s.key)).toMatchObject({ balance: 900, held: 100 });
    });

    it("another store's key gets 404 for this store's redemptions and cannot capture or release them", async () => {
      const a = await setup(1000);
      const b = await setup(1000);
      const held = (await hold(a.manager, a.cashback, 100)).json();
      for (const [method, url] of [["GET", `/v1/redemptions/${held.id}`], ["POST", `/v1/redemptions/${held.id}/capture`], ["POST", `/v1/redemptions/${held.id}/release`]] as const) {
        const res = await call(t.app, method, url, { key: b.key });
        expectProblem(res, 404, "not_found");
        expect(res.body).not.toContain(held.id.slice(4));
      }
      // B cannot redeem with A's method id.
      expectFieldErrors(await redeem(b.manager, { memberId: "m", methodId: a.catalog }), ["methodId"]);
      expect(await member(a.key)).toMatchObject({ balance: 900, held: 100 });
      expect((await call(t.app, "GET", `/v1/redemptions/${held.id}`, { key: a.key })).json().status).toBe("held");
      expect(await member(b.key)).toMatchObject({ balance: 1000, held: 0 });
    });

    it("malformed JSON bodies get a 4xx problem, never 500", async () => {
      const s = await setup(1000);
      await expectMalformedBodiesRefused(t.app, "POST", "/v1/redemptions", s.manager);
      expectFieldErrors(await redeem(s.manager, { memberId: "m\u0000", methodId: s.catalog }), ["memberId"]);
      expect(await member(s.key)).toMatchObject({ balance: 1000 });
    });
  });
});

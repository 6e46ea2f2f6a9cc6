import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kindsUnderTest } from "../support/db.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { expectProblem } from "../support/http.ts";
import { expectLedgerClean, orderRule, setupStore, type Client } from "./helpers.ts";

/**
 * Concurrent checkout traffic through HTTP: holds never overdraw, a hold is finished once, and
 * concurrent updates of one order leave it in one of the states sent, with a clean ledger.
 */
for (const kind of kindsUnderTest()) {
  describe(`checkout under concurrency (${kind})`, () => {
    let t: TestApp;
    let c: Client;
    let cash: string;
    const stores: string[] = [];

    beforeAll(async () => {
      t = await startTestApp(kind);
      const s = await setupStore(t, { rules: [orderRule()], methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }] });
      c = s.c;
      cash = s.methodIds[0]!;
      stores.push(c.store.id);
    });
    afterAll(async () => {
      await expectLedgerClean(t, stores);
      await t.close();
    });

    /** A $10 cart: room for 1,000 points at 1 point = 1 cent. */
    const cart = { lines: [{ sku: "a", quantity: 1, amount: 1_000 }] };

    it("40 concurrent cashback holds on one member never overdraw", async () => {
      await c.adjust("amy", 1_000);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => c.post("/v1/redemptions", { memberId: "amy", methodId: cash, points: 70, orderId: `h${i}`, cart })),
      );
      const ok = results.filter((r) => r.statusCode === 201);
      const refused = results.filter((r) => r.statusCode !== 201);
      expect(ok).toHaveLength(Math.floor(1_000 / 70));
      for (const r of refused) expectProblem(r, 409, "insufficient_points");
      const held = ok.reduce((s, r) => s + (r.json().points as number), 0);
      expect(held).toBe(980);
      expect(await c.member("amy")).toMatchObject({ balance: 20, held: 980, debt: 0 });
      // Releasing them all gives everything back.
      await Promise.all(ok.map((r) => c.post(`/v1/redemptions/${r.json().id}/release`)));
      expect(await c.member("amy")).toMatchObject({ balance: 1_000, held: 0 });
      await expectLedgerClean(t, stores);
    });

    it("holds for several members at once each draw only on their own points", async () => {
      const members = ["b1", "b2", "b3", "b4"];
      for (const m of members) await c.adjust(m, 100);
      const results = await Promise.all(
        members.flatMap((m) => Array.from({ length: 8 }, (_, i) => c.post("/v1/redemptions", { memberId: m, methodId: cash, points: 30, orderId: `${m}-${i}`, cart }))),
      );
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(members.length * 3);
      for (const r of results.filter((r) => r.statusCode !== 201)) expectProblem(r, 409, "insufficient_points");
      for (const m of members) expect(await c.member(m)).toMatchObject({ balance: 10, held: 90 });
      await expectLedgerClean(t, stores);
    });

    it("concurrent holds on one order, by several members, never pass the order's limit together", async () => {
      const members = ["s1", "s2", "s3", "s4", "s5"];
      for (const m of members) await c.adjust(m, 1_000);
      // A $3 cart: 300 points for the whole order, whoever spends them.
      const small = { lines: [{ sku: "a", quantity: 1, amount: 300 }] };
      const results = await Promise.all(
        members.flatMap((m) => Array.from({ length: 4 }, () => c.post("/v1/redemptions", { memberId: m, methodId: cash, points: 40, orderId: "shared", cart: small }))),
      );
      const ok = results.filter((r) => r.statusCode === 201);
      expect(ok).toHaveLength(7);
      for (const r of results.filter((r) => r.statusCode !== 201)) {
        // Seven holds of 40 take 280 of the 300: 20 are left for anyone else.
        expect(expectProblem(r, 409, "exceeds_order_limit").maxPoints).toBe(20);
      }
      const held = await Promise.all(members.map(async (m) => (await c.member(m)).held as number));
      expect(held.reduce((a, b) => a + b, 0)).toBe(280);
      // Released, the order's points are free again.
      await Promise.all(ok.map((r) => c.post(`/v1/redemptions/${r.json().id}/release`)));
      expect((await c.post("/v1/redemptions", { memberId: "s1", methodId: cash, points: 300, orderId: "shared", cart: small })).statusCode).toBe(201);
      await expectLedgerClean(t, stores);
    });

    it("concurrent capture and release of one redemption: exactly one wins", async () => {
      await c.adjust("cat", 2_000);
      let captured = 0;
      for (let round = 0; round < 8; round++) {
        const hold = await c.post("/v1/redemptions", { memberId: "cat", methodId: cash, points: 100, orderId: `cat-${round}`, cart });
        expect(hold.statusCode).toBe(201);
        const id = hold.json().id;
        const actions = round % 2 === 0 ? ["capture", "release"] : ["release", "capture"];
        const [a, b] = await Promise.all(actions.map((action) => c.post(`/v1/redemptions/${id}/${action}`)));
        const results = [a!, b!];
        const winners = results.filter((r) => r.statusCode === 200);
        expect(winners).toHaveLength(1);
        const loser = results.find((r) => r.statusCode !== 200)!;
        expectProblem(loser, 409, "invalid_state");
        const status = (await c.json(`/v1/redemptions/${id}`)).status;
        expect(status).toBe(winners[0]!.json().status);
        if (status === "completed") captured += 100;
        else expect(status).toBe("released");
      }
      // Two captures at once: one succeeds.
      const hold = (await c.post("/v1/redemptions", { memberId: "cat", methodId: cash, points: 100, orderId: "cat-twice", cart })).json();
      const twice = await Promise.all([c.post(`/v1/redemptions/${hold.id}/capture`), c.post(`/v1/redemptions/${hold.id}/capture`)]);
      expect(twice.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      captured += 100;
      expect(await c.member("cat")).toMatchObject({ balance: 2_000 - captured, held: 0 });
      await expectLedgerClean(t, stores);
    });

    it("concurrent PUTs of one order with different states end in one of them", async () => {
      const PLACED = "2026-02-27T10:00:00Z";
      const PAID = "2026-02-27T10:05:00Z";
      const lines = (amount: number) => [{ sku: "a", quantity: 1, amount }, { sku: "b", quantity: 1, amount: 4_000 }];
      const states: Array<{ body: Record<string, unknown>; points: number }> = [
        { body: { lines: lines(6_000), placedAt: PLACED }, points: 0 },
        { body: { lines: lines(6_000), placedAt: PLACED, paidAt: PAID }, points: 100 },
        { body: { lines: lines(16_000), placedAt: PLACED, paidAt: PAID }, points: 200 },
        { body: { lines: lines(6_000), placedAt: PLACED, paidAt: PAID, refunds: [{ id: "r", lines: [{ sku: "b", quantity: 1, amount: 4_000 }], amount: 4_000, at: PAID }] }, points: 60 },
        { body: { lines: lines(6_000), placedAt: PLACED, paidAt: PAID, canceledAt: PAID }, points: 0 },
      ];
      let total = 0;
      for (let round = 0; round < 6; round++) {
        const orderId = `race-${round}`;
        // Round 0 starts from nothing; later rounds from an order that already earned.
        if (round > 0) await c.order(orderId, { memberId: "dan", ...states[1]!.body });
        const order = states.map((s) => ({ memberId: "dan", ...s.body }));
        const results = await Promise.all(order.map((body) => c.put(`/v1/orders/${orderId}`, body)));
        for (const r of results) expect(r.statusCode, r.body).toBe(200);
        const final = await c.json(`/v1/orders/${orderId}`);
        const signature = (o: Record<string, any>) =>
          [o.lines.map((l: any) => `${l.sku}:${l.amount}`).join("|"), o.paidAt ?? null, o.canceledAt ?? null, (o.refunds ?? []).length].join(" ");
        const winner = states.findIndex((s) => signature(s.body) === signature(final));
        expect(winner, JSON.stringify(final)).toBeGreaterThanOrEqual(0);
        expect(final.points.earned + final.points.pending).toBe(states[winner]!.points);
        // Sending the winning state again changes nothing: the points already match it.
        const again = await c.order(orderId, { memberId: "dan", ...states[winner]!.body });
        expect(again.points).toEqual(final.points);
        total += states[winner]!.points;
        expect(await c.member("dan")).toMatchObject({ balance: total, pending: 0, debt: 0 });
      }
      await expectLedgerClean(t, stores);
    });

    it("a cancellation racing the capture of the order's cashback gives the points back either way", async () => {
      await c.adjust("eve", 500);
      for (let round = 0; round < 6; round++) {
        const orderId = `cc-${round}`;
        const body = { memberId: "eve", lines: [{ sku: "a", quantity: 1, amount: 1_000 }], placedAt: "2026-02-27T10:00:00Z" };
        const hold = (await c.post("/v1/redemptions", { memberId: "eve", methodId: cash, points: 200, orderId, cart: { lines: body.lines } })).json();
        await c.order(orderId, body);
        const [put, capture] = await Promise.all([
          c.put(`/v1/orders/${orderId}`, { ...body, canceledAt: "2026-02-27T11:00:00Z" }),
          c.post(`/v1/redemptions/${hold.id}/capture`),
        ]);
        expect(put.statusCode, put.body).toBe(200);
        expect(put.json().points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
        const status = (await c.json(`/v1/redemptions/${hold.id}`)).status;
        if (capture.statusCode === 200) expect(status).toBe("returned");
        else {
          expectProblem(capture, 409, "invalid_state");
          expect(status).toBe("released");
        }
        expect(await c.member("eve")).toMatchObject({ balance: 500, held: 0, debt: 0 });
      }
      await expectLedgerClean(t, stores);
    });
  });
}

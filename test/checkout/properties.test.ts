import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../src/storage/verify.ts";
import { kindsUnderTest } from "../support/db.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { orderRule, setupStore, type Client } from "./helpers.ts";

/**
 * Random interleavings of order updates (create, pay, deliver, edit lines, refund, cancel),
 * cashback holds, captures and releases on those orders, and clock advances, on one sandbox
 * store. After each run the ledger verifies clean and the member's balance, pending and held
 * points, and each order's points, equal what SPEC says they should be given the orders' final
 * states and the redemptions' outcomes.
 *
 * Every hold names its order and carries the cart (the order's lines as the model has them), or,
 * once the order was sent, may leave the cart out so that Pointbook uses the order's lines. The
 * order's cashback, held and captured together, never passes what its cart allows: a hold that
 * would is 409 exceeds_order_limit with the points still allowed; one within the order but past
 * the balance is 409 insufficient_points.
 *
 * The program: $1 = 1 point on the subtotal when paid, available a day later; 250 points when
 * delivered if the subtotal (after refunds) is at least $50, available at once; cashback 1 point = 1 cent; holds
 * time out after 30 minutes; points never expire; clawback allow_negative.
 */

const HOLD_TTL_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

type Action =
  | { kind: "create"; order: number }
  | { kind: "pay" | "deliver" | "cancel" | "resend"; order: number }
  | { kind: "edit"; order: number; amounts: number[] }
  | { kind: "refundLine"; order: number; line: number }
  | { kind: "refundAmount"; order: number; amount: number }
  | { kind: "hold"; order: number; points: number; capture: boolean; cart: boolean }
  | { kind: "capture"; which: number }
  | { kind: "release"; which: number }
  | { kind: "advance"; minutes: number };

const orderIndex = fc.integer({ min: 0, max: 1 });
// Small lines too, so that an order's cart, not only the balance, limits its cashback.
const amounts = fc.array(fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: 0, max: 600 })), { minLength: 1, maxLength: 3 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("create" as const), order: orderIndex }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("pay" as const), order: orderIndex }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("deliver" as const), order: orderIndex }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("edit" as const), order: orderIndex, amounts }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("refundLine" as const), order: orderIndex, line: fc.nat({ max: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("refundAmount" as const), order: orderIndex, amount: fc.integer({ min: 1, max: 15_000 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("cancel" as const), order: orderIndex }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("resend" as const), order: orderIndex }), weight: 1 },
  // A hold at checkout, often captured at once (the order is paid right away); with the cart, or
  // (when the order is already recorded) without it.
  { arbitrary: fc.record({ kind: fc.constant("hold" as const), order: orderIndex, points: fc.integer({ min: 1, max: 900 }), capture: fc.boolean(), cart: fc.boolean() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("capture" as const), which: fc.nat({ max: 5 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("release" as const), which: fc.nat({ max: 5 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("advance" as const), minutes: fc.oneof(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 600, max: 3 * 1_440 })) }), weight: 2 },
);
const runArb = fc.record({
  initial: fc.integer({ min: 1, max: 300 }),
  /** The lines each order starts with, when its first update arrives. */
  lines: fc.tuple(amounts, amounts),
  actions: fc.array(actionArb, { minLength: 1, maxLength: 16 }),
});

/** An order as last sent, plus what the model needs to know about its refunds. */
interface ModelOrder {
  id: string;
  lines: Array<{ sku: string; amount: number }>;
  placedAt: number;
  paidAt: number | null;
  deliveredAt: number | null;
  canceledAt: number | null;
  refunds: Array<{ id: string; lines: Array<{ sku: string; quantity: number; amount: number }>; amount: number; at: string }>;
  /** Refunded money, following SPEC: a line refund takes that line; an amount refund at most what is left. */
  refunded: number;
  lineRefunded: Set<number>;
  amountRefunds: number;
  /** Points each rule had awarded after the last update, and the total reductions, as the order shows them. */
  current: { perAmount: number; delivered: number };
  reversed: number;
  /** Whether Pointbook has seen the order yet. */
  sent: boolean;
}

interface ModelRedemption {
  id: string;
  order: number;
  points: number;
  status: "held" | "completed" | "released";
  expiresAt: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

for (const kind of kindsUnderTest()) {
  describe(`checkout model (${kind})`, () => {
    let t: TestApp;
    let c: Client;
    let cash: string;
    let now = Date.parse("2026-03-01T00:00:00Z");
    let run = 0;

    beforeAll(async () => {
      t = await startTestApp(kind);
      const s = await setupStore(t, {
        clock: iso(now),
        program: { holdTtlMinutes: 30, clawback: "allow_negative", validity: { type: "never" } },
        rules: [
          orderRule({ name: "Per dollar", timing: { awardOn: "paid", delayDays: 1 } }),
          orderRule({ name: "Delivered bonus", award: { type: "fixed", points: 250 }, timing: { awardOn: "delivered", delayDays: 0 }, minAmount: 5_000 }),
        ],
        methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }],
      });
      c = s.c;
      cash = s.methodIds[0]!;
    });
    afterAll(async () => {
      expect(await verifyLedger(t.db, c.store.id)).toEqual([]);
      await t.close();
    });

    /** What SPEC says each rule awards on the order as it stands. */
    function targets(o: ModelOrder): { perAmount: number; delivered: number } {
      if (o.canceledAt !== null) return { perAmount: 0, delivered: 0 };
      const base = Math.max(0, o.lines.reduce((s, l) => s + l.amount, 0) - o.refunded);
      return {
        perAmount: o.paidAt !== null ? Math.floor(base / 100) : 0,
        delivered: o.deliveredAt !== null && base >= 5_000 ? 250 : 0,
      };
    }

    /** Spent points SPEC gives back on a captured cashback: all on cancellation, else the refunded share (floor). */
    function returned(o: ModelOrder | undefined, r: ModelRedemption): number {
      if (!o) return 0;
      if (o.canceledAt !== null) return r.points;
      const subtotal = o.lines.reduce((s, l) => s + l.amount, 0);
      return subtotal === 0 ? 0 : Math.floor((r.points * Math.min(o.refunded, subtotal)) / subtotal);
    }

    const live = (r: ModelRedemption) => r.status === "held" && now < r.expiresAt;

    /**
     * What SPEC lets a new hold take on the order (1 point = 1 cent, no other cap): the cart's
     * lines, less the points of the order's cashback that is live or captured.
     */
    function orderAllowance(cartTotal: number, redemptions: readonly ModelRedemption[], order: number): number {
      const used = redemptions.filter((red) => red.order === order && (live(red) || red.status === "completed")).reduce((sum, red) => sum + red.points, 0);
      return Math.max(0, cartTotal - used);
    }

    /** Applies an order update to the model; false when it does not apply to the order's state. */
    function applyUpdate(o: ModelOrder, a: Exclude<Action, { kind: "hold" | "capture" | "release" | "advance" }>): boolean {
      switch (a.kind) {
        case "create":
          return false;
        case "resend":
          return true;
        case "pay":
          if (o.paidAt !== null) return false;
          o.paidAt = now;
          return true;
        case "deliver":
          // Cash on delivery: an order may be delivered before it is paid.
          if (o.deliveredAt !== null) return false;
          o.deliveredAt = now;
          return true;
        case "cancel":
          o.canceledAt = now;
          return true;
        case "edit":
          // Lines are not edited once refunds started: a refund names the lines as they were.
          if (o.refunds.length > 0) return false;
          o.lines = o.lines.map((l, i) => ({ sku: l.sku, amount: a.amounts[i % a.amounts.length]! }));
          return true;
        case "refundLine": {
          // A whole line comes back, before any refund by amount touched it.
          const i = a.line % o.lines.length;
          if (o.lineRefunded.has(i) || o.amountRefunds > 0) return false;
          const line = o.lines[i]!;
          o.refunds.push({ id: `rl${i}`, lines: [{ sku: line.sku, quantity: 1, amount: line.amount }], amount: line.amount, at: iso(now) });
          o.lineRefunded.add(i);
          o.refunded += line.amount;
          return true;
        }
        case "refundAmount": {
          const left = o.lines.reduce((sum, l) => sum + l.amount, 0) - o.refunded;
          o.refunds.push({ id: `ra${o.amountRefunds++}`, lines: [], amount: a.amount, at: iso(now) });
          o.refunded += Math.min(a.amount, left);
          return true;
        }
      }
    }

    it("keeps the ledger exact and equal to the model", async () => {
      await fc.assert(
        fc.asyncProperty(runArb, async ({ initial, lines, actions }) => {
          const r = ++run;
          const memberId = `p${r}`;
          const orders: Array<ModelOrder | undefined> = [undefined, undefined];
          const redemptions: ModelRedemption[] = [];
          const log: string[] = [];

          const model = () => {
            let available = initial;
            let pending = 0;
            for (const o of orders) {
              if (!o) continue;
              const tg = targets(o);
              if (tg.perAmount > 0) {
                if (o.paidAt! + DAY_MS <= now) available += tg.perAmount;
                else pending += tg.perAmount;
              }
              available += tg.delivered;
            }
            let held = 0;
            let spent = 0;
            for (const red of redemptions) {
              if (live(red)) held += red.points;
              if (red.status === "completed") spent += red.points - returned(orders[red.order], red);
            }
            return { balance: available - held - spent, pending, held };
          };

          const put = async (o: ModelOrder) => {
            const body = {
              memberId, lines: o.lines.map((l) => ({ sku: l.sku, quantity: 1, amount: l.amount })), placedAt: iso(o.placedAt),
              ...(o.paidAt !== null ? { paidAt: iso(o.paidAt) } : {}),
              ...(o.deliveredAt !== null ? { deliveredAt: iso(o.deliveredAt) } : {}),
              ...(o.canceledAt !== null ? { canceledAt: iso(o.canceledAt) } : {}),
              refunds: o.refunds,
            };
            const res = await c.put(`/v1/orders/${o.id}`, body);
            expect(res.statusCode, `${log.join("; ")} → ${res.body}`).toBe(200);
            o.sent = true;
            // The order's reductions accumulate as its target falls; held cashback on a canceled order is released.
            const tg = targets(o);
            o.reversed += Math.max(0, o.current.perAmount - tg.perAmount) + Math.max(0, o.current.delivered - tg.delivered);
            o.current = tg;
            if (o.canceledAt !== null) {
              for (const red of redemptions) if (red.order === orders.indexOf(o) && live(red)) red.status = "released";
            }
          };

          await c.adjust(memberId, initial);
          for (const a of actions) {
            log.push(JSON.stringify(a));
            if (a.kind === "advance") {
              now += a.minutes * 60_000;
              await c.advance(iso(now));
              // Timed-out holds are released by the clock.
              for (const red of redemptions) if (red.status === "held" && red.expiresAt <= now) red.status = "released";
              continue;
            }
            if (a.kind === "capture" || a.kind === "release") {
              if (redemptions.length === 0) continue;
              const red = redemptions[a.which % redemptions.length]!;
              const o = orders[red.order];
              // Points are captured when the order is paid: not after it was refunded or canceled.
              if (a.kind === "capture" && o && (o.refunds.length > 0 || o.canceledAt !== null)) continue;
              const res = await c.post(`/v1/redemptions/${red.id}/${a.kind}`);
              if (live(red)) {
                expect(res.statusCode, `${log.join("; ")} → ${res.body}`).toBe(200);
                red.status = a.kind === "capture" ? "completed" : "released";
                expect(res.json().status).toBe(red.status);
              } else {
                expect(res.statusCode, `${log.join("; ")} → ${res.body}`).toBe(409);
                expect(res.json().code).toBe("invalid_state");
              }
              continue;
            }
            const orderId = `p${r}-o${a.order}`;
            if (a.kind !== "hold" && !orders[a.order]) {
              // The order's first webhook may carry any state: it starts as placed a minute ago.
              orders[a.order] = {
                id: orderId, lines: lines[a.order]!.map((amount, i) => ({ sku: `s${i}`, amount })), placedAt: now - 60_000, paidAt: null,
                deliveredAt: null, canceledAt: null, refunds: [], refunded: 0, lineRefunded: new Set(), amountRefunds: 0,
                current: { perAmount: 0, delivered: 0 }, reversed: 0, sent: false,
              };
            }
            const o = orders[a.order];
            switch (a.kind) {
              case "hold": {
                if (o?.canceledAt != null) continue;
                // The cart is the order as the model has it; an order not sent yet starts with its first lines.
                const cartLines = o ? o.lines : lines[a.order]!.map((amount, i) => ({ sku: `s${i}`, amount }));
                const withCart = a.cart || !o?.sent;
                const cart = { lines: cartLines.map((l) => ({ sku: l.sku, quantity: 1, amount: l.amount })) };
                const res = await c.post("/v1/redemptions", { memberId, methodId: cash, points: a.points, orderId, ...(withCart ? { cart } : {}) });
                const cartTotal = cartLines.reduce((sum, l) => sum + l.amount, 0);
                const allowed = orderAllowance(cartTotal, redemptions, a.order);
                const balance = model().balance;
                if (a.points > allowed) {
                  expect(res.statusCode, `${log.join("; ")} → ${res.body}`).toBe(409);
                  // Past the balance as well, either refusal is right (SPEC does not rank them).
                  if (a.points > balance && res.json().code === "insufficient_points") {
                    expect(res.json().available, log.join("; ")).toBe(Math.max(0, balance));
                  } else {
                    expect(res.json(), log.join("; ")).toMatchObject({
                      code: "exceeds_order_limit", maxPoints: allowed,
                      ...(allowed === 0 ? { reason: cartTotal === 0 ? "no_eligible_products" : "order_limit_reached" } : {}),
                    });
                  }
                } else if (balance >= a.points) {
                  expect(res.statusCode, `${log.join("; ")} → ${res.body}`).toBe(201);
                  const red: ModelRedemption = { id: res.json().id, order: a.order, points: a.points, status: "held", expiresAt: now + HOLD_TTL_MS };
                  redemptions.push(red);
                  if (a.capture && !(o && o.refunds.length > 0)) {
                    const captured = await c.post(`/v1/redemptions/${red.id}/capture`);
                    expect(captured.statusCode, `${log.join("; ")} → ${captured.body}`).toBe(200);
                    red.status = "completed";
                  }
                } else {
                  expect(res.statusCode, `${log.join("; ")} → ${res.body}`).toBe(409);
                  expect(res.json().code).toBe("insufficient_points");
                }
                break;
              }
              default: {
                if (!o || o.canceledAt !== null) continue;
                if (applyUpdate(o, a) || !o.sent) await put(o);
              }
            }
          }

          const expected = model();
          const member = await c.member(memberId);
          expect({ balance: member.balance, pending: member.pending, held: member.held }, log.join("; ")).toEqual(expected);
          for (const o of orders) {
            if (!o) continue;
            const view = await c.json(`/v1/orders/${o.id}`);
            const tg = targets(o);
            const index = orders.indexOf(o);
            const pendingPerAmount = tg.perAmount > 0 && o.paidAt! + DAY_MS > now ? tg.perAmount : 0;
            const redeemed = redemptions
              .filter((red) => red.order === index)
              .reduce((s, red) => s + (live(red) ? red.points : red.status === "completed" ? red.points - returned(o, red) : 0), 0);
            expect(view.points, `${o.id}: ${log.join("; ")}`).toEqual({
              earned: tg.perAmount + tg.delivered - pendingPerAmount,
              pending: pendingPerAmount,
              reversed: o.reversed,
              redeemed,
            });
          }
          expect(await verifyLedger(t.db, c.store.id), log.join("; ")).toEqual([]);
        }),
        // FC_SEED and FC_PATH replay a failure as printed.
        { numRuns: 100, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) },
      );
    }, 900_000);
  });
}

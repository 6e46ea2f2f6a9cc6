import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.ts";
import { fixtureWith, member, orderPoints, sendShopify, sendWoo, storeForExamples } from "./support.ts";

/**
 * SPEC §6: whatever order a platform's deliveries arrive in, and however often each is repeated,
 * the points come out the same. Each case is a random order (lines, refunds), told by a set of
 * deliveries; they are sent in a random order with random repeats to one store, and in the order
 * they happened to another, and both stores must agree.
 */

interface Delivery {
  id: string;
  topic: string;
  body: string;
}

const replay = { ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) };

const lineArb = fc.record({ cents: fc.integer({ min: 1, max: 50_000 }), quantity: fc.integer({ min: 1, max: 3 }), giftCard: fc.boolean() });
const caseArb = fc.record({
  lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
  /** Each refund names a subset of the line positions. */
  refunds: fc.array(fc.array(fc.nat(2), { maxLength: 3 }), { maxLength: 2 }),
  canceled: fc.boolean(),
  /** Whether the last order update lists the refunds too, or only their own deliveries tell of them. */
  finalListsRefunds: fc.boolean(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** Sending order: each delivery at least once, shuffled, some repeated. */
function arrivalArb(count: number) {
  return fc.tuple(
    fc.shuffledSubarray([...Array(count).keys()], { minLength: count, maxLength: count }),
    fc.array(fc.tuple(fc.nat(count - 1), fc.nat(count + 4)), { maxLength: 4 }),
  ).map(([order, repeats]) => {
    const arrival = [...order];
    for (const [which, at] of repeats) arrival.splice(Math.min(at, arrival.length), 0, which);
    return arrival;
  });
}

const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

/** The deliveries Shopify would send for one order's life: create, paid, one per refund, then the final update. */
function shopifyDeliveries(c: Case, orderId: number): Delivery[] {
  const lineItems = c.lines.map((l, i) => ({ id: 1000 + i, sku: `SKU-${i}`, variant_id: 2000 + i, quantity: l.quantity, price: money(l.cents), gift_card: l.giftCard }));
  const refunds = c.refunds.map((positions, r) => ({
    id: 5000 + r,
    order_id: orderId,
    created_at: `2008-01-11T0${r}:00:00-05:00`,
    refund_line_items: [...new Set(positions.filter((p) => p < c.lines.length))].map((p) => ({ quantity: 1, line_item_id: 1000 + p, line_item: lineItems[p] })),
    transactions: [],
    order_adjustments: [],
  }));
  const order = (v: string, changes: Record<string, unknown>) => fixtureWith("shopify/order.json", (o) => {
    Object.assign(o, { id: orderId, line_items: lineItems, updated_at: v, total_discounts: "0.00", refunds: [] }, changes);
  });
  const out: Delivery[] = [
    { id: "create", topic: "orders/create", body: order("2008-01-10T11:00:00-05:00", { financial_status: "pending" }) },
    { id: "paid", topic: "orders/paid", body: order("2008-01-10T11:05:00-05:00", { financial_status: "paid" }) },
    ...refunds.map((r, i) => ({ id: `refund-${i}`, topic: "refunds/create", body: JSON.stringify(r) })),
    { id: "final", topic: "orders/updated", body: order("2008-01-11T12:00:00-05:00", { financial_status: refunds.length > 0 ? "partially_refunded" : "paid", refunds: c.finalListsRefunds ? refunds : [], ...(c.canceled ? { cancelled_at: "2008-01-11T12:00:00-05:00" } : {}) }) },
  ];
  return out;
}

/** WooCommerce's: created while pending, processing, then the final state with refunds (and maybe cancelled). */
function wooDeliveries(c: Case, orderId: number): Delivery[] {
  const lineItems = c.lines.map((l, i) => ({ id: 300 + i, product_id: 90 + i, variation_id: 0, sku: "", quantity: l.quantity, subtotal: money(l.cents * l.quantity) }));
  const total = c.lines.reduce((s, l) => s + l.cents * l.quantity, 0);
  const refunds = c.refunds.map((positions, r) => ({ id: 800 + r, total: `-${money(Math.min(total, (positions.length + 1) * 500))}` }));
  const order = (modified: string, changes: Record<string, unknown>) => fixtureWith("woocommerce/order-723.json", (o) => {
    Object.assign(o, { id: orderId, line_items: lineItems, date_modified_gmt: modified, date_paid_gmt: "2017-03-21T19:20:00", refunds: [] }, changes);
  });
  return [
    { id: "created", topic: "order.created", body: order("2017-03-21T19:16:00", { status: "pending", date_paid_gmt: null }) },
    { id: "processing", topic: "order.updated", body: order("2017-03-21T19:20:00", { status: "processing" }) },
    { id: "customer", topic: "customer.updated", body: fixtureWith("woocommerce/customer-26.json", () => undefined) },
    { id: "final", topic: "order.updated", body: order("2017-03-21T19:54:51", { status: c.canceled ? "cancelled" : "completed", refunds }) },
  ];
}

/**
 * The model: the member-system preset's online rule, 1 point per $1 of paid lines (gift cards
 * excluded) after refunds, on orders whose counted lines reach $10 after refunds.
 */
function shopifyEarns(c: Case): number {
  const refunded = c.lines.map(() => 0);
  for (const positions of c.refunds) for (const p of new Set(positions)) if (p < c.lines.length) refunded[p] = Math.min(c.lines[p]!.quantity, refunded[p]! + 1);
  const base = c.lines.reduce((s, l, i) => s + (l.giftCard ? 0 : l.cents * (l.quantity - refunded[i]!)), 0);
  return base >= 1000 ? Math.floor(base / 100) : 0;
}

/** WooCommerce refunds are amounts spread over the lines (no gift cards there). */
function wooEarns(c: Case): number {
  const total = c.lines.reduce((s, l) => s + l.cents * l.quantity, 0);
  let left = total;
  for (const positions of c.refunds) left -= Math.min(left, Math.min(total, (positions.length + 1) * 500));
  return left >= 1000 ? Math.floor(left / 100) : 0;
}

describe("platform deliveries in any order, with repeats, leave the same points", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const platforms = [
    { name: "Shopify", deliveries: shopifyDeliveries, send: (app: FastifyInstance, s: string, d: Delivery) => sendShopify(app, s, d.topic, d.body, { webhookId: d.id }), start: "2008-01-01T00:00:00Z", now: "2008-01-12T00:00:00Z", member: "207119551", earns: shopifyEarns },
    { name: "WooCommerce", deliveries: wooDeliveries, send: (app: FastifyInstance, s: string, d: Delivery) => sendWoo(app, s, d.topic, d.body, { deliveryId: d.id }), start: "2017-03-01T00:00:00Z", now: "2017-03-23T00:00:00Z", member: "26", earns: wooEarns },
  ];

  for (const p of platforms) {
    it(`${p.name}`, async () => {
      await fc.assert(
        fc.asyncProperty(caseArb.chain((c) => fc.tuple(fc.constant(c), arrivalArb(p.deliveries(c, 1).length))), async ([c, arrival]) => {
          const deliveries = p.deliveries(c, 77);
          const inOrder = await storeForExamples(t.app, p.start, p.now);
          for (const d of deliveries) expect((await p.send(t.app, inOrder.id, d)).json()).toMatchObject({ result: "applied" });
          const shuffled = await storeForExamples(t.app, p.start, p.now);
          for (const i of arrival) expect((await p.send(t.app, shuffled.id, deliveries[i]!)).statusCode).toBe(200);

          // The history may differ (an award later reversed, or never made); the points may not.
          const net = ({ earned, pending, redeemed }: { earned: number; pending: number; redeemed: number }) => ({ earned, pending, redeemed });
          const expected = net(await orderPoints(t.app, inOrder.adminKey, "77"));
          expect(net(await orderPoints(t.app, shuffled.adminKey, "77"))).toEqual(expected);
          const figures = async (key: string) => { const m = await member(t.app, key, p.member); return { balance: m.balance, pending: m.pending }; };
          expect(await figures(shuffled.adminKey)).toEqual(await figures(inOrder.adminKey));
          // The in-order result is the one the final state earns: canceled earns nothing.
          if (c.canceled) expect(expected.earned).toBe(0);
          else expect(expected.earned).toBe(p.earns(c));
        }),
        { numRuns: 15, ...replay },
      );
    }, 120_000);
  }
});

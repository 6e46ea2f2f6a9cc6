import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cashbackQuote } from "../../src/core/redemption/quote.ts";
import { cashbackMethodSchema } from "../../src/core/redemption/methods.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { expectProblem } from "../support/http.ts";
import { expectLedgerClean, setupStore, type Client } from "./helpers.ts";

/**
 * Checkout cap arithmetic (SPEC §3 Redeem methods, cashback): the discount applies last, on the
 * eligible subtotal after order discounts and store credits; thresholds and caps; steps of the
 * method's points; and a zero answer always says why.
 */

const TEN_PER_DOLLAR = { points: 10, amount: 100 };
const CENT = { points: 1, amount: 1 };
const THREE_PER_CENT = { points: 3, amount: 1 };

interface Row {
  name: string;
  method: Record<string, unknown>;
  member: "m1000" | "m999" | "m57" | "m5" | "stranger";
  lines: Array<[sku: string, amount: number]>;
  discounts?: number;
  credits?: number;
  shipping?: number;
  want: { maxPoints: number; maxDiscount: number; reasonCode?: string; pointsPerUnit?: number; payable?: number; eligibleSubtotal?: number; subtotal?: number };
  /** The member's balance, not the order, is what stops maxPoints: one step more is insufficient_points rather than past the order's limit. */
  byBalance?: true;
}

const ROWS: Row[] = [
  { name: "10 pts = $1, limited by the balance", method: TEN_PER_DOLLAR, member: "m1000", lines: [["a", 30_000]], byBalance: true, want: { maxPoints: 1_000, maxDiscount: 10_000, pointsPerUnit: 10, payable: 30_000 } },
  { name: "10 pts = $1, limited by the cart, in steps of 10", method: TEN_PER_DOLLAR, member: "m1000", lines: [["a", 4_550]], want: { maxPoints: 450, maxDiscount: 4_500, pointsPerUnit: 10 } },
  { name: "1 pt = 1 cent", method: CENT, member: "m1000", lines: [["a", 500]], want: { maxPoints: 500, maxDiscount: 500, pointsPerUnit: 100 } },
  { name: "3 pts = 1 cent, limited by the cart", method: THREE_PER_CENT, member: "m1000", lines: [["a", 100]], want: { maxPoints: 300, maxDiscount: 100, pointsPerUnit: 300 } },
  { name: "3 pts = 1 cent, limited by the balance, in steps of 3", method: THREE_PER_CENT, member: "m1000", lines: [["a", 1_000]], byBalance: true, want: { maxPoints: 999, maxDiscount: 333 } },
  { name: "minSubtotal: equal passes", method: { ...TEN_PER_DOLLAR, minSubtotal: 20_000 }, member: "m1000", lines: [["a", 20_000]], byBalance: true, want: { maxPoints: 1_000, maxDiscount: 10_000 } },
  { name: "minSubtotal: a cent below refuses", method: { ...TEN_PER_DOLLAR, minSubtotal: 20_000 }, member: "m1000", lines: [["a", 19_999]], want: { maxPoints: 0, maxDiscount: 0, reasonCode: "below_min_subtotal" } },
  { name: "minSubtotal counts every line, before discounts", method: { ...TEN_PER_DOLLAR, minSubtotal: 20_000, eligibleProducts: ["a"] }, member: "m1000", lines: [["a", 5_000], ["b", 15_000]], discounts: 1_000, want: { maxPoints: 470, maxDiscount: 4_700, payable: 4_750 } },
  { name: "minBalance: equal passes", method: { ...TEN_PER_DOLLAR, minBalance: 1_000 }, member: "m1000", lines: [["a", 5_000]], want: { maxPoints: 500, maxDiscount: 5_000 } },
  { name: "minBalance: one point below refuses", method: { ...TEN_PER_DOLLAR, minBalance: 1_000 }, member: "m999", lines: [["a", 5_000]], want: { maxPoints: 0, maxDiscount: 0, reasonCode: "below_min_balance" } },
  { name: "maxPointsPerOrder", method: { ...TEN_PER_DOLLAR, maxPointsPerOrder: 250 }, member: "m1000", lines: [["a", 30_000]], want: { maxPoints: 250, maxDiscount: 2_500 } },
  { name: "maxPointsPerOrder off the step rounds down to a step", method: { ...TEN_PER_DOLLAR, maxPointsPerOrder: 255 }, member: "m1000", lines: [["a", 30_000]], want: { maxPoints: 250, maxDiscount: 2_500 } },
  { name: "maxDiscount fixed ($50 → at most 500 points)", method: { ...TEN_PER_DOLLAR, maxDiscount: { type: "fixed", amount: 5_000 } }, member: "m1000", lines: [["a", 30_000]], want: { maxPoints: 500, maxDiscount: 5_000 } },
  { name: "maxDiscount fixed below one step", method: { ...TEN_PER_DOLLAR, maxDiscount: { type: "fixed", amount: 5 } }, member: "m1000", lines: [["a", 30_000]], want: { maxPoints: 0, maxDiscount: 0, reasonCode: "nothing_to_pay" } },
  { name: "maxDiscount percent of what is left to pay", method: { ...TEN_PER_DOLLAR, maxDiscount: { type: "percent", percent: 20 } }, member: "m1000", lines: [["a", 30_000]], want: { maxPoints: 600, maxDiscount: 6_000 } },
  { name: "maxDiscount percent rounds down", method: { ...CENT, maxDiscount: { type: "percent", percent: 15 } }, member: "m1000", lines: [["a", 999]], want: { maxPoints: 149, maxDiscount: 149 } },
  { name: "eligibleProducts", method: { ...TEN_PER_DOLLAR, eligibleProducts: ["a"] }, member: "m1000", lines: [["a", 5_000], ["b", 20_000]], want: { maxPoints: 500, maxDiscount: 5_000, subtotal: 25_000, eligibleSubtotal: 5_000, payable: 5_000 } },
  { name: "excludeProducts", method: { ...TEN_PER_DOLLAR, excludeProducts: ["b"] }, member: "m1000", lines: [["a", 5_000], ["b", 20_000]], want: { maxPoints: 500, maxDiscount: 5_000, eligibleSubtotal: 5_000 } },
  { name: "no eligible product in the cart", method: { ...TEN_PER_DOLLAR, eligibleProducts: ["z"] }, member: "m1000", lines: [["a", 5_000]], want: { maxPoints: 0, maxDiscount: 0, reasonCode: "no_eligible_products" } },
  { name: "stackWithDiscounts false with a discount", method: { ...TEN_PER_DOLLAR, stackWithDiscounts: false }, member: "m1000", lines: [["a", 5_000]], discounts: 100, want: { maxPoints: 0, maxDiscount: 0, reasonCode: "not_stackable_with_discounts" } },
  { name: "stackWithDiscounts false: store credits are a payment, not a discount", method: { ...TEN_PER_DOLLAR, stackWithDiscounts: false }, member: "m1000", lines: [["a", 5_000]], credits: 1_000, want: { maxPoints: 400, maxDiscount: 4_000, payable: 4_000 } },
  {
    name: "discounts → credits → points, on eligible lines only",
    method: { ...TEN_PER_DOLLAR, eligibleProducts: ["a"], maxDiscount: { type: "percent", percent: 50 } },
    member: "m1000", lines: [["a", 20_000], ["b", 10_000]], discounts: 3_000, credits: 6_000, shipping: 1_500,
    // Eligible $200 carries 2/3 of the $90 reductions: $140 left to pay, half of it in points.
    want: { maxPoints: 700, maxDiscount: 7_000, subtotal: 30_000, eligibleSubtotal: 20_000, payable: 14_000 },
  },
  { name: "discounts and credits already cover the cart", method: TEN_PER_DOLLAR, member: "m1000", lines: [["a", 5_000]], discounts: 2_000, credits: 3_000, want: { maxPoints: 0, maxDiscount: 0, reasonCode: "nothing_to_pay", payable: 0 } },
  { name: "shipping is never paid with points", method: TEN_PER_DOLLAR, member: "m1000", lines: [["a", 1_000]], shipping: 5_000, want: { maxPoints: 100, maxDiscount: 1_000, payable: 1_000 } },
  { name: "a balance lower than the cap", method: TEN_PER_DOLLAR, member: "m57", lines: [["a", 100_000]], byBalance: true, want: { maxPoints: 50, maxDiscount: 500 } },
  { name: "a balance lower than one step", method: TEN_PER_DOLLAR, member: "m5", lines: [["a", 100_000]], want: { maxPoints: 0, maxDiscount: 0, reasonCode: "no_points" } },
  { name: "a member never seen", method: TEN_PER_DOLLAR, member: "stranger", lines: [["a", 100_000]], want: { maxPoints: 0, maxDiscount: 0, reasonCode: "no_points" } },
];

describe("checkout quote", () => {
  let t: TestApp;
  let c: Client;
  const stores: string[] = [];
  const methodIds = new Map<string, string>();
  const BALANCES = { m1000: 1_000, m999: 999, m57: 57, m5: 5 } as const;

  beforeAll(async () => {
    t = await startTestApp();
    const s = await setupStore(t);
    c = s.c;
    stores.push(c.store.id);
    for (const [m, points] of Object.entries(BALANCES)) await c.adjust(m, points);
    await c.adjust("other", 100_000);
    for (const row of ROWS) {
      const res = await c.post("/v1/redeem-methods", { type: "cashback", name: row.name, ...row.method });
      expect(res.statusCode, res.body).toBe(201);
      methodIds.set(row.name, res.json().id);
    }
  });
  afterAll(async () => {
    await expectLedgerClean(t, stores);
    await t.close();
  });

  const cartOf = (row: Row) => ({
    lines: row.lines.map(([sku, amount]) => ({ sku, quantity: 1, amount })),
    discounts: row.discounts ?? 0,
    credits: row.credits ?? 0,
    shipping: row.shipping ?? 0,
  });

  for (const row of ROWS) {
    it(`quotes: ${row.name}`, async () => {
      const res = await c.post("/v1/checkout/quote", { memberId: row.member, methodId: methodIds.get(row.name), ...cartOf(row) });
      expect(res.statusCode, res.body).toBe(200);
      const q = res.json();
      const balance = row.member === "stranger" ? 0 : BALANCES[row.member];
      expect(q).toMatchObject({ balance, methodId: methodIds.get(row.name), ...row.want });
      if (row.want.reasonCode) {
        expect(typeof q.reason).toBe("string");
        expect(q.reason.length).toBeGreaterThan(0);
      } else {
        expect(q.reason).toBeUndefined();
        expect(q.reasonCode).toBeUndefined();
      }
      // The discount is exactly floor(P × amount / points).
      const m = row.method as { points: number; amount: number };
      expect(q.maxDiscount).toBe(Math.floor((q.maxPoints * m.amount) / m.points));
    });
  }

  describe("a hold with the same cart obeys the quote", () => {
    let orders = 0;
    /** Every hold is on an order of its own unless it names one. */
    const nextOrder = () => `quote-order-${++orders}`;

    for (const row of ROWS.filter((r) => r.want.maxPoints > 0)) {
      it(`refuses more than maxPoints: ${row.name}`, async () => {
        const methodId = methodIds.get(row.name)!;
        const step = (row.method as { points: number }).points;
        const cart = cartOf(row);
        const orderId = nextOrder();
        const over = await c.post("/v1/redemptions", { memberId: row.member, methodId, points: row.want.maxPoints + step, orderId, cart });
        if (row.byBalance) {
          // The order would allow more; the member's spendable points do not.
          expect(expectProblem(over, 409, "insufficient_points").available).toBe(BALANCES[row.member as keyof typeof BALANCES]);
        } else {
          expect(expectProblem(over, 409, "exceeds_order_limit").maxPoints).toBe(row.want.maxPoints);
        }
        const ok = await c.post("/v1/redemptions", { memberId: row.member, methodId, points: row.want.maxPoints, orderId, cart });
        expect(ok.statusCode, ok.body).toBe(201);
        expect(ok.json()).toMatchObject({ status: "held", points: row.want.maxPoints, discount: row.want.maxDiscount, orderId });
        if (!row.byBalance) {
          // The order is now used up: one more step on it is past its limit, whoever asks.
          const more = expectProblem(await c.post("/v1/redemptions", { memberId: "other", methodId, points: step, orderId, cart }), 409, "exceeds_order_limit");
          expect(more).toMatchObject({ maxPoints: 0, reason: "order_limit_reached" });
        }
        expect((await c.post(`/v1/redemptions/${ok.json().id}/release`)).json().status).toBe("released");
      });
    }

    it("refuses any points on a cart the quote says zero for, with the quote's reason", async () => {
      for (const name of ["minSubtotal: a cent below refuses", "stackWithDiscounts false with a discount", "no eligible product in the cart", "discounts and credits already cover the cart"]) {
        const row = ROWS.find((r) => r.name === name)!;
        const res = await c.post("/v1/redemptions", { memberId: row.member, methodId: methodIds.get(name), points: 10, orderId: nextOrder(), cart: cartOf(row) });
        const problem = expectProblem(res, 409, "exceeds_order_limit");
        expect(problem.maxPoints, name).toBe(0);
        expect(problem.reason, name).toBe(row.want.reasonCode);
      }
      // minBalance is refused whatever the cart.
      const row = ROWS.find((r) => r.name === "minBalance: one point below refuses")!;
      const res = await c.post("/v1/redemptions", { memberId: "m999", methodId: methodIds.get(row.name), points: 10, orderId: nextOrder(), cart: cartOf(row) });
      expectProblem(res, 409, "insufficient_points");
      expect(await c.member("m1000")).toMatchObject({ balance: 1_000, held: 0 });
      expect(await c.member("m999")).toMatchObject({ balance: 999, held: 0 });
    });

    it("the quote counts points already held as spent, and with its orderId what the order already uses", async () => {
      const methodId = methodIds.get("10 pts = $1, limited by the balance")!;
      const lines = [{ sku: "a", quantity: 1, amount: 5_000 }];
      const orderId = nextOrder();
      const held = await c.post("/v1/redemptions", { memberId: "m1000", methodId, points: 300, orderId, cart: { lines } });
      expect(held.statusCode).toBe(201);
      // Another order: $50 allows 500 points and the member has 700 left.
      expect((await c.post("/v1/checkout/quote", { memberId: "m1000", methodId, lines })).json()).toMatchObject({ balance: 700, maxPoints: 500, maxDiscount: 5_000 });
      // The same order: 300 of its 500 points are already held.
      expect((await c.post("/v1/checkout/quote", { memberId: "m1000", methodId, orderId, lines })).json()).toMatchObject({ balance: 700, maxPoints: 200, maxDiscount: 2_000 });
      expect((await c.post("/v1/checkout/quote", { memberId: "m1000", methodId, orderId: nextOrder(), lines })).json()).toMatchObject({ maxPoints: 500 });
      await c.post(`/v1/redemptions/${held.json().id}/release`);
      // Released, the order has its whole allowance again.
      expect((await c.post("/v1/checkout/quote", { memberId: "m1000", methodId, orderId, lines })).json()).toMatchObject({ balance: 1_000, maxPoints: 500, maxDiscount: 5_000 });
    });
  });

  describe("which method", () => {
    it("uses the first enabled cashback method on the channel when none is named", async () => {
      const { c: s } = await setupStore(t, {
        methods: [
          { type: "coupon", name: "Coupon", points: 100, discount: { type: "fixed", amount: 500 } },
          { type: "cashback", name: "Off", points: 1, amount: 1, enabled: false },
          { type: "cashback", name: "POS only", points: 5, amount: 100, channels: ["pos"] },
          { type: "cashback", name: "Online", ...TEN_PER_DOLLAR },
        ],
      });
      stores.push(s.store.id);
      await s.adjust("m", 100);
      const list = (await s.json("/v1/redeem-methods")).data as Array<{ id: string; name: string }>;
      const id = (name: string) => list.find((m) => m.name === name)!.id;
      const cart = { memberId: "m", lines: [{ sku: "a", quantity: 1, amount: 10_000 }] };
      expect((await s.post("/v1/checkout/quote", cart)).json()).toMatchObject({ methodId: id("Online"), maxPoints: 100, maxDiscount: 1_000, pointsPerUnit: 10 });
      expect((await s.post("/v1/checkout/quote", { ...cart, channel: "pos" })).json()).toMatchObject({ methodId: id("POS only"), maxPoints: 100, maxDiscount: 2_000, pointsPerUnit: 5 });
      const none = (await s.post("/v1/checkout/quote", { ...cart, channel: "kiosk" })).json();
      expect(none).toMatchObject({ balance: 100, maxPoints: 0, maxDiscount: 0, methodId: null, reasonCode: "no_method" });
      // Naming a method that is not an enabled cashback method on the channel is a field error.
      for (const [methodId, channel] of [[id("Off"), "online"], [id("Coupon"), "online"], [id("Online"), "pos"], ["rm_missing", "online"]] as const) {
        const res = await s.post("/v1/checkout/quote", { ...cart, methodId, channel });
        expect(expectProblem(res, 422, "validation_failed").errors.map((e: { path: string }) => e.path)).toEqual(["methodId"]);
      }
    });

    it("quotes nothing while the program is disabled", async () => {
      const { c: s, methodIds: ids } = await setupStore(t, { methods: [{ type: "cashback", name: "Cash", ...TEN_PER_DOLLAR }] });
      stores.push(s.store.id);
      await s.adjust("m", 500);
      expect((await s.patch("/v1/program", { enabled: false })).statusCode).toBe(200);
      const q = (await s.post("/v1/checkout/quote", { memberId: "m", lines: [{ sku: "a", quantity: 1, amount: 10_000 }] })).json();
      expect(q).toMatchObject({ maxPoints: 0, maxDiscount: 0, reasonCode: "program_disabled" });
      expectProblem(await s.post("/v1/redemptions", { memberId: "m", methodId: ids[0], points: 10, orderId: "o-off", cart: { lines: [{ sku: "a", quantity: 1, amount: 10_000 }] } }), 409, "program_disabled");
    });

    it("a store without any cashback method says so", async () => {
      const { c: s } = await setupStore(t);
      stores.push(s.store.id);
      await s.adjust("m", 500);
      const q = (await s.post("/v1/checkout/quote", { memberId: "m", lines: [{ sku: "a", quantity: 1, amount: 10_000 }] })).json();
      expect(q).toMatchObject({ balance: 500, maxPoints: 0, maxDiscount: 0, methodId: null, reasonCode: "no_method" });
    });

    it("reports points per whole unit of the store's currency", async () => {
      const { c: s } = await setupStore(t, { currency: "JPY", methods: [{ type: "cashback", name: "Yen", points: 1, amount: 1 }] });
      stores.push(s.store.id);
      await s.adjust("m", 500);
      const q = (await s.post("/v1/checkout/quote", { memberId: "m", lines: [{ sku: "a", quantity: 1, amount: 300 }] })).json();
      expect(q).toMatchObject({ maxPoints: 300, maxDiscount: 300, pointsPerUnit: 1 });
    });
  });
});

describe("cashbackQuote", () => {
  const method = (over: Record<string, unknown> = {}) => cashbackMethodSchema.parse({ type: "cashback", name: "Cash", ...TEN_PER_DOLLAR, ...over });
  const cart = (lines: Array<[string, number]>, discounts = 0, credits = 0) => ({ lines: lines.map(([sku, amount]) => ({ sku, quantity: 1, amount })), discounts, credits, shipping: 0 });

  it.each([
    // [case, method, cart, balance, maxPoints, maxDiscount, payable]
    ["reductions on eligible lines round up against the member", method({ ...CENT, eligibleProducts: ["a"] }), cart([["a", 3], ["b", 3]], 1), 100, 2, 2, 2],
    ["reductions spread by share", method({ ...CENT, eligibleProducts: ["a"] }), cart([["a", 700], ["b", 300]], 100, 200), 10_000, 490, 490, 490],
    ["percent cap on a payable that is not round", method({ maxDiscount: { type: "percent", percent: 33 } }), cart([["a", 10_001]]), 10_000, 330, 3_300, 10_001],
    ["fixed cap above what is left to pay", method({ maxDiscount: { type: "fixed", amount: 50_000 } }), cart([["a", 1_000]], 300), 10_000, 70, 700, 700],
    ["fractional rate: 7 points = 3 cents", method({ points: 7, amount: 3 }), cart([["a", 100]]), 10_000, 231, 99, 100],
    ["all caps at once: the smallest wins", method({ maxPointsPerOrder: 800, maxDiscount: { type: "fixed", amount: 9_000 } }), cart([["a", 5_000]]), 600, 500, 5_000, 5_000],
  ] as const)("%s", (_name, m, c, balance, maxPoints, maxDiscount, payable) => {
    const q = cashbackQuote(m, c, balance);
    expect(q).toMatchObject({ maxPoints, maxDiscount, payable });
    expect(q.reason).toBeUndefined();
  });

  it("checks thresholds in a fixed order: subtotal, balance, stacking, products, points, payable", () => {
    const strict = method({ minSubtotal: 1_000, minBalance: 100, stackWithDiscounts: false, eligibleProducts: ["a"] });
    expect(cashbackQuote(strict, cart([["b", 999]], 1), 0).reason?.code).toBe("below_min_subtotal");
    expect(cashbackQuote(strict, cart([["b", 1_000]], 1), 0).reason?.code).toBe("below_min_balance");
    expect(cashbackQuote(strict, cart([["b", 1_000]], 1), 100).reason?.code).toBe("not_stackable_with_discounts");
    expect(cashbackQuote(strict, cart([["b", 1_000]]), 100).reason?.code).toBe("no_eligible_products");
    expect(cashbackQuote(method(), cart([["a", 1_000]]), 0).reason?.code).toBe("no_points");
    expect(cashbackQuote(method(), cart([["a", 1_000]]), -5).reason?.code).toBe("no_points");
    expect(cashbackQuote(method(), cart([["a", 1_000]], 1_000), 100).reason?.code).toBe("nothing_to_pay");
    expect(cashbackQuote(method(), cart([["a", 1_000]]), 9)).toMatchObject({ maxPoints: 0, maxDiscount: 0, reason: { code: "no_points" } });
    expect(cashbackQuote(method(), cart([["a", 9]]), 100)).toMatchObject({ maxPoints: 0, maxDiscount: 0, reason: { code: "nothing_to_pay" } });
  });
});

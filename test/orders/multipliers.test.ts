import { describe, expect, it } from "vitest";
import { orderRule } from "../checkout/helpers.ts";
import { orderStores, points } from "./harness.ts";

/**
 * SPEC §3 Earn rules (multipliers, campaigns), Tiers and Orders: an order award is multiplied by
 * the rule's multiplier windows, the program's campaigns and the tier multiplier that apply at its
 * award moment in the store's zone, rounded down once; edits and refunds recompute it with the
 * factors it was made with, whatever applies when they arrive.
 */
describe("order awards with multipliers", () => {
  // Asia/Shanghai is UTC+8 all year: 2026-11-10T16:00Z is midnight starting 11 November there.
  const ZONE = "Asia/Shanghai";
  const OPENING_WEEK = { name: "Opening week", from: "2026-11-01T00:00:00+08:00", to: "2026-11-08T00:00:00+08:00", factor: 1.5 };
  const SINGLES_DAY = { name: "11.11", from: "2026-11-11T00:00:00+08:00", to: "2026-11-12T00:00:00+08:00", factor: 2, events: ["order"] };

  const { store } = orderStores({ clock: "2026-11-20T00:00:00Z", timezone: ZONE });

  const order = (amount: number, at: string, extra: Record<string, unknown> = {}) => ({
    memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: at, paidAt: at, ...extra,
  });
  const refund = (id: string, amount: number) => ({ id, amount, at: "2026-11-19T00:00:00Z" });

  it("a rule multiplier applies inside its window in the store's zone, and edits and refunds keep it (floor)", async () => {
    const { c, put } = await store({ rules: [orderRule({ multipliers: [OPENING_WEEK] })] });
    // One second before the window (23:59:59 on 31 October in Shanghai): $75.33 → 75.
    let o = await put("before", order(7_533, "2026-10-31T15:59:59Z"), points(75));
    expect(o.awards[0].explanation.multipliers).toBeUndefined();
    // At the start (00:00 on 1 November there): 75 × 1.5 = 112.5 → 112.
    const IN = "2026-10-31T16:00:00Z";
    o = await put("in", order(7_533, IN), points(112));
    expect(o.awards[0].explanation).toMatchObject({ raw: 75, multipliers: [{ source: "Opening week", factor: 1.5 }], multiplied: 112, points: 112 });
    // The end is excluded (00:00 on 8 November there): 75.
    await put("after", order(7_533, "2026-11-07T16:00:00Z"), points(75));

    // Edits come on 20 November, outside the window; the award keeps its factor.
    // $51.00: 51 × 1.5 = 76.5 → 76; 36 reversed.
    await put("in", order(5_100, IN), points(76, 36));
    // $100.99: 100 × 1.5 = 150; 74 credited.
    o = await put("in", order(10_099, IN), points(150, 36));
    expect(o.awards[0]).toMatchObject({ points: 150, earnedAt: "2026-10-31T16:00:00.000Z" });
    expect((await c.activity("amy"))[0]).toMatchObject({ type: "earn", points: 74, explanation: { adjustment: { from: 76, to: 150 } } });
    // $33.66 refunded: $67.33 left, 67 × 1.5 = 100.5 → 100; 50 more reversed.
    await put("in", order(10_099, IN, { refunds: [refund("r1", 3_366)] }), points(100, 86));
    // Canceled: everything reversed.
    await put("in", order(10_099, IN, { refunds: [refund("r1", 3_366)], canceledAt: "2026-11-19T01:00:00Z" }), points(0, 186));
    expect(await c.member("amy")).toMatchObject({ balance: 75 + 75, debt: 0 });
  });

  it("a program campaign (double points on 11.11 in the store's zone) applies to orders paid that day, and edits keep it", async () => {
    const { c, put } = await store({
      program: { campaigns: [SINGLES_DAY, { name: "Reviews week", from: "2026-11-01T00:00:00+08:00", to: "2026-11-30T00:00:00+08:00", factor: 3, events: ["review.posted"] }] },
      rules: [orderRule()],
    });
    // 23:59:59 on 10 November in Shanghai: $75.33 → 75 (the reviews campaign is not for orders).
    await put("eve", order(7_533, "2026-11-10T15:59:59Z"), points(75));
    // 00:00 and 23:59:59 on 11 November: ×2 → 150.
    const o = await put("start", order(7_533, "2026-11-10T16:00:00Z"), points(150));
    expect(o.awards[0].explanation).toMatchObject({ raw: 75, multipliers: [{ source: "campaign 11.11", factor: 2 }], multiplied: 150 });
    await put("end", order(7_533, "2026-11-11T15:59:59Z"), points(150));
    // 00:00 on 12 November: 75.
    await put("next", order(7_533, "2026-11-11T16:00:00Z"), points(75));

    // $25.34 refunded from the 11.11 order: $49.99 left → 49 × 2 = 98; 52 reversed.
    await put("start", order(7_533, "2026-11-10T16:00:00Z", { refunds: [refund("r1", 2_534)] }), points(98, 52));
    // The line raised to $120 with the same refund: $94.66 → 94 × 2 = 188.
    await put("start", order(12_000, "2026-11-10T16:00:00Z", { refunds: [refund("r1", 2_534)] }), points(188, 52));
    // Ending the campaign afterwards does not touch the award's factor.
    expect((await c.patch("/v1/program", { campaigns: [] })).statusCode).toBe(200);
    await put("start", order(12_500, "2026-11-10T16:00:00Z", { refunds: [refund("r1", 2_534)] }), points(198, 52));
    expect(await c.member("amy")).toMatchObject({ balance: 75 + 198 + 150 + 75 });
  });

  it("factors that overlap multiply together and round down once: rule × campaign × tier", async () => {
    const { c, put } = await store({
      program: { campaigns: [SINGLES_DAY] },
      rules: [orderRule({ multipliers: [{ ...OPENING_WEEK, from: SINGLES_DAY.from, to: SINGLES_DAY.to }] })],
    });
    expect((await c.post("/v1/tiers", { code: "gold", name: "Gold", rank: 1, multiplier: 1.25 })).statusCode).toBe(201);
    expect((await c.put("/v1/members/amy", { tier: "gold" })).statusCode).toBe(200);
    // $77.00 on 11.11 for a gold member: 77 × 1.5 × 2 × 1.25 = 288.75 → 288 (rounding at each step would give 287).
    const AT = "2026-11-11T02:00:00Z";
    const o = await put("o1", order(7_700, AT), points(288));
    expect(o.awards[0].explanation).toMatchObject({
      raw: 77, multiplied: 288,
      multipliers: [{ source: "Opening week", factor: 1.5 }, { source: "campaign 11.11", factor: 2 }, { source: "tier gold", factor: 1.25 }],
    });
    // $51.00: 51 × 3.75 = 191.25 → 191; 97 reversed.
    await put("o1", order(5_100, AT), points(191, 97));
  });

  it("the tier multiplier is the member's tier when the order was first recorded, and edits keep it", async () => {
    const { c, put } = await store({ rules: [orderRule()] });
    expect((await c.post("/v1/tiers", { code: "gold", name: "Gold", rank: 1, multiplier: 1.5 })).statusCode).toBe(201);
    expect((await c.put("/v1/members/amy", { tier: "gold" })).statusCode).toBe(200);
    const PLACED = "2026-11-15T02:00:00Z";
    const PAID = "2026-11-15T03:00:00Z";
    const body = (amount: number, extra: Record<string, unknown> = {}) => ({ memberId: "amy", lines: [{ sku: "a", quantity: 1, amount }], placedAt: PLACED, ...extra });
    // Recorded while amy is gold, paid after she lost the tier.
    await put("o1", body(7_533), points(0));
    expect((await c.put("/v1/members/amy", { tier: null })).statusCode).toBe(200);
    // 75 × 1.5 = 112.5 → 112: the order counts as a gold member's.
    const o = await put("o1", body(7_533, { paidAt: PAID }), points(112));
    expect(o.eligibility).toMatchObject({ tier: "gold" });
    expect(o.awards[0].explanation.multipliers).toEqual([{ source: "tier gold", factor: 1.5 }]);
    // Gold becomes ×3 afterwards; $51.00: 76.5 → 76, the award keeps its 1.5.
    expect((await c.patch("/v1/tiers/gold", { multiplier: 3 })).statusCode).toBe(200);
    await put("o1", body(5_100, { paidAt: PAID }), points(76, 36));
    // An order placed now, without a tier: 75.
    await put("o2", { ...body(7_533, { paidAt: PAID }), placedAt: "2026-11-15T02:30:00Z" }, points(75));
  });

  it("the per-order cap applies after the factors, on edits too", async () => {
    const { put } = await store({ rules: [orderRule({ multipliers: [{ ...OPENING_WEEK, factor: 2 }], limits: { maxPoints: { event: 100 } } })] });
    const AT = "2026-11-03T02:00:00Z";
    // $80 × 2 = 160 → 100.
    const o = await put("o1", order(8_000, AT), points(100));
    expect(o.awards[0].explanation).toMatchObject({ raw: 80, multiplied: 160, caps: [{ cap: "event", limit: 100, used: 0, cut: 60 }], points: 100 });
    // $40 × 2 = 80.
    await put("o1", order(4_000, AT), points(80, 20));
    // $60 × 2 = 120 → 100.
    await put("o1", order(6_000, AT), points(100, 20));
    // $15 refunded: $45 × 2 = 90.
    await put("o1", order(6_000, AT, { refunds: [refund("r1", 1_500)] }), points(90, 30));
  });
});

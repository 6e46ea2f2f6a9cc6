/** The import's pure parts: row rules per kind, headers, units, and the award flag an imported order keeps. */
import { describe, expect, it } from "vitest";
import { MemberBook } from "../../src/core/ledger/book.ts";
import { balanceRow } from "../../src/core/imports/balance-row.ts";
import { cellsOf } from "../../src/core/imports/cells.ts";
import { headerProblem } from "../../src/core/imports/kinds.ts";
import { memberRow } from "../../src/core/imports/member-row.ts";
import { MAX_ORDER_LINES, orderFromRows } from "../../src/core/imports/order-rows.ts";
import { UnitCutter, unitRows, type SourceRow } from "../../src/core/imports/units.ts";
import { scenarioOf } from "../../src/core/notifications/decide.ts";
import { pointsChangedMessages } from "../../src/core/outgoing/points-changed.ts";
import { orderSchema } from "../../src/core/orders/order.ts";
import { reconcileOrder } from "../../src/core/orders/reconcile.ts";
import type { OrderProgram } from "../../src/core/orders/terms.ts";
import type { OrderAward, OrderRecord } from "../../src/core/ports/repositories.ts";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import { RuleState } from "../../src/core/rules/state.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const cells = (header: string, values: string) => cellsOf(header.split(","), values.split(","));

describe("headers", () => {
  it("accepts the kind's columns in any order, with optional ones left out", () => {
    expect(headerProblem("balances", ["points", "memberId"])).toBeNull();
    expect(headerProblem("members", ["memberId", "email", "phone", "birthday", "tier", "tags", "isMember", "language"])).toBeNull();
  });
  it("names an unknown, a repeated or a missing column", () => {
    expect(headerProblem("balances", ["memberId", "points", "emial"])).toMatch(/unknown column "emial"/);
    expect(headerProblem("balances", ["memberId", "points", "points"])).toMatch(/"points" appears twice/);
    expect(headerProblem("orders", ["orderId", "sku"])).toMatch(/missing columns "placedAt", "quantity", "amount"/);
  });
});

describe("balance rows", () => {
  const h = "memberId,points,expiresAt,reason";
  it("reads points, expiry (empty: never) and reason", () => {
    expect(balanceRow(cells(h, "m1,100,2027-01-01T00:00:00Z,migrated"), NOW)).toEqual({ ok: true, value: { memberId: "m1", points: 100, expiresAt: new Date("2027-01-01T00:00:00Z"), reason: "migrated" } });
    expect(balanceRow(cells(h, " m1 , 7 ,,"), NOW)).toEqual({ ok: true, value: { memberId: "m1", points: 7, expiresAt: null, reason: null } });
  });
  it("refuses, naming the column: points not a positive whole number up to 10^12, a past expiry, a bad instant, no member", () => {
    const problem = (v: string) => { const r = balanceRow(cells(h, v), NOW); return r.ok ? null : r.message; };
    expect(problem("m1,0,,")).toMatch(/^points:/);
    expect(problem("m1,-5,,")).toMatch(/^points:/);
    expect(problem("m1,1.5,,")).toBe("points: must be a whole number");
    expect(problem("m1,1000000000001,,")).toMatch(/^points:/);
    expect(problem("m1,1000000000000,,")).toBeNull();
    expect(problem("m1,5,2026-05-31T23:59:59Z,")).toMatch(/^expiresAt: has already passed/);
    expect(problem("m1,5,2027-13-01,")).toMatch(/^expiresAt:/);
    expect(problem(",5,,")).toBe("memberId: is required");
    expect(problem(`${"x".repeat(201)},5,,`)).toMatch(/^memberId:/);
  });
});

describe("member rows", () => {
  const h = "memberId,email,phone,birthday,tier,tags,isMember,language";
  it("gives only the attributes the row has; tags are separated by |", () => {
    expect(memberRow(cells(h, "m1,a@example.com,,1990-02-03,,vip| early ,no,"))).toEqual({
      ok: true, value: { memberId: "m1", attributes: { email: "a@example.com", birthday: "1990-02-03", tags: ["vip", "early"], isMember: false } },
    });
    expect(memberRow(cells(h, "m2,,,,,,,"))).toEqual({ ok: true, value: { memberId: "m2", attributes: {} } });
  });
  it("checks each column as the API does", () => {
    const problem = (v: string) => { const r = memberRow(cells(h, v)); return r.ok ? null : r.message; };
    expect(problem("m1,not-an-email,,,,,,")).toMatch(/^email:/);
    expect(problem("m1,,abc,,,,,")).toMatch(/^phone: a phone number/);
    expect(problem("m1,,,1990-02-30,,,,")).toMatch(/^birthday:/);
    expect(problem("m1,,,,,,maybe,")).toBe("isMember: must be true or false");
    expect(problem(`m1,,,,,${"t".repeat(101)},,`)).toMatch(/^tags \(item 1\):/);
  });
});

describe("order rows", () => {
  const h = "orderId,memberId,channel,currency,placedAt,paidAt,fulfilledAt,deliveredAt,canceledAt,sku,quantity,amount,giftCard,discounts,shipping";
  const row = (line: number, v: string) => ({ line, cells: cells(h, v) });
  it("takes order-level columns from the first row and a line item from every row", () => {
    const r = orderFromRows([
      row(2, "o1,m1,pos,USD,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z,,,,tea,2,1000,,100,500"),
      row(3, "o1,m9,online,EUR,2026-02-01T10:00:00Z,,,,,card,1,2500,true,,"),
    ]);
    expect(r).toMatchObject({ ok: true, orderId: "o1", order: {
      memberId: "m1", channel: "pos", currency: "USD", placedAt: "2026-01-01T10:00:00Z", paidAt: "2026-01-01T10:05:00Z", discounts: 100, shipping: 500,
      lines: [{ sku: "tea", quantity: 2, amount: 1000, giftCard: false }, { sku: "card", quantity: 1, amount: 2500, giftCard: true }],
    } });
  });
  it("reports a problem at the line of its row", () => {
    const r = orderFromRows([row(7, "o1,m1,,,2026-01-01T10:00:00Z,,,,,tea,1,100,,,"), row(8, "o1,m1,,,2026-01-01T10:00:00Z,,,,,tea,0,100,,,")]);
    expect(r).toMatchObject({ ok: false, line: 8 });
    expect(!r.ok && r.message).toMatch(/^quantity:/);
    expect(orderFromRows([row(4, "o1,,,usd,2026-01-01T10:00:00Z,,,,,tea,1,100,,,")])).toMatchObject({ ok: false, line: 4, message: expect.stringMatching(/^currency:/) });
    expect(orderFromRows([row(4, "o1,,,,yesterday,,,,,tea,1,100,,,")])).toMatchObject({ ok: false, line: 4, message: expect.stringMatching(/^placedAt:/) });
    const many = Array.from({ length: MAX_ORDER_LINES + 1 }, (_, i) => row(i + 2, "o1,,,,2026-01-01T10:00:00Z,,,,,tea,1,100,,,"));
    expect(orderFromRows(many)).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/more than 1000 line items/) });
  });
});

describe("units", () => {
  const r = (line: number, orderId: string): SourceRow => ({ line, cells: { orderId }, end: line * 10, endLine: line });
  it("groups consecutive rows of one order; an unreadable row belongs to the unit after it", () => {
    const cut = new UnitCutter((row) => row.cells.orderId ?? null);
    const units = [
      ...cut.push(r(2, "a")), ...cut.push(r(3, "a")), ...cut.push({ line: 4, message: "bad" }), ...cut.push(r(5, "b")),
      ...cut.push(r(6, "a")), ...cut.push({ line: 7, message: "bad" }), ...cut.finish(80, 7),
    ];
    expect(units.map((u) => ({ lines: u.rows.map((x) => x.line), bad: u.bad.map((b) => b.line), end: u.end }))).toEqual([
      { lines: [2, 3], bad: [], end: 30 },
      { lines: [5], bad: [4], end: 50 },
      { lines: [6], bad: [], end: 60 },
      { lines: [], bad: [7], end: 80 },
    ]);
    expect(units.reduce((n, u) => n + unitRows(u), 0)).toBe(6);
  });
  it("keeps at most MAX_ORDER_LINES + 1 rows of one order, counting the rest", () => {
    const cut = new UnitCutter(() => "a");
    for (let i = 0; i < MAX_ORDER_LINES + 50; i++) cut.push(r(i + 2, "a"));
    const [unit] = cut.finish(0, 0);
    expect(unit!.rows).toHaveLength(MAX_ORDER_LINES + 1);
    expect(unitRows(unit!)).toBe(MAX_ORDER_LINES + 50);
  });
});

describe("imports and the ledger's consumers", () => {
  it("an import entry is announced as points changed, and notifies no one", () => {
    const book = new MemberBook({ memberId: "m1", balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative");
    book.credit({ type: "import", points: 50, earnedAt: NOW, availableAt: NOW, expiresAt: null, at: NOW, actor: "cli", source: { type: "import", ref: "imp_1" } });
    const [message] = pointsChangedMessages(book.changes());
    expect(message).toMatchObject({ type: "member.points_changed", data: { entryType: "import", points: 50, balance: 50, source: { type: "import", ref: "imp_1" } } });
    expect(scenarioOf(message!)).toBeNull();
  });
});

describe("an imported order's award flag", () => {
  const rule = earnRuleSchema.parse({ name: "Purchases", event: "order", award: { type: "per_amount", points: 1, per: 100 }, timing: { awardOn: "paid" } });
  const snapshot: OrderProgram = {
    timezone: "UTC", program: { enabled: true, validity: { type: "never" }, campaigns: [] },
    versions: [{ ruleId: "rule_a", version: 1, rule, effectiveFrom: new Date("2025-01-01T00:00:00Z") }], tierMultipliers: new Map(),
  };
  const order = (fields: Record<string, unknown> = {}) => orderSchema.parse({ memberId: "amy", placedAt: "2026-01-10T10:00:00Z", lines: [{ sku: "tea", quantity: 1, amount: 10_000 }], ...fields });

  /** An order first recorded with `origin`, then updated through the API (which never passes one). */
  function life(origin: OrderRecord["origin"]) {
    const book = new MemberBook({ memberId: "amy", balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative");
    let stored: OrderRecord = { id: "o1", memberId: "amy", order: order(), eligibility: null, origin, createdAt: NOW, updatedAt: NOW };
    let awards: OrderAward[] = [];
    const state = new RuleState();
    return {
      book,
      update(sent: ReturnType<typeof order>) {
        const changes = reconcileOrder({
          orderId: "o1", order: sent, stored, member: { memberId: "amy", isMember: true, tier: null }, snapshot, awards,
          books: new Map([["amy", book]]), state, spent: [], spentHolds: [], now: NOW, actor: "t",
        });
        stored = changes.record;
        awards = [...awards, ...changes.awards];
        return changes;
      },
    };
  }

  it("a historical order earns nothing, and a later update (paid, then refunded) keeps it that way", () => {
    const l = life({ importId: "imp_1", award: false });
    expect(l.update(order({ paidAt: "2026-01-10T10:05:00Z" })).awards).toEqual([]);
    const later = l.update(order({ paidAt: "2026-01-10T10:05:00Z", deliveredAt: "2026-01-12T10:00:00Z", refunds: [{ id: "r1", amount: 5_000, at: "2026-01-20T00:00:00Z" }] }));
    expect(later.awards).toEqual([]);
    expect(later.record.origin).toEqual({ importId: "imp_1", award: false });
    expect(l.book.balance.balance).toBe(0);
  });

  it("an order imported with award earns as any order would", () => {
    const l = life({ importId: "imp_1", award: true });
    expect(l.update(order({ paidAt: "2026-01-10T10:05:00Z" })).awards).toMatchObject([{ awarded: 100 }]);
    expect(l.book.balance.balance).toBe(100);
  });

  it("an order sent through the API (no origin) earns", () => {
    const l = life(undefined);
    expect(l.update(order({ paidAt: "2026-01-10T10:05:00Z" })).awards).toMatchObject([{ awarded: 100 }]);
  });
});

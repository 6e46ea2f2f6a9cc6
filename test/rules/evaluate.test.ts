import { describe, expect, it } from "vitest";
import { conditionHolds } from "../../src/core/rules/conditions.ts";
import { evaluateRules, type Campaign, type EvaluationInput, type RuleAward } from "../../src/core/rules/evaluate.ts";
import { applyFactors } from "../../src/core/rules/multiply.ts";
import { conditionSchema, earnRuleSchema, type EarnRuleInput, type RuleVersion } from "../../src/core/rules/schema.ts";
import { RuleState } from "../../src/core/rules/state.ts";

/** Pure unit tests of the rule engine (SPEC §3 "Earn rules"): evaluateRules over an in-memory RuleState. */

function rule(def: EarnRuleInput, id = "rule_a", version = 1): RuleVersion {
  return { id, version, rule: earnRuleSchema.parse(def) };
}

interface EventSpec {
  type?: string;
  at?: string;
  channel?: string;
  memberId?: string;
  tier?: string | null;
  isMember?: boolean;
  properties?: Record<string, unknown>;
  tierMultiplier?: number;
  campaigns?: Campaign[];
  timezone?: string;
  subject?: unknown;
  orderBase?: EvaluationInput["orderBase"];
}

function input(e: EventSpec = {}): EvaluationInput {
  const type = e.type ?? "test.event";
  const memberId = e.memberId ?? "m1";
  const channel = e.channel ?? "online";
  return {
    eventType: type,
    occurredAt: new Date(e.at ?? "2026-01-15T12:00:00Z"),
    channel,
    subject: e.subject ?? { type, channel, memberId, properties: e.properties ?? {} },
    member: { memberId, tier: e.tier ?? null, isMember: e.isMember ?? true },
    tierMultiplier: e.tierMultiplier ?? 1,
    campaigns: e.campaigns ?? [],
    timezone: e.timezone ?? "UTC",
    ...(e.orderBase ? { orderBase: e.orderBase } : {}),
  };
}

/** Evaluates one event and returns the points of each award (by rule) plus the raw result. */
function run(rules: RuleVersion | RuleVersion[], e: EventSpec, state: RuleState) {
  return evaluateRules(Array.isArray(rules) ? rules : [rules], input(e), state);
}

function points(rules: RuleVersion | RuleVersion[], e: EventSpec, state: RuleState): number {
  return run(rules, e, state).awards.reduce((s, a) => s + a.points, 0);
}

function only(result: { awards: RuleAward[] }): RuleAward {
  expect(result.awards).toHaveLength(1);
  return result.awards[0]!;
}

const order = (base: number, detail: Record<string, unknown> = {}) => () => ({ base, detail });

describe("award types", () => {
  it("fixed: the same points every time the rule fires", () => {
    const r = rule({ name: "Review", event: "review.posted", award: { type: "fixed", points: 25 } });
    const state = new RuleState();
    const results = [1, 2, 3].map(() => run(r, { type: "review.posted" }, state));
    expect(results.map((x) => only(x).points)).toEqual([25, 25, 25]);
    expect(only(results[0]!)).toEqual({
      ruleId: "rule_a", version: 1, points: 25, delayDays: 0,
      explanation: { rule: { id: "rule_a", name: "Review", version: 1 }, award: "fixed", inputs: {}, raw: 25, points: 25 },
    });
    expect(state.counter("m1", "rule_a", "lifetime")).toEqual({ points: 75, times: 3, units: 0 });
    expect(state.counter("m1", "rule_a", "day:2026-01-15")).toEqual({ points: 75, times: 3, units: 0 });
    expect(state.counter("m1", "rule_a", "month:2026-01")).toEqual({ points: 75, times: 3, units: 0 });
  });

  it("per_unit: units accumulate across events (30 + 30 products with per 50 → 10 pts on the second)", () => {
    const r = rule({ name: "List products", event: "products.listed", award: { type: "per_unit", points: 10, per: 50, field: "properties.count" } });
    const state = new RuleState();
    const first = run(r, { type: "products.listed", properties: { count: 30 } }, state);
    expect(first.awards).toEqual([]);
    expect(first.skipped).toEqual([{ ruleId: "rule_a", reason: "nothing earned yet" }]);
    const second = only(run(r, { type: "products.listed", properties: { count: 30 } }, state));
    expect(second.points).toBe(10);
    expect(second.explanation).toEqual({
      rule: { id: "rule_a", name: "List products", version: 1 }, award: "per_unit",
      inputs: { units: 30, unitsBefore: 30, unitsAfter: 60, per: 50 }, raw: 10, points: 10,
    });
    // 60 → 105 passes 100: one more step; 105 → 205 passes 150 and 200: two steps.
    expect(points(r, { type: "products.listed", properties: { count: 45 } }, state)).toBe(10);
    expect(points(r, { type: "products.listed", properties: { count: 100 } }, state)).toBe(20);
    expect(points(r, { type: "products.listed", properties: { count: 0 } }, state)).toBe(0);
    expect(state.counter("m1", "rule_a", "lifetime")).toEqual({ points: 40, times: 3, units: 205 });
  });

  it("per_unit: units are counted per member", () => {
    const r = rule({ name: "List", event: "products.listed", award: { type: "per_unit", points: 10, per: 50, field: "properties.count" } });
    const state = new RuleState();
    expect(points(r, { type: "products.listed", memberId: "a", properties: { count: 30 } }, state)).toBe(0);
    expect(points(r, { type: "products.listed", memberId: "b", properties: { count: 30 } }, state)).toBe(0);
    expect(points(r, { type: "products.listed", memberId: "a", properties: { count: 20 } }, state)).toBe(10);
    expect(points(r, { type: "products.listed", memberId: "b", properties: { count: 19 } }, state)).toBe(0);
  });

  it("per_unit: a missing, negative or non-numeric unit field earns nothing and counts nothing", () => {
    const r = rule({ name: "List", event: "products.listed", award: { type: "per_unit", points: 10, per: 50, field: "properties.count" } });
    const state = new RuleState();
    for (const properties of [{}, { count: -5 }, { count: "many" }, { count: [1, 2] }]) {
      const result = run(r, { type: "products.listed", properties }, state);
      expect(result.awards).toEqual([]);
      expect(result.skipped).toEqual([{ ruleId: "rule_a", reason: "properties.count is not a non-negative number" }]);
    }
    expect(state.counter("m1", "rule_a", "lifetime").units).toBe(0);
  });

  it("per_unit: units keep counting while a cap holds points back", () => {
    const r = rule({
      name: "List", event: "products.listed",
      award: { type: "per_unit", points: 10, per: 50, field: "properties.count" }, limits: { maxPoints: { lifetime: 10 } },
    });
    const state = new RuleState();
    expect(points(r, { type: "products.listed", properties: { count: 60 } }, state)).toBe(10);
    const capped = run(r, { type: "products.listed", properties: { count: 40 } }, state);
    expect(capped.awards).toEqual([]);
    expect(capped.skipped).toEqual([{ ruleId: "rule_a", reason: "cap reached (lifetime)" }]);
    expect(state.counter("m1", "rule_a", "lifetime")).toEqual({ points: 10, times: 1, units: 100 });
  });

  describe("per_amount (order rules) with an orderBase function", () => {
    const floorRule = (points: number, per: number) => rule({ name: "Spend", event: "order", award: { type: "per_amount", points, per } });
    const proportionalRule = (points: number, per: number) =>
      rule({ name: "Spend", event: "order", award: { type: "per_amount", points, per, rounding: "proportional" } });

    it("2 pts per $10 on $375.00: 74 with floor, 75 proportional", () => {
      const detail = { lines: 2, subtotal: 37_500 };
      const f = only(run(floorRule(2, 1000), { type: "order", orderBase: order(37_500, detail) }, new RuleState()));
      const p = only(run(proportionalRule(2, 1000), { type: "order", orderBase: order(37_500, detail) }, new RuleState()));
      expect(f.points).toBe(74);
      expect(p.points).toBe(75);
      expect(f.explanation).toEqual({
        rule: { id: "rule_a", name: "Spend", version: 1 }, award: "per_amount", base: 37_500,
        inputs: { lines: 2, subtotal: 37_500, per: 1000, pointsPer: 2, rounding: "floor" }, raw: 74, points: 74,
      });
      expect(p.explanation).toMatchObject({ base: 37_500, inputs: { rounding: "proportional" }, raw: 75, points: 75 });
    });

    it("the formula on $37.50 (3750 cents): 2 × floor(3750/1000) = 6 with floor, floor(3750 × 2 / 1000) = 7 proportional", () => {
      expect(points(floorRule(2, 1000), { type: "order", orderBase: order(3750) }, new RuleState())).toBe(6);
      expect(points(proportionalRule(2, 1000), { type: "order", orderBase: order(3750) }, new RuleState())).toBe(7);
      // 2 pts per $1 on $37.50 gives the 74 / 75 pair too.
      expect(points(floorRule(2, 100), { type: "order", orderBase: order(3750) }, new RuleState())).toBe(74);
      expect(points(proportionalRule(2, 100), { type: "order", orderBase: order(3750) }, new RuleState())).toBe(75);
    });

    it("$10 = 1 pt, below one step earns nothing, and the base is read per rule", () => {
      const state = new RuleState();
      expect(points(floorRule(1, 1000), { type: "order", orderBase: order(999) }, state)).toBe(0);
      expect(points(floorRule(1, 1000), { type: "order", orderBase: order(1000) }, state)).toBe(1);
      expect(points(floorRule(1, 1000), { type: "order", orderBase: order(12_345) }, state)).toBe(12);
      const seen: string[] = [];
      const subtotalRule = rule({ name: "Subtotal", event: "order", base: "subtotal", award: { type: "per_amount", points: 1, per: 100 } }, "rule_a");
      const netRule = rule({ name: "Net", event: "order", base: "net", award: { type: "per_amount", points: 1, per: 100 } }, "rule_b");
      const result = run([subtotalRule, netRule], {
        type: "order",
        orderBase: (r) => { seen.push(r.name); return { base: r.base === "net" ? 5_000 : 8_000, detail: { base: r.base } }; },
      }, state);
      expect(seen).toEqual(["Subtotal", "Net"]);
      expect(result.awards.map((a) => [a.ruleId, a.points])).toEqual([["rule_a", 80], ["rule_b", 50]]);
    });

    it("without an order there is nothing to award", () => {
      const result = run(floorRule(1, 1000), { type: "order" }, new RuleState());
      expect(result).toEqual({ awards: [], skipped: [{ ruleId: "rule_a", reason: "per_amount needs an order" }] });
    });
  });

  it("every_nth: points on every 3rd qualifying event of the member", () => {
    const r = rule({ name: "Every 3rd order", event: "order", award: { type: "every_nth", points: 30, every: 3 } });
    const state = new RuleState();
    const got = Array.from({ length: 9 }, () => points(r, { type: "order", orderBase: order(500) }, state));
    expect(got).toEqual([0, 0, 30, 0, 0, 30, 0, 0, 30]);
    // Another member counts separately.
    expect(points(r, { type: "order", memberId: "m2", orderBase: order(500) }, state)).toBe(0);
    const tenth = run(r, { type: "order", orderBase: order(500) }, state);
    expect(tenth.skipped).toEqual([{ ruleId: "rule_a", reason: "not the nth qualifying event" }]);
    const twelfth = (run(r, { type: "order", orderBase: order(500) }, state), only(run(r, { type: "order", orderBase: order(500) }, state)));
    expect(twelfth.explanation).toEqual({
      rule: { id: "rule_a", name: "Every 3rd order", version: 1 }, award: "every_nth", base: 500,
      inputs: { count: 12, every: 3 }, raw: 30, points: 30,
    });
  });

  it("every_nth works on plain events too, and a non-qualifying event does not count", () => {
    const r = rule({
      name: "Every 2nd visit", event: "store.visited", award: { type: "every_nth", points: 5, every: 2 },
      conditions: [{ field: "properties.valid", op: "eq", value: true }],
    });
    const state = new RuleState();
    const seq = [true, false, true, true, false, true].map((valid) => points(r, { type: "store.visited", properties: { valid } }, state));
    expect(seq).toEqual([0, 0, 5, 0, 0, 5]);
  });

  it("several rules may fire on one event; awards add up, in rule-id order, and other event types are skipped", () => {
    const rules = [
      rule({ name: "B", event: "login", award: { type: "fixed", points: 7 } }, "rule_b"),
      rule({ name: "A", event: "login", award: { type: "fixed", points: 5 } }, "rule_a"),
      rule({ name: "C", event: "review.posted", award: { type: "fixed", points: 100 } }, "rule_c"),
    ];
    const result = run(rules, { type: "login" }, new RuleState());
    expect(result.awards.map((a) => [a.ruleId, a.points])).toEqual([["rule_a", 5], ["rule_b", 7]]);
    expect(result.skipped).toEqual([{ ruleId: "rule_c", reason: "another event type" }]);
  });

  it("passes the rule's delayDays and validity through to the award", () => {
    const r = rule({
      name: "Spend", event: "order", award: { type: "per_amount", points: 1, per: 100 },
      timing: { awardOn: "delivered", delayDays: 3 }, validity: { type: "rolling", months: 12 },
    });
    const award = only(run(r, { type: "order", orderBase: order(1_000) }, new RuleState()));
    expect(award).toMatchObject({ points: 10, delayDays: 3, validity: { type: "rolling", months: 12 } });
  });
});

describe("limits", () => {
  it("once: true — once per member ever", () => {
    const r = rule({ name: "Sign up", event: "account.registered", award: { type: "fixed", points: 100 }, limits: { once: true } });
    const state = new RuleState();
    const first = only(run(r, { type: "account.registered" }, state));
    expect(first.explanation.once).toBe("once per member");
    const again = run(r, { type: "account.registered", at: "2027-06-01T00:00:00Z" }, state);
    expect(again).toEqual({ awards: [], skipped: [{ ruleId: "rule_a", reason: "already rewarded once" }] });
    expect(points(r, { type: "account.registered", memberId: "m2" }, state)).toBe(100);
    expect(state.changes().claims).toEqual([
      { ruleId: "rule_a", owner: "m1", key: "", memberId: "m1" },
      { ruleId: "rule_a", owner: "m2", key: "", memberId: "m2" },
    ]);
  });

  it("once: true honours claims loaded from storage", () => {
    const r = rule({ name: "Sign up", event: "account.registered", award: { type: "fixed", points: 100 }, limits: { once: true } });
    const state = new RuleState([], [{ ruleId: "rule_a", owner: "m1", key: "" }]);
    expect(points(r, { type: "account.registered" }, state)).toBe(0);
    expect(points(r, { type: "account.registered", memberId: "m2" }, state)).toBe(100);
  });

  it("once scope member with key — once per member per distinct key value (per bound store)", () => {
    const r = rule({
      name: "Bind store", event: "store.bound", award: { type: "fixed", points: 50 },
      limits: { once: { scope: "member", key: "properties.storeRef" } },
    });
    const state = new RuleState();
    const ev = (memberId: string, storeRef?: unknown) => ({ type: "store.bound", memberId, properties: storeRef === undefined ? {} : { storeRef } });
    const first = only(run(r, ev("m1", "shop-a"), state));
    expect(first.explanation.once).toBe("once per member for shop-a");
    expect(points(r, ev("m1", "shop-a"), state)).toBe(0);
    expect(points(r, ev("m1", "shop-b"), state)).toBe(50);
    expect(points(r, ev("m2", "shop-a"), state)).toBe(50);
    // Numbers and strings of the same value are the same key.
    expect(points(r, ev("m1", 7), state)).toBe(50);
    expect(points(r, ev("m1", "7"), state)).toBe(0);
    expect(run(r, ev("m3"), state)).toEqual({ awards: [], skipped: [{ ruleId: "rule_a", reason: "once key properties.storeRef is missing" }] });
    expect(run(r, ev("m3", ""), state).skipped).toEqual([{ ruleId: "rule_a", reason: "once key properties.storeRef is missing" }]);
    expect(state.changes().claims.map((c) => [c.owner, c.key])).toEqual([["m1", "shop-a"], ["m1", "shop-b"], ["m2", "shop-a"], ["m1", "7"]]);
  });

  it("once scope store with key — one reward per referred customer, whoever refers them", () => {
    const r = rule({
      name: "Referral", event: "referral.registered", award: { type: "fixed", points: 200 },
      limits: { once: { scope: "store", key: "properties.referredId" } },
    });
    const state = new RuleState([], [{ ruleId: "rule_a", owner: "", key: "cust-old" }]);
    const ev = (memberId: string, referredId: string) => ({ type: "referral.registered", memberId, properties: { referredId } });
    const first = only(run(r, ev("m1", "cust-1"), state));
    expect(first.explanation.once).toBe("once per store for cust-1");
    expect(points(r, ev("m2", "cust-1"), state)).toBe(0);
    expect(points(r, ev("m1", "cust-1"), state)).toBe(0);
    expect(points(r, ev("m2", "cust-2"), state)).toBe(200);
    expect(points(r, ev("m3", "cust-old"), state)).toBe(0);
    expect(state.changes().claims).toEqual([
      { ruleId: "rule_a", owner: "", key: "cust-1", memberId: "m1" },
      { ruleId: "rule_a", owner: "", key: "cust-2", memberId: "m2" },
    ]);
  });

  it("once keys are per rule", () => {
    const a = rule({ name: "A", event: "referral.registered", award: { type: "fixed", points: 1 }, limits: { once: { scope: "store", key: "properties.referredId" } } }, "rule_a");
    const b = rule({ name: "B", event: "referral.registered", award: { type: "fixed", points: 2 }, limits: { once: { scope: "store", key: "properties.referredId" } } }, "rule_b");
    const state = new RuleState();
    expect(points([a, b], { type: "referral.registered", properties: { referredId: "x" } }, state)).toBe(3);
    expect(points([a, b], { type: "referral.registered", properties: { referredId: "x" } }, state)).toBe(0);
  });

  it("once does not claim when nothing was awarded (per_unit below one step)", () => {
    const r = rule({
      name: "First batch", event: "products.listed", award: { type: "per_unit", points: 10, per: 50, field: "properties.count" },
      limits: { once: true },
    });
    const state = new RuleState();
    expect(points(r, { type: "products.listed", properties: { count: 30 } }, state)).toBe(0);
    expect(points(r, { type: "products.listed", properties: { count: 30 } }, state)).toBe(10);
    expect(points(r, { type: "products.listed", properties: { count: 300 } }, state)).toBe(0);
  });

  it("maxTimesPerDay counts per member per store-local day", () => {
    // Asia/Taipei is UTC+8: 15:59Z is 23:59 local, 16:00Z is the next local day.
    const r = rule({ name: "Login", event: "login", award: { type: "fixed", points: 5 }, limits: { maxTimesPerDay: 2 } });
    const state = new RuleState();
    const at = (iso: string, memberId = "m1") => points(r, { type: "login", at: iso, memberId, timezone: "Asia/Taipei" }, state);
    expect(at("2026-01-14T00:30:00Z")).toBe(5);
    expect(at("2026-01-14T10:00:00Z")).toBe(5);
    expect(at("2026-01-14T15:59:59Z")).toBe(0);
    expect(at("2026-01-14T15:59:59Z", "m2")).toBe(5);
    expect(at("2026-01-14T16:00:00Z")).toBe(5);
    const third = run(r, { type: "login", at: "2026-01-15T15:00:00Z", timezone: "Asia/Taipei" }, state);
    expect(third.awards).toHaveLength(1);
    const fourth = run(r, { type: "login", at: "2026-01-15T15:30:00Z", timezone: "Asia/Taipei" }, state);
    expect(fourth.skipped).toEqual([{ ruleId: "rule_a", reason: "already rewarded 2 time(s) today" }]);
    expect(state.counter("m1", "rule_a", "day:2026-01-14").times).toBe(2);
    expect(state.counter("m1", "rule_a", "day:2026-01-15").times).toBe(2);
  });

  it("maxTimesPerDay 1 (the daily login), with times loaded from storage", () => {
    const r = rule({ name: "Login", event: "login", award: { type: "fixed", points: 5 }, limits: { maxTimesPerDay: 1 } });
    const state = new RuleState([{ memberId: "m1", ruleId: "rule_a", period: "day:2026-01-15", points: 5, times: 1, units: 0 }]);
    expect(points(r, { type: "login", at: "2026-01-15T23:59:59Z" }, state)).toBe(0);
    expect(points(r, { type: "login", at: "2026-01-16T00:00:00Z" }, state)).toBe(5);
  });

  it("maxPoints.event cuts a single award", () => {
    const r = rule({ name: "Big", event: "e", award: { type: "fixed", points: 100 }, limits: { maxPoints: { event: 30 } } });
    const state = new RuleState();
    const a = only(run(r, { type: "e" }, state));
    expect(a.points).toBe(30);
    expect(a.explanation).toMatchObject({ raw: 100, caps: [{ cap: "event", limit: 30, used: 0, cut: 70 }], points: 30 });
    expect(points(r, { type: "e" }, state)).toBe(30);
  });

  it("maxPoints.month: cap 50/month, 40 earned, award 20 → 10; then nothing until the next store-local month", () => {
    const r = rule({ name: "Monthly", event: "e", award: { type: "fixed", points: 20 }, limits: { maxPoints: { month: 50 } } });
    const state = new RuleState([{ memberId: "m1", ruleId: "rule_a", period: "month:2026-01", points: 40, times: 2, units: 0 }]);
    const cut = only(run(r, { type: "e", at: "2026-01-20T10:00:00Z" }, state));
    expect(cut.points).toBe(10);
    expect(cut.explanation).toEqual({
      rule: { id: "rule_a", name: "Monthly", version: 1 }, award: "fixed", inputs: {}, raw: 20,
      caps: [{ cap: "month", limit: 50, used: 40, cut: 10 }], points: 10,
    });
    const full = run(r, { type: "e", at: "2026-01-31T23:00:00Z" }, state);
    expect(full).toEqual({ awards: [], skipped: [{ ruleId: "rule_a", reason: "cap reached (month)" }] });
    // 2026-01-31T23:30Z is February 1st in Tokyo but still January in UTC.
    expect(points(r, { type: "e", at: "2026-01-31T23:30:00Z", timezone: "Asia/Tokyo" }, state)).toBe(20);
    expect(points(r, { type: "e", at: "2026-02-01T00:00:00Z" }, state)).toBe(20);
    expect(points(r, { type: "e", at: "2026-02-28T23:00:00Z" }, state)).toBe(10);
    expect(state.counter("m1", "rule_a", "month:2026-01").points).toBe(50);
    expect(state.counter("m1", "rule_a", "month:2026-02").points).toBe(50);
  });

  it("maxPoints.day in the store's zone", () => {
    const r = rule({ name: "Daily", event: "e", award: { type: "fixed", points: 10 }, limits: { maxPoints: { day: 15 } } });
    const state = new RuleState();
    // America/New_York in January is UTC-5: 04:59Z is still the previous local day.
    const at = (iso: string) => points(r, { type: "e", at: iso, timezone: "America/New_York" }, state);
    expect([at("2026-01-15T05:00:00Z"), at("2026-01-15T20:00:00Z"), at("2026-01-16T04:59:59Z"), at("2026-01-16T05:00:00Z")]).toEqual([10, 5, 0, 10]);
  });

  it("maxPoints.lifetime spans months", () => {
    const r = rule({ name: "Lifetime", event: "e", award: { type: "fixed", points: 10 }, limits: { maxPoints: { lifetime: 25 } } });
    const state = new RuleState();
    const got = ["2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"].map((at) => points(r, { type: "e", at }, state));
    expect(got).toEqual([10, 10, 5, 0]);
  });

  it("several caps at once: the tightest wins and each cut is explained", () => {
    const r = rule({ name: "Caps", event: "e", award: { type: "fixed", points: 10 }, limits: { maxPoints: { event: 8, day: 20, month: 30, lifetime: 1000 } } });
    const state = new RuleState();
    const awards = ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z", "2026-01-02T01:00:00Z", "2026-01-03T01:00:00Z"]
      .map((at) => run(r, { type: "e", at }, state).awards[0]);
    expect(awards.map((a) => a?.points ?? 0)).toEqual([8, 8, 4, 8, 2]);
    expect(awards[2]!.explanation.caps).toEqual([{ cap: "event", limit: 8, used: 0, cut: 2 }, { cap: "day", limit: 20, used: 16, cut: 4 }]);
    expect(awards[4]!.explanation.caps).toEqual([{ cap: "event", limit: 8, used: 0, cut: 2 }, { cap: "month", limit: 30, used: 28, cut: 6 }]);
  });

  it("caps are per member and per rule", () => {
    const a = rule({ name: "A", event: "e", award: { type: "fixed", points: 10 }, limits: { maxPoints: { month: 10 } } }, "rule_a");
    const b = rule({ name: "B", event: "e", award: { type: "fixed", points: 10 }, limits: { maxPoints: { month: 10 } } }, "rule_b");
    const state = new RuleState();
    expect(points([a, b], { type: "e" }, state)).toBe(20);
    expect(points([a, b], { type: "e" }, state)).toBe(0);
    expect(points([a, b], { type: "e", memberId: "m2" }, state)).toBe(20);
  });
});

describe("audience", () => {
  const r = (audience: EarnRuleInput["audience"]) => rule({ name: "A", event: "e", award: { type: "fixed", points: 10 }, ...(audience ? { audience } : {}) });

  it("default: members of any tier, not non-members", () => {
    const state = new RuleState();
    expect(points(r(undefined), { type: "e", tier: null }, state)).toBe(10);
    expect(points(r(undefined), { type: "e", tier: "gold" }, state)).toBe(10);
    expect(run(r(undefined), { type: "e", isMember: false }, state).skipped).toEqual([{ ruleId: "rule_a", reason: "non-members do not earn from this rule" }]);
  });

  it("tiers: only members of those tiers", () => {
    const rr = r({ tiers: ["gold", "platinum"] });
    const state = new RuleState();
    expect(points(rr, { type: "e", tier: "gold" }, state)).toBe(10);
    expect(points(rr, { type: "e", tier: "platinum" }, state)).toBe(10);
    expect(run(rr, { type: "e", tier: "silver" }, state).skipped).toEqual([{ ruleId: "rule_a", reason: "member's tier is not in the rule's audience" }]);
    expect(run(rr, { type: "e", tier: null }, state).skipped).toEqual([{ ruleId: "rule_a", reason: "member's tier is not in the rule's audience" }]);
  });

  it("nonMembers only", () => {
    const rr = r({ members: false, nonMembers: true });
    const state = new RuleState();
    expect(points(rr, { type: "e", isMember: false }, state)).toBe(10);
    expect(run(rr, { type: "e", isMember: true }, state).skipped).toEqual([{ ruleId: "rule_a", reason: "members do not earn from this rule" }]);
  });

  it("members and non-members", () => {
    const rr = r({ members: true, nonMembers: true });
    const state = new RuleState();
    expect(points(rr, { type: "e", isMember: false }, state)).toBe(10);
    expect(points(rr, { type: "e", isMember: true }, state)).toBe(10);
  });

  it("memberIds: only the listed members", () => {
    const rr = r({ memberIds: ["vip-1", "vip-2"] });
    const state = new RuleState();
    expect(points(rr, { type: "e", memberId: "vip-2" }, state)).toBe(10);
    expect(run(rr, { type: "e", memberId: "m1" }, state).skipped).toEqual([{ ruleId: "rule_a", reason: "member not in the rule's audience" }]);
  });
});

describe("channels", () => {
  it("a rule with channels fires only on those channels; without, on any", () => {
    const pos = rule({ name: "POS", event: "e", channels: ["pos"], award: { type: "fixed", points: 3 } }, "rule_a");
    const any = rule({ name: "Any", event: "e", award: { type: "fixed", points: 1 } }, "rule_b");
    const state = new RuleState();
    expect(points([pos, any], { type: "e", channel: "pos" }, state)).toBe(4);
    const online = run([pos, any], { type: "e", channel: "online" }, state);
    expect(online.awards.map((a) => a.ruleId)).toEqual(["rule_b"]);
    expect(online.skipped).toEqual([{ ruleId: "rule_a", reason: "not offered on channel online" }]);
    expect(points([pos, any], { type: "e", channel: "app" }, state)).toBe(1);
  });
});

describe("conditions", () => {
  const subject = {
    type: "e", channel: "online", memberId: "m1",
    properties: { via: "pointbook", count: 5, ratio: 0.5, flag: true, none: null, at: "2026-01-10T00:00:00Z", numericText: "5", network: "x" },
    order: { tags: ["vip", "sale"], total: 12_000, placedAt: "2026-01-10T08:00:00+08:00", empty: [] },
  };
  const holds = (c: unknown) => conditionHolds(conditionSchema.parse(c), subject);

  it("eq", () => {
    expect(holds({ field: "properties.via", op: "eq", value: "pointbook" })).toBe(true);
    expect(holds({ field: "properties.via", op: "eq", value: "shopify" })).toBe(false);
    expect(holds({ field: "properties.count", op: "eq", value: 5 })).toBe(true);
    expect(holds({ field: "properties.count", op: "eq", value: "5" })).toBe(false);
    expect(holds({ field: "properties.flag", op: "eq", value: true })).toBe(true);
    expect(holds({ field: "properties.none", op: "eq", value: null })).toBe(true);
    expect(holds({ field: "properties.missing", op: "eq", value: null })).toBe(true);
    expect(holds({ field: "properties.missing", op: "eq", value: "x" })).toBe(false);
    // An array field matches when any element does.
    expect(holds({ field: "order.tags", op: "eq", value: "vip" })).toBe(true);
    expect(holds({ field: "order.tags", op: "eq", value: "gift" })).toBe(false);
    expect(holds({ field: "order.empty", op: "eq", value: "vip" })).toBe(false);
  });

  it("ne", () => {
    expect(holds({ field: "properties.via", op: "ne", value: "shopify" })).toBe(true);
    expect(holds({ field: "properties.via", op: "ne", value: "pointbook" })).toBe(false);
    expect(holds({ field: "properties.missing", op: "ne", value: "x" })).toBe(true);
    // An array field matches ne when no element equals the value.
    expect(holds({ field: "order.tags", op: "ne", value: "gift" })).toBe(true);
    expect(holds({ field: "order.tags", op: "ne", value: "sale" })).toBe(false);
    expect(holds({ field: "order.empty", op: "ne", value: "sale" })).toBe(true);
  });

  it("in and nin", () => {
    expect(holds({ field: "properties.network", op: "in", value: ["x", "facebook"] })).toBe(true);
    expect(holds({ field: "properties.network", op: "in", value: ["facebook"] })).toBe(false);
    expect(holds({ field: "properties.count", op: "in", value: [1, 5, 9] })).toBe(true);
    expect(holds({ field: "properties.missing", op: "in", value: ["x"] })).toBe(false);
    expect(holds({ field: "order.tags", op: "in", value: ["gift", "sale"] })).toBe(true);
    expect(holds({ field: "order.tags", op: "in", value: ["gift", "clearance"] })).toBe(false);
    expect(holds({ field: "properties.network", op: "nin", value: ["facebook", "instagram"] })).toBe(true);
    expect(holds({ field: "properties.network", op: "nin", value: ["x"] })).toBe(false);
    expect(holds({ field: "properties.missing", op: "nin", value: ["x"] })).toBe(true);
    expect(holds({ field: "order.tags", op: "nin", value: ["gift", "clearance"] })).toBe(true);
    expect(holds({ field: "order.tags", op: "nin", value: ["gift", "vip"] })).toBe(false);
  });

  it("gt gte lt lte on numbers, at the boundary", () => {
    expect([
      holds({ field: "properties.count", op: "gt", value: 5 }),
      holds({ field: "properties.count", op: "gt", value: 4 }),
      holds({ field: "properties.count", op: "gte", value: 5 }),
      holds({ field: "properties.count", op: "gte", value: 6 }),
      holds({ field: "properties.count", op: "lt", value: 5 }),
      holds({ field: "properties.count", op: "lt", value: 6 }),
      holds({ field: "properties.count", op: "lte", value: 5 }),
      holds({ field: "properties.count", op: "lte", value: 4 }),
      holds({ field: "properties.ratio", op: "gt", value: 0.25 }),
      holds({ field: "order.total", op: "gte", value: 12_000 }),
    ]).toEqual([false, true, true, false, false, true, true, false, true, true]);
  });

  it("comparisons never hold for missing or non-numeric values", () => {
    for (const op of ["gt", "gte", "lt", "lte"]) {
      expect(holds({ field: "properties.missing", op, value: 0 })).toBe(false);
      expect(holds({ field: "properties.numericText", op, value: 5 })).toBe(false);
      expect(holds({ field: "properties.flag", op, value: 0 })).toBe(false);
      expect(holds({ field: "properties.via", op, value: 0 })).toBe(false);
    }
  });

  it("gt gte lt lte on ISO instants, across offsets", () => {
    // properties.at and order.placedAt are the same instant (2026-01-10T00:00:00Z).
    expect(holds({ field: "properties.at", op: "gt", value: "2026-01-09T23:59:59Z" })).toBe(true);
    expect(holds({ field: "properties.at", op: "gt", value: "2026-01-10T00:00:00Z" })).toBe(false);
    expect(holds({ field: "properties.at", op: "gte", value: "2026-01-10T08:00:00+08:00" })).toBe(true);
    expect(holds({ field: "properties.at", op: "lt", value: "2026-01-10T00:00:01Z" })).toBe(true);
    expect(holds({ field: "order.placedAt", op: "lte", value: "2026-01-10T00:00:00Z" })).toBe(true);
    expect(holds({ field: "order.placedAt", op: "lt", value: "2026-01-10T00:00:00Z" })).toBe(false);
    expect(holds({ field: "order.placedAt", op: "gt", value: "2026-01-09T19:00:00-05:00" })).toBe(false);
    expect(holds({ field: "order.placedAt", op: "gte", value: "2026-01-09T19:00:00-05:00" })).toBe(true);
  });

  it("exists", () => {
    expect(holds({ field: "properties.via", op: "exists", value: true })).toBe(true);
    expect(holds({ field: "properties.via", op: "exists" })).toBe(true);
    expect(holds({ field: "properties.missing", op: "exists" })).toBe(false);
    expect(holds({ field: "properties.none", op: "exists" })).toBe(false);
    expect(holds({ field: "properties.missing", op: "exists", value: false })).toBe(true);
    expect(holds({ field: "properties.via", op: "exists", value: false })).toBe(false);
    expect(holds({ field: "properties.count", op: "exists" })).toBe(true);
    expect(holds({ field: "order.tags", op: "exists" })).toBe(true);
    // A path through a scalar does not exist.
    expect(holds({ field: "properties.via.length", op: "exists" })).toBe(false);
  });

  it("a rule fires only when all its conditions hold", () => {
    const r = rule({
      name: "Shipped via Pointbook", event: "orders.shipped", award: { type: "fixed", points: 20 },
      conditions: [{ field: "properties.via", op: "eq", value: "pointbook" }, { field: "properties.count", op: "gte", value: 10 }],
    });
    const state = new RuleState();
    expect(points(r, { type: "orders.shipped", properties: { via: "pointbook", count: 10 } }, state)).toBe(20);
    const wrongVia = run(r, { type: "orders.shipped", properties: { via: "manual", count: 10 } }, state);
    expect(wrongVia.skipped).toEqual([{ ruleId: "rule_a", reason: "conditions not met" }]);
    expect(points(r, { type: "orders.shipped", properties: { via: "pointbook", count: 9 } }, state)).toBe(0);
  });

  it("order rules read order fields such as order.tags", () => {
    const r = rule({ name: "VIP orders", event: "order", award: { type: "fixed", points: 10 }, conditions: [{ field: "order.tags", op: "nin", value: ["ineligible"] }] });
    const state = new RuleState();
    expect(points(r, { type: "order", subject: { order: { tags: ["vip"] } }, orderBase: order(100) }, state)).toBe(10);
    expect(points(r, { type: "order", subject: { order: { tags: ["vip", "ineligible"] } }, orderBase: order(100) }, state)).toBe(0);
  });
});

describe("activeFrom, activeTo and enabled", () => {
  it("active from (inclusive) to (exclusive)", () => {
    const r = rule({ name: "Window", event: "e", award: { type: "fixed", points: 10 }, activeFrom: "2026-03-01T00:00:00+01:00", activeTo: "2026-04-01T00:00:00+02:00" });
    const state = new RuleState();
    const at = (iso: string) => run(r, { type: "e", at: iso }, state);
    expect(at("2026-02-28T22:59:59.999Z").skipped).toEqual([{ ruleId: "rule_a", reason: "rule not active yet" }]);
    expect(at("2026-02-28T23:00:00Z").awards).toHaveLength(1);
    expect(at("2026-03-31T21:59:59.999Z").awards).toHaveLength(1);
    expect(at("2026-03-31T22:00:00Z").skipped).toEqual([{ ruleId: "rule_a", reason: "rule ended" }]);
  });

  it("open-ended windows", () => {
    const from = rule({ name: "From", event: "e", award: { type: "fixed", points: 1 }, activeFrom: "2026-01-01T00:00:00Z" }, "rule_a");
    const to = rule({ name: "To", event: "e", award: { type: "fixed", points: 2 }, activeTo: "2026-01-01T00:00:00Z" }, "rule_b");
    const state = new RuleState();
    expect(points([from, to], { type: "e", at: "2025-06-01T00:00:00Z" }, state)).toBe(2);
    expect(points([from, to], { type: "e", at: "2030-06-01T00:00:00Z" }, state)).toBe(1);
  });

  it("a disabled rule never fires", () => {
    const r = rule({ name: "Off", event: "e", award: { type: "fixed", points: 10 }, enabled: false });
    expect(run(r, { type: "e" }, new RuleState())).toEqual({ awards: [], skipped: [{ ruleId: "rule_a", reason: "rule disabled" }] });
  });
});

describe("multipliers, campaigns and the tier multiplier", () => {
  const window = { from: "2026-11-11T00:00:00+08:00", to: "2026-11-12T00:00:00+08:00" };

  it("rule multiplier: double points inside the window only", () => {
    const r = rule({ name: "Spend", event: "e", award: { type: "fixed", points: 10 }, multipliers: [{ ...window, factor: 2 }] });
    const state = new RuleState();
    const at = (iso: string) => points(r, { type: "e", at: iso }, state);
    expect([at("2026-11-10T15:59:59.999Z"), at("2026-11-10T16:00:00Z"), at("2026-11-11T15:59:59.999Z"), at("2026-11-11T16:00:00Z")]).toEqual([10, 20, 20, 10]);
    const inside = only(run(r, { type: "e", at: "2026-11-11T04:00:00Z" }, state));
    expect(inside.explanation).toEqual({
      rule: { id: "rule_a", name: "Spend", version: 1 }, award: "fixed", inputs: {}, raw: 10,
      multipliers: [{ source: "rule multiplier", factor: 2 }], multiplied: 20, points: 20,
    });
  });

  it("a named rule multiplier is explained by its name", () => {
    const r = rule({ name: "Spend", event: "e", award: { type: "fixed", points: 10 }, multipliers: [{ ...window, factor: 3, name: "Singles day" }] });
    expect(only(run(r, { type: "e", at: "2026-11-11T04:00:00Z" }, new RuleState())).explanation.multipliers).toEqual([{ source: "Singles day", factor: 3 }]);
  });

  it("program campaigns apply to all rules inside the window, limited by events or rules when given", () => {
    const a = rule({ name: "A", event: "order", award: { type: "per_amount", points: 1, per: 100 } }, "rule_a");
    const b = rule({ name: "B", event: "order", award: { type: "fixed", points: 10 } }, "rule_b");
    const login = rule({ name: "Login", event: "login", award: { type: "fixed", points: 5 } }, "rule_c");
    const campaigns: Campaign[] = [{ name: "11.11", ...window, factor: 2 }];
    const state = new RuleState();
    const inside = run([a, b], { type: "order", at: "2026-11-11T12:00:00+08:00", campaigns, orderBase: order(1_000) }, state);
    expect(inside.awards.map((x) => x.points)).toEqual([20, 20]);
    expect(inside.awards[0]!.explanation.multipliers).toEqual([{ source: "campaign 11.11", factor: 2 }]);
    const outside = run([a, b], { type: "order", at: "2026-11-12T00:00:00+08:00", campaigns, orderBase: order(1_000) }, state);
    expect(outside.awards.map((x) => x.points)).toEqual([10, 10]);
    expect(outside.awards[0]!.explanation).not.toHaveProperty("multipliers");

    const onlyOrders: Campaign[] = [{ name: "Orders", ...window, factor: 2, events: ["order"] }];
    expect(points(login, { type: "login", at: "2026-11-11T12:00:00+08:00", campaigns: onlyOrders }, state)).toBe(5);
    const onlyB: Campaign[] = [{ name: "B only", ...window, factor: 2, rules: ["rule_b"] }];
    const limited = run([a, b], { type: "order", at: "2026-11-11T12:00:00+08:00", campaigns: onlyB, orderBase: order(1_000) }, state);
    expect(limited.awards.map((x) => x.points)).toEqual([10, 20]);
  });

  it("factor 1.5 and 1.15 with exact integer math, flooring once", () => {
    const r = (p: number) => rule({ name: "X", event: "e", award: { type: "fixed", points: p } });
    const campaigns = (factor: number): Campaign[] => [{ name: "c", from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z", factor }];
    const state = new RuleState();
    expect(points(r(100), { type: "e", campaigns: campaigns(1.15) }, state)).toBe(115); // 100 * 1.15 === 114.99999999999999 in floating point
    expect(points(r(15), { type: "e", campaigns: campaigns(1.5) }, state)).toBe(22);
    expect(points(r(100), { type: "e", campaigns: campaigns(1.5) }, state)).toBe(150);
    expect(points(r(10), { type: "e", campaigns: campaigns(0.7) }, state)).toBe(7); // 10 * 0.7 is exact, but 0.7 * 10000 is not
    expect(points(r(3), { type: "e", campaigns: campaigns(1.1) }, state)).toBe(3);
    expect(points(r(1000), { type: "e", campaigns: campaigns(1.005) }, state)).toBe(1005);
    expect(points(r(1), { type: "e", campaigns: campaigns(0.5) }, new RuleState())).toBe(0);
    expect(applyFactors(100, [1.15])).toBe(115);
    expect(applyFactors(10, [2, 1.5, 1.25])).toBe(37);
    expect(applyFactors(29, [1.1, 1.1])).toBe(35); // 29 * 1.21 = 35.09
    expect(applyFactors(7, [])).toBe(7);
  });

  it("tier multiplier", () => {
    const r = rule({ name: "X", event: "e", award: { type: "fixed", points: 15 } });
    const a = only(run(r, { type: "e", tier: "gold", tierMultiplier: 1.5 }, new RuleState()));
    expect(a.points).toBe(22);
    expect(a.explanation).toMatchObject({ raw: 15, multipliers: [{ source: "tier gold", factor: 1.5 }], multiplied: 22, points: 22 });
    expect(points(r, { type: "e", tier: "silver", tierMultiplier: 1 }, new RuleState())).toBe(15);
  });

  it("rule multiplier, campaign and tier multiplier combine, then caps cut", () => {
    const r = rule({
      name: "All", event: "e", award: { type: "fixed", points: 10 }, multipliers: [{ ...window, factor: 2 }],
      limits: { maxPoints: { day: 50 } },
    });
    const campaigns: Campaign[] = [{ name: "c", ...window, factor: 1.5 }];
    const state = new RuleState();
    const first = only(run(r, { type: "e", at: "2026-11-11T01:00:00Z", tier: "gold", tierMultiplier: 1.25, campaigns }, state));
    expect(first.explanation).toMatchObject({
      raw: 10,
      multipliers: [{ source: "rule multiplier", factor: 2 }, { source: "campaign c", factor: 1.5 }, { source: "tier gold", factor: 1.25 }],
      multiplied: 37, points: 37,
    });
    const second = only(run(r, { type: "e", at: "2026-11-11T02:00:00Z", tier: "gold", tierMultiplier: 1.25, campaigns }, state));
    expect(second.points).toBe(13);
    expect(second.explanation).toMatchObject({ raw: 10, multiplied: 37, caps: [{ cap: "day", limit: 50, used: 37, cut: 24 }], points: 13 });
  });
});

describe("minAmount", () => {
  it("an order equal to the minimum earns; below it earns nothing", () => {
    const fixed = rule({ name: "Big order bonus", event: "order", award: { type: "fixed", points: 50 }, minAmount: 10_000 }, "rule_a");
    const spend = rule({ name: "Spend", event: "order", award: { type: "per_amount", points: 1, per: 100 }, minAmount: 10_000 }, "rule_b");
    const state = new RuleState();
    const equal = run([fixed, spend], { type: "order", orderBase: order(10_000) }, state);
    expect(equal.awards.map((a) => [a.ruleId, a.points])).toEqual([["rule_a", 50], ["rule_b", 100]]);
    const below = run([fixed, spend], { type: "order", orderBase: order(9_999) }, state);
    expect(below).toEqual({
      awards: [],
      skipped: [
        { ruleId: "rule_a", reason: "order below the minimum amount 10000" },
        { ruleId: "rule_b", reason: "order below the minimum amount 10000" },
      ],
    });
  });

  it("an order below the minimum does not count towards every_nth", () => {
    const r = rule({ name: "Every 2nd big order", event: "order", award: { type: "every_nth", points: 10, every: 2 }, minAmount: 5_000 });
    const state = new RuleState();
    expect([6_000, 100, 5_000].map((b) => points(r, { type: "order", orderBase: order(b) }, state))).toEqual([0, 0, 10]);
  });
});

describe("explanation", () => {
  it("names the rule and version and shows inputs, multipliers, cap cuts and the once key", () => {
    const r = rule({
      name: "Listed via Pointbook", event: "products.listed",
      award: { type: "per_unit", points: 10, per: 50, field: "properties.count" },
      conditions: [{ field: "properties.via", op: "eq", value: "pointbook" }],
      limits: { once: { scope: "member", key: "properties.batch" }, maxPoints: { month: 50 } },
      multipliers: [{ from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", factor: 2, name: "January" }],
    }, "rule_x", 4);
    const state = new RuleState([{ memberId: "m1", ruleId: "rule_x", period: "lifetime", points: 20, times: 1, units: 70 },
      { memberId: "m1", ruleId: "rule_x", period: "month:2026-01", points: 20, times: 1, units: 0 }]);
    const award = only(run(r, { type: "products.listed", properties: { via: "pointbook", count: 90, batch: "b-7" } }, state));
    expect(award).toEqual({
      ruleId: "rule_x", version: 4, points: 30, delayDays: 0,
      explanation: {
        rule: { id: "rule_x", name: "Listed via Pointbook", version: 4 },
        award: "per_unit",
        inputs: { units: 90, unitsBefore: 70, unitsAfter: 160, per: 50 },
        raw: 20,
        multipliers: [{ source: "January", factor: 2 }],
        multiplied: 40,
        caps: [{ cap: "month", limit: 50, used: 20, cut: 10 }],
        once: "once per member for b-7",
        points: 30,
      },
    });
    expect(state.changes().counters.sort((a, b) => a.period.localeCompare(b.period))).toEqual([
      { memberId: "m1", ruleId: "rule_x", period: "day:2026-01-15", points: 30, times: 1, units: 0 },
      { memberId: "m1", ruleId: "rule_x", period: "lifetime", points: 30, times: 1, units: 90 },
      { memberId: "m1", ruleId: "rule_x", period: "month:2026-01", points: 30, times: 1, units: 0 },
    ]);
  });
});

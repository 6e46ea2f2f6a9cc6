/**
 * The event write decision on its own (SPEC §3 Events, Earn rules): plain values in, what to save
 * out; no database. Books and rule state are built in memory and checked after each step.
 */
import { describe, expect, it } from "vitest";
import { MemberBook } from "../../src/core/ledger/book.ts";
import { applyEvents, type ApplyEventsInput } from "../../src/core/rules/apply-events.ts";
import type { AcceptedEvent, EventMember } from "../../src/core/rules/event.ts";
import { futureRefusal, unitRefusal } from "../../src/core/rules/event-checks.ts";
import { earnRuleSchema, type EarnRuleInput, type RuleVersion } from "../../src/core/rules/schema.ts";
import { stateKeysFor } from "../../src/core/rules/state-keys.ts";
import { RuleState } from "../../src/core/rules/state.ts";
import { pointsChangedMessages } from "../../src/core/outgoing/points-changed.ts";

const NOW = new Date("2026-03-10T12:00:00Z");
const TZ = "Asia/Shanghai";
const MEMBER: EventMember = { tier: null, tags: [], isMember: true };

const rule = (id: string, input: EarnRuleInput): RuleVersion => ({ id, version: 1, rule: earnRuleSchema.parse(input) });

let sequence = 0;
function event(type: string, rules: RuleVersion[], opts: { memberId?: string; at?: string; properties?: Record<string, unknown> } = {}): AcceptedEvent {
  return {
    id: `evt-${++sequence}`, type, memberId: opts.memberId ?? "m1", occurredAt: new Date(opts.at ?? NOW.toISOString()),
    channel: "online", properties: opts.properties ?? {}, rules,
  };
}

/** Applies `events` to fresh books of the members they name, on the given rule state. */
function apply(events: AcceptedEvent[], state = new RuleState(), extra: Partial<ApplyEventsInput> = {}) {
  const memberIds = [...new Set(events.map((e) => e.memberId))];
  const books = new Map(memberIds.map((id) => [id, new MemberBook({ memberId: id, balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative")]));
  const members = new Map(memberIds.map((id) => [id, MEMBER]));
  const applied = applyEvents({
    program: { timezone: TZ, campaigns: [], validity: { type: "never" } },
    events, members, books, state, tierMultipliers: new Map(), now: NOW, actor: "api", ...extra,
  });
  return { applied, books, state };
}

const points = (applied: ReturnType<typeof apply>["applied"]) => applied.results.map((r) => r.awards.reduce((s, a) => s + a.points, 0));

describe("applyEvents", () => {
  it("a fixed rule credits its points, explains them, records the event and announces the change", () => {
    const login = rule("rule_login", { name: "Login", event: "login", award: { type: "fixed", points: 5 } });
    const e = event("login", [login]);
    const { applied, books } = apply([e]);
    expect(applied.results).toEqual([{
      eventId: e.id,
      awards: [{
        ruleId: "rule_login", ruleVersion: 1, points: 5, status: "available", availableAt: e.occurredAt, expiresAt: null,
        explanation: expect.objectContaining({ rule: { id: "rule_login", name: "Login", version: 1 }, award: "fixed", raw: 5, points: 5 }),
      }],
    }]);
    expect(books.get("m1")!.balance).toMatchObject({ balance: 5, pending: 0 });
    expect(books.get("m1")!.changes().entries.map((x) => [x.type, x.points, x.actor, x.source])).toEqual([["earn", 5, "api", { type: "event", ref: e.id }]]);
    expect(applied.recorded).toEqual([{ id: e.id, type: "login", memberId: "m1", occurredAt: e.occurredAt, channel: "online", properties: {}, points: 5, recordedAt: NOW, member: { isMember: true, tags: [] } }]);
    expect(applied.earners).toEqual(["m1"]);
    const [entry] = books.get("m1")!.changes().entries;
    expect(pointsChangedMessages(books.get("m1")!.changes())).toEqual([{
      type: "member.points_changed", memberId: "m1",
      data: { entryId: entry!.id, entryType: "earn", points: 5, balance: 5, pending: 0, held: 0, reason: "Login", source: { type: "event", ref: e.id } },
    }]);
  });

  it("per_unit units accumulate across events of one batch and across batches through the rule state", () => {
    const listed = rule("rule_list", { name: "List products", event: "products.listed", award: { type: "per_unit", points: 10, per: 50, field: "properties.count" } });
    const first = apply([30, 30, 30].map((count) => event("products.listed", [listed], { properties: { count } })));
    expect(points(first.applied)).toEqual([0, 10, 0]);
    expect(first.applied.results[0]!.skipped).toEqual([{ ruleId: "rule_list", reason: "nothing earned yet" }]);
    expect(first.applied.results[1]!.awards[0]!.explanation).toMatchObject({ inputs: { units: 30, unitsBefore: 30, unitsAfter: 60, per: 50 } });
    expect(first.state.changes().counters).toContainEqual({ memberId: "m1", ruleId: "rule_list", period: "lifetime", points: 10, times: 1, units: 90 });
    expect(pointsChangedMessages(first.books.get("m1")!.changes()).map((m) => (m.data as { points: number }).points)).toEqual([10]);

    const later = new RuleState([{ memberId: "m1", ruleId: "rule_list", period: "lifetime", points: 10, times: 1, units: 90 }]);
    expect(points(apply([event("products.listed", [listed], { properties: { count: 10 } })], later).applied)).toEqual([10]);
  });

  it("a daily cap cuts the award that crosses it and holds back the rest of the store-local day", () => {
    const capped = rule("rule_ship", { name: "Ship", event: "orders.shipped", award: { type: "fixed", points: 40 }, limits: { maxPoints: { day: 100 } } });
    // 2026-03-09T17:00Z is already 03-10 in Shanghai: a new day with its own cap.
    const ats = ["2026-03-09T01:00:00Z", "2026-03-09T02:00:00Z", "2026-03-09T03:00:00Z", "2026-03-09T04:00:00Z", "2026-03-09T17:00:00Z"];
    const { applied, books } = apply(ats.map((at) => event("orders.shipped", [capped], { at })));
    expect(points(applied)).toEqual([40, 40, 20, 0, 40]);
    expect(applied.results[2]!.awards[0]!.explanation.caps).toEqual([{ cap: "day", limit: 100, used: 80, cut: 20 }]);
    expect(applied.results[3]!.skipped).toEqual([{ ruleId: "rule_ship", reason: "cap reached (day)" }]);
    expect(books.get("m1")!.balance.balance).toBe(140);
    expect(applied.recorded.map((r) => r.points)).toEqual([40, 40, 20, 0, 40]);
  });

  it("a once rule rewards a member once, and a store-scoped key once whoever sends it", () => {
    const signup = rule("rule_signup", { name: "Sign up", event: "account.registered", award: { type: "fixed", points: 100 }, limits: { once: true } });
    const first = apply([event("account.registered", [signup]), event("account.registered", [signup])]);
    expect(points(first.applied)).toEqual([100, 0]);
    expect(first.applied.results[1]!.skipped).toEqual([{ ruleId: "rule_signup", reason: "already rewarded once" }]);
    expect(first.state.changes().claims).toEqual([{ ruleId: "rule_signup", owner: "m1", key: "", memberId: "m1" }]);

    const referral = rule("rule_ref", { name: "Referral", event: "referral.registered", award: { type: "fixed", points: 50 }, limits: { once: { scope: "store", key: "properties.referredId" } } });
    const events = ["a", "b"].map((memberId) => event("referral.registered", [referral], { memberId, properties: { referredId: "cust-1" } }));
    const keys = stateKeysFor(events, new Map([["a", MEMBER], ["b", MEMBER]]), TZ);
    expect(keys.storeLocks).toEqual(["rule_ref:cust-1", "rule_ref:cust-1"]);
    expect(keys.onceKeys).toEqual([{ ruleId: "rule_ref", owner: "", key: "cust-1" }, { ruleId: "rule_ref", owner: "", key: "cust-1" }]);
    const second = apply(events);
    expect(points(second.applied)).toEqual([50, 0]);
    expect(second.applied.earners).toEqual(["a"]);

    // A key claimed by an earlier batch is in the loaded state: nothing more is credited.
    const claimed = new RuleState([], [{ ruleId: "rule_signup", owner: "m1", key: "" }]);
    const third = apply([event("account.registered", [signup])], claimed);
    expect(points(third.applied)).toEqual([0]);
    expect(third.books.get("m1")!.changes().entries).toEqual([]);
  });
});

describe("event checks", () => {
  const listed = rule("rule_list", { name: "List products", event: "products.listed", award: { type: "per_unit", points: 10, per: 50, field: "properties.count" } });

  it("refuses a per_unit value that is not a whole number in range, naming the field", () => {
    for (const count of [-1, 2.5, "30", 1e13, undefined]) {
      const refusal = unitRefusal([listed], { channel: "online", properties: { count } });
      expect(refusal?.code, String(count)).toBe("validation_failed");
      expect(refusal?.details.errors).toEqual([{ path: "properties.count", message: expect.stringContaining('the rule "List products" counts it') }]);
    }
    expect(unitRefusal([listed], { channel: "online", properties: { count: 0 } })).toBeNull();
    expect(unitRefusal([{ ...listed, rule: { ...listed.rule, channels: ["pos"] } }], { channel: "online", properties: { count: -1 } })).toBeNull();
  });

  it("refuses an event dated more than 5 minutes after the store's time", () => {
    expect(futureRefusal(new Date(NOW.getTime() + 5 * 60_000), NOW)).toBeNull();
    const refusal = futureRefusal(new Date(NOW.getTime() + 5 * 60_000 + 1), NOW);
    expect(refusal?.code).toBe("occurred_in_future");
    expect(refusal?.details.errors).toEqual([{ path: "occurredAt", message: "must not be in the future" }]);
  });
});

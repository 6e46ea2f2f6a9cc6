import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { evaluateRules, type Campaign, type EvaluationInput } from "../../src/core/rules/evaluate.ts";
import { periodKey } from "../../src/core/rules/periods.ts";
import { earnRuleSchema, type EarnRuleInput, type RuleVersion } from "../../src/core/rules/schema.ts";
import { RuleState } from "../../src/core/rules/state.ts";

/**
 * Properties of the rule engine against a deliberately simple model. Store-local calendar dates in
 * the model come from Intl (not luxon, which the engine uses), so the two are independent.
 */

const RUNS = 400;
/** Generous, so a loaded CI machine does not time the properties out. */
const SLOW = { timeout: 180_000 };
const ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/Santiago", "Pacific/Chatham"] as const;
/** Dates around DST changes (NY 03-08/11-01, Berlin 03-29/10-25, Sydney 04-05/10-04, Santiago 04-05/09-06) and month ends. */
const DATES = [
  "2026-02-28", "2026-03-01", "2026-03-08", "2026-03-09", "2026-03-29", "2026-03-30", "2026-03-31", "2026-04-01",
  "2026-04-04", "2026-04-05", "2026-04-06", "2026-09-06", "2026-09-07", "2026-10-04", "2026-10-25", "2026-10-31",
  "2026-11-01", "2026-11-02", "2026-12-31", "2027-01-01",
] as const;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The store-local calendar date of an instant, by Intl. */
function localDate(at: number, zone: string): { y: string; m: string; d: string } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hourCycle: "h23" });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return { y: parts.year!, m: parts.month!, d: parts.day! };
}
const localDay = (at: number, zone: string) => { const p = localDate(at, zone); return `${p.y}-${p.m}-${p.d}`; };
const localMonth = (at: number, zone: string) => { const p = localDate(at, zone); return `${p.y}-${p.m}`; };

/** Local midnight of a calendar date in a zone (or the first instant of that day when midnight is skipped). */
function localMidnight(date: string, zone: string): number {
  return DateTime.fromISO(date, { zone }).startOf("day").toMillis();
}

function rv(def: EarnRuleInput, id = "rule_p"): RuleVersion {
  return { id, version: 1, rule: earnRuleSchema.parse(def) };
}

function evalOne(rule: RuleVersion, state: RuleState, e: { at: number; memberId: string; zone: string; properties?: Record<string, unknown>; campaigns?: Campaign[] }) {
  const input: EvaluationInput = {
    eventType: rule.rule.event, occurredAt: new Date(e.at), channel: "online",
    subject: { type: rule.rule.event, channel: "online", memberId: e.memberId, properties: e.properties ?? {} },
    member: { memberId: e.memberId, tier: null, isMember: true }, tierMultiplier: 1, campaigns: e.campaigns ?? [], timezone: e.zone,
  };
  return evaluateRules([rule], input, state).awards.reduce((s, a) => s + a.points, 0);
}

/** Reloads a state the way storage does: the counters and claims written so far, nothing else. */
function reload(state: RuleState, ruleId = "rule_p"): RuleState {
  const { counters, claims } = state.changes();
  return new RuleState(counters, claims.map((c) => ({ ruleId: c.ruleId, owner: c.owner, key: c.key })));
}

/** An event time near a local midnight of one of the DST / month-end dates in the zone. */
const eventTime = (zone: string) =>
  fc.tuple(fc.constantFrom(...DATES), fc.integer({ min: -360, max: 360 }), fc.integer({ min: 0, max: 59 }))
    .map(([date, minutes, seconds]) => localMidnight(date, zone) + minutes * 60_000 + seconds * 1000);

describe("caps are never exceeded", SLOW, () => {
  const scenario = fc.constantFrom(...ZONES).chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      award: fc.oneof(
        fc.record({ type: fc.constant("fixed" as const), points: fc.integer({ min: 1, max: 60 }) }),
        fc.record({ type: fc.constant("per_unit" as const), points: fc.integer({ min: 1, max: 20 }), per: fc.integer({ min: 1, max: 30 }), field: fc.constant("properties.n") }),
      ),
      caps: fc.record({
        event: fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
        day: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
        month: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
        lifetime: fc.option(fc.integer({ min: 1, max: 1500 }), { nil: undefined }),
      }),
      factorBp: fc.constantFrom(10_000, 11_500, 15_000, 20_000),
      events: fc.array(fc.record({ at: eventTime(zone), memberId: fc.constantFrom("a", "b"), n: fc.integer({ min: 0, max: 90 }) }), { minLength: 1, maxLength: 60 }),
      reloadAt: fc.nat({ max: 60 }),
    }),
  );

  it("every award equals the model's (raw × factor, cut to the remainder of each cap) and no store-local day, month or lifetime exceeds its cap", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const maxPoints = Object.fromEntries(Object.entries(s.caps).filter(([, v]) => v !== undefined));
        const rule = rv({ name: "P", event: "e", award: s.award, ...(Object.keys(maxPoints).length > 0 ? { limits: { maxPoints } } : {}) });
        const campaigns: Campaign[] = s.factorBp === 10_000 ? [] : [{ name: "c", from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z", factor: s.factorBp / 10_000 }];

        const units = new Map<string, number>();
        const used = new Map<string, number>();
        const get = (k: string) => used.get(k) ?? 0;
        const byDay = new Map<string, number>();
        const byMonth = new Map<string, number>();
        const byMember = new Map<string, number>();
        let state = new RuleState();

        s.events.forEach((e, i) => {
          if (i === s.reloadAt) state = reload(state);
          const got = evalOne(rule, state, { at: e.at, memberId: e.memberId, zone: s.zone, properties: { n: e.n }, campaigns });

          // The model.
          let raw: number;
          if (s.award.type === "fixed") raw = s.award.points;
          else {
            const before = units.get(e.memberId) ?? 0;
            const after = before + e.n;
            units.set(e.memberId, after);
            raw = s.award.points * (Math.floor(after / s.award.per) - Math.floor(before / s.award.per));
          }
          const day = `${e.memberId}|d|${localDay(e.at, s.zone)}`;
          const month = `${e.memberId}|m|${localMonth(e.at, s.zone)}`;
          const life = `${e.memberId}|l`;
          let expected = Math.floor((raw * s.factorBp) / 10_000);
          if (s.caps.event !== undefined) expected = Math.min(expected, s.caps.event);
          if (s.caps.day !== undefined) expected = Math.min(expected, s.caps.day - get(day));
          if (s.caps.month !== undefined) expected = Math.min(expected, s.caps.month - get(month));
          if (s.caps.lifetime !== undefined) expected = Math.min(expected, s.caps.lifetime - get(life));
          expected = Math.max(0, expected);
          for (const k of [day, month, life]) used.set(k, get(k) + expected);

          expect(got).toBe(expected);
          byDay.set(day, (byDay.get(day) ?? 0) + got);
          byMonth.set(month, (byMonth.get(month) ?? 0) + got);
          byMember.set(life, (byMember.get(life) ?? 0) + got);
          if (s.caps.event !== undefined) expect(got).toBeLessThanOrEqual(s.caps.event);
        });
        if (s.caps.day !== undefined) for (const v of byDay.values()) expect(v).toBeLessThanOrEqual(s.caps.day);
        if (s.caps.month !== undefined) for (const v of byMonth.values()) expect(v).toBeLessThanOrEqual(s.caps.month);
        if (s.caps.lifetime !== undefined) for (const v of byMember.values()) expect(v).toBeLessThanOrEqual(s.caps.lifetime);
      }),
      { numRuns: RUNS },
    );
  });

  it("maxTimesPerDay: at most that many awards per member per store-local day", () => {
    const scenario2 = fc.constantFrom(...ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        limit: fc.integer({ min: 1, max: 4 }),
        events: fc.array(fc.record({ at: eventTime(zone), memberId: fc.constantFrom("a", "b") }), { minLength: 1, maxLength: 50 }),
        reloadAt: fc.nat({ max: 50 }),
      }),
    );
    fc.assert(
      fc.property(scenario2, (s) => {
        const rule = rv({ name: "Login", event: "login", award: { type: "fixed", points: 5 }, limits: { maxTimesPerDay: s.limit } });
        const times = new Map<string, number>();
        let state = new RuleState();
        s.events.forEach((e, i) => {
          if (i === s.reloadAt) state = reload(state);
          const key = `${e.memberId}|${localDay(e.at, s.zone)}`;
          const expected = (times.get(key) ?? 0) < s.limit ? 5 : 0;
          if (expected > 0) times.set(key, (times.get(key) ?? 0) + 1);
          expect(evalOne(rule, state, { at: e.at, memberId: e.memberId, zone: s.zone })).toBe(expected);
        });
        for (const n of times.values()) expect(n).toBeLessThanOrEqual(s.limit);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("per_unit", SLOW, () => {
  it("uncapped: the total awarded is points × floor(total units / per), every award a multiple of points", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 80 }),
        fc.nat({ max: 80 }),
        (points, per, counts, reloadAt) => {
          const rule = rv({ name: "U", event: "e", award: { type: "per_unit", points, per, field: "properties.n" } });
          let state = new RuleState();
          let total = 0;
          let units = 0;
          counts.forEach((n, i) => {
            if (i === reloadAt) state = reload(state);
            const got = evalOne(rule, state, { at: Date.parse("2026-01-15T12:00:00Z") + i * 3_600_000, memberId: "a", zone: "Europe/Berlin", properties: { n } });
            expect(got % points).toBe(0);
            expect(got).toBeGreaterThanOrEqual(0);
            total += got;
            units += n;
            // After each event, not only at the end.
            expect(total).toBe(points * Math.floor(units / per));
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("with a lifetime cap, the running total is min(cap, points × floor(units / per)): units keep counting under the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }),
        (points, per, cap, counts) => {
          const rule = rv({ name: "U", event: "e", award: { type: "per_unit", points, per, field: "properties.n" }, limits: { maxPoints: { lifetime: cap } } });
          const state = new RuleState();
          let total = 0;
          let units = 0;
          counts.forEach((n, i) => {
            total += evalOne(rule, state, { at: Date.parse("2026-01-15T12:00:00Z") + i * 86_400_000 * 3, memberId: "a", zone: "UTC", properties: { n } });
            units += n;
            expect(total).toBe(Math.min(cap, points * Math.floor(units / per)));
          });
          expect(state.counter("a", "rule_p", "lifetime").units).toBe(units);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("day and month boundaries follow the store's time zone", SLOW, () => {
  const instant = fc.integer({ min: Date.parse("2020-01-01T00:00:00Z"), max: Date.parse("2030-12-31T23:59:59Z") });

  it("period keys are the store-local calendar date and month", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, at) => {
        expect(periodKey("day", new Date(at), zone)).toBe(`day:${localDay(at, zone)}`);
        expect(periodKey("month", new Date(at), zone)).toBe(`month:${localMonth(at, zone)}`);
        expect(periodKey("lifetime", new Date(at), zone)).toBe("lifetime");
      }),
      { numRuns: 2000 },
    );
  });

  it("period keys right around every local midnight of the DST and month-end dates", () => {
    for (const zone of ZONES) {
      for (const date of DATES) {
        const midnight = localMidnight(date, zone);
        for (const delta of [-3_600_000, -60_000, -1, 0, 1, 60_000, 3_600_000]) {
          const at = midnight + delta;
          expect(periodKey("day", new Date(at), zone), `${zone} ${date} ${delta}`).toBe(`day:${localDay(at, zone)}`);
          expect(periodKey("month", new Date(at), zone), `${zone} ${date} ${delta}`).toBe(`month:${localMonth(at, zone)}`);
        }
        expect(periodKey("day", new Date(midnight), zone)).toBe(`day:${date}`);
        expect(periodKey("day", new Date(midnight - 1), zone)).not.toBe(`day:${date}`);
      }
    }
  });

  const aroundMidnight = fc.constantFrom(...ZONES).chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      date: fc.oneof(
        fc.constantFrom(...DATES),
        fc.date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2027-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      ),
      a: fc.integer({ min: -120 * 60, max: 120 * 60 }),
      b: fc.integer({ min: -120 * 60, max: 120 * 60 }),
    }),
  );

  it("a once-a-day rule fires again exactly when the second event is on another store-local day", () => {
    fc.assert(
      fc.property(aroundMidnight, ({ zone, date, a, b }) => {
        const rule = rv({ name: "Login", event: "login", award: { type: "fixed", points: 5 }, limits: { maxTimesPerDay: 1 } });
        const state = new RuleState();
        const t1 = localMidnight(date, zone) + a * 1000;
        const t2 = localMidnight(date, zone) + b * 1000;
        expect(evalOne(rule, state, { at: t1, memberId: "a", zone })).toBe(5);
        expect(evalOne(rule, state, { at: t2, memberId: "a", zone })).toBe(localDay(t1, zone) === localDay(t2, zone) ? 0 : 5);
      }),
      { numRuns: RUNS },
    );
  });

  it("a daily points cap resets exactly at store-local midnight", () => {
    fc.assert(
      fc.property(aroundMidnight, ({ zone, date, a, b }) => {
        const rule = rv({ name: "Daily", event: "e", award: { type: "fixed", points: 30 }, limits: { maxPoints: { day: 40 } } });
        const state = new RuleState();
        const t1 = localMidnight(date, zone) + a * 1000;
        const t2 = localMidnight(date, zone) + b * 1000;
        expect(evalOne(rule, state, { at: t1, memberId: "a", zone })).toBe(30);
        expect(evalOne(rule, state, { at: t2, memberId: "a", zone })).toBe(localDay(t1, zone) === localDay(t2, zone) ? 10 : 30);
      }),
      { numRuns: RUNS },
    );
  });

  it("a monthly cap resets exactly at the store-local start of the month", () => {
    const aroundMonthStart = fc.constantFrom(...ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        month: fc.integer({ min: 0, max: 12 * 6 - 1 }).map((i) => `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}-01`),
        a: fc.integer({ min: -180 * 60, max: 180 * 60 }),
        b: fc.integer({ min: -180 * 60, max: 180 * 60 }),
      }),
    );
    fc.assert(
      fc.property(aroundMonthStart, ({ zone, month, a, b }) => {
        const rule = rv({ name: "Monthly", event: "e", award: { type: "fixed", points: 20 }, limits: { maxPoints: { month: 50 } } });
        const start = localMidnight(month, zone);
        const times = [start + a * 1000, start + b * 1000, start + a * 1000 + 1];
        const state = new RuleState();
        const got = times.map((t) => evalOne(rule, state, { at: t, memberId: "a", zone }));
        const used = new Map<string, number>();
        const expected = times.map((t) => {
          const k = localMonth(t, zone);
          const award = Math.max(0, Math.min(20, 50 - (used.get(k) ?? 0)));
          used.set(k, (used.get(k) ?? 0) + award);
          return award;
        });
        expect(got).toEqual(expected);
        expect(localMonth(start, zone)).toBe(month.slice(0, 7));
        expect(localMonth(start - 1, zone)).not.toBe(month.slice(0, 7));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("once fires at most once", SLOW, () => {
  const scenario = fc.record({
    once: fc.constantFrom<"true" | "member" | "store">("true", "member", "store"),
    events: fc.array(fc.record({ memberId: fc.constantFrom("a", "b", "c"), key: fc.constantFrom("k1", "k2", "k3", "k4") }), { minLength: 1, maxLength: 40 }),
    reloadAt: fc.nat({ max: 40 }),
    preclaimed: fc.subarray(["k1", "k2", "k3", "k4"]),
  });

  it("per member, per member and key, or per key across the store — and never twice, even across reloads", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const limits = s.once === "true" ? { once: true as const } : { once: { scope: s.once, key: "properties.key" } };
        const rule = rv({ name: "Once", event: "e", award: { type: "fixed", points: 10 }, limits });
        const ownerOf = (memberId: string) => (s.once === "store" ? "" : memberId);
        const keyOf = (key: string) => (s.once === "true" ? "" : key);
        // Claims already in storage: for store scope, keys someone else was rewarded for; for the others, member "c"'s.
        const pre = s.preclaimed.map((k) => ({ ruleId: "rule_p", owner: ownerOf("c"), key: keyOf(k) }));
        let state = new RuleState([], pre);
        const claimed = new Set(pre.map((p) => `${p.owner}|${p.key}`));
        let awards = 0;
        s.events.forEach((e, i) => {
          if (i === s.reloadAt) state = new RuleState([], [...pre, ...state.changes().claims.map((c) => ({ ruleId: c.ruleId, owner: c.owner, key: c.key }))]);
          const id = `${ownerOf(e.memberId)}|${keyOf(e.key)}`;
          const expected = claimed.has(id) ? 0 : 10;
          claimed.add(id);
          const got = evalOne(rule, state, { at: Date.parse("2026-01-15T12:00:00Z") + i * 1000, memberId: e.memberId, zone: "UTC", properties: { key: e.key } });
          expect(got).toBe(expected);
          awards += got / 10;
        });
        const distinct = new Set(s.events.map((e) => `${ownerOf(e.memberId)}|${keyOf(e.key)}`));
        const preIds = new Set(pre.map((p) => `${p.owner}|${p.key}`));
        expect(awards).toBe([...distinct].filter((d) => !preIds.has(d)).length);
        if (s.once === "store") expect(awards).toBeLessThanOrEqual(4);
        if (s.once === "true") expect(awards).toBeLessThanOrEqual(3);
      }),
      { numRuns: RUNS },
    );
  });
});

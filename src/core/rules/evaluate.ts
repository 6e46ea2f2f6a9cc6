import { clampPoints, mulDivFloor } from "../limits.ts";
import { allConditionsHold } from "./conditions.ts";
import { applyFactors } from "./multiply.ts";
import { readPath } from "./paths.ts";
import { periodKey, type PeriodKind } from "./periods.ts";
import type { EarnRule, RuleVersion } from "./schema.ts";
import type { RuleState } from "./state.ts";
import type { Validity } from "../expiry/validity.ts";

export interface Campaign {
  name: string;
  from: string;
  to: string;
  factor: number;
  /** Limit the campaign to these event types ("order" for orders) or rule ids; all when absent. */
  events?: string[];
  rules?: string[];
}

export interface EvaluationInput {
  /** The event type, or "order". */
  eventType: string;
  occurredAt: Date;
  channel: string;
  /** What conditions, unit fields and once keys read: `{type, channel, memberId, properties}` or `{order}`. */
  subject: unknown;
  member: { memberId: string; tier: string | null; isMember: boolean };
  tierMultiplier: number;
  campaigns: readonly Campaign[];
  timezone: string;
  /** The money base of an order for a rule (eligible lines, subtotal or net). Order rules only. */
  orderBase?: (rule: EarnRule) => { base: number; detail: Record<string, unknown> };
}

export interface RuleAward {
  ruleId: string;
  version: number;
  points: number;
  delayDays: number;
  validity?: Validity;
  explanation: Record<string, unknown>;
}

export interface RuleSkip {
  ruleId: string;
  reason: string;
}

const CAPS: ReadonlyArray<{ cap: "event" | PeriodKind; period: PeriodKind | null }> = [
  { cap: "event", period: null },
  { cap: "day", period: "day" },
  { cap: "month", period: "month" },
  { cap: "lifetime", period: "lifetime" },
];

/**
 * Evaluates every rule for one event or order, in rule-id order, updating `state` as it goes so
 * that caps, counts and `once` keys hold across rules and across the events of a batch.
 */
export function evaluateRules(rules: readonly RuleVersion[], input: EvaluationInput, state: RuleState): { awards: RuleAward[]; skipped: RuleSkip[] } {
  const awards: RuleAward[] = [];
  const skipped: RuleSkip[] = [];
  for (const rv of [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const outcome = evaluateRule(rv, input, state);
    if ("reason" in outcome) skipped.push({ ruleId: rv.id, reason: outcome.reason });
    else awards.push(outcome);
  }
  return { awards, skipped };
}

function evaluateRule(rv: RuleVersion, input: EvaluationInput, state: RuleState): RuleAward | { reason: string } {
  const { rule } = rv;
  const memberId = input.member.memberId;
  const at = input.occurredAt.getTime();
  if (rule.event !== input.eventType) return { reason: "another event type" };
  if (!rule.enabled) return { reason: "rule disabled" };
  if (rule.activeFrom && at < Date.parse(rule.activeFrom)) return { reason: "rule not active yet" };
  if (rule.activeTo && at >= Date.parse(rule.activeTo)) return { reason: "rule ended" };
  if (rule.channels && !rule.channels.includes(input.channel)) return { reason: `not offered on channel ${input.channel}` };
  const audience = audienceRefusal(rule, input.member);
  if (audience) return { reason: audience };
  if (!allConditionsHold(rule.conditions, input.subject)) return { reason: "conditions not met" };

  let once: { owner: string; key: string } | null = null;
  if (rule.limits.once === true) once = { owner: memberId, key: "" };
  else if (rule.limits.once) {
    const value = readPath(input.subject, rule.limits.once.key);
    if (value === undefined || value === null || value === "") return { reason: `once key ${rule.limits.once.key} is missing` };
    once = { owner: rule.limits.once.scope === "member" ? memberId : "", key: String(value) };
  }
  if (once && state.isClaimed(rv.id, once.owner, once.key)) return { reason: "already rewarded once" };

  const day = periodKey("day", input.occurredAt, input.timezone);
  const month = periodKey("month", input.occurredAt, input.timezone);
  const periods: Record<PeriodKind, string> = { day, month, lifetime: "lifetime" };
  if (rule.limits.maxTimesPerDay !== undefined && state.counter(memberId, rv.id, day).times >= rule.limits.maxTimesPerDay) {
    return { reason: `already rewarded ${rule.limits.maxTimesPerDay} time(s) today` };
  }

  const inputs: Record<string, unknown> = {};
  let base: number | null = null;
  if (input.orderBase) {
    const b = input.orderBase(rule);
    base = b.base;
    Object.assign(inputs, b.detail);
    if (rule.minAmount !== undefined && base < rule.minAmount) return { reason: `order below the minimum amount ${rule.minAmount}` };
  }

  let raw: number;
  let unitsSeen = 0;
  const award = rule.award;
  switch (award.type) {
    case "fixed":
      raw = award.points;
      break;
    case "per_unit": {
      // The API refuses such events up front (unitFieldProblem); evaluation stays safe on its own.
      const units = Number(readPath(input.subject, award.field));
      if (!Number.isFinite(units) || units < 0) return { reason: `${award.field} is not a non-negative number` };
      const before = state.counter(memberId, rv.id, "lifetime").units;
      const after = before + units;
      raw = clampPoints(award.points * (Math.floor(after / award.per) - Math.floor(before / award.per)));
      unitsSeen = units;
      Object.assign(inputs, { units, unitsBefore: before, unitsAfter: after, per: award.per });
      break;
    }
    case "per_amount": {
      if (base === null) return { reason: "per_amount needs an order" };
      raw = clampPoints(award.rounding === "proportional" ? mulDivFloor(base, award.points, award.per) : mulDivFloor(award.points, Math.floor(base / award.per), 1));
      Object.assign(inputs, { per: award.per, pointsPer: award.points, rounding: award.rounding });
      break;
    }
    case "every_nth": {
      const nth = state.counter(memberId, rv.id, "lifetime").units + 1;
      raw = nth % award.every === 0 ? award.points : 0;
      unitsSeen = 1;
      Object.assign(inputs, { count: nth, every: award.every });
      break;
    }
  }

  const factors = multipliersFor(rv, input);
  const multiplied = clampPoints(applyFactors(raw, factors.map((f) => f.factor)));
  let points = multiplied;
  const caps: Array<Record<string, unknown>> = [];
  const maxPoints = rule.limits.maxPoints ?? {};
  for (const { cap, period } of CAPS) {
    const limit = maxPoints[cap];
    if (limit === undefined) continue;
    const used = period === null ? 0 : state.counter(memberId, rv.id, periods[period]).points;
    const left = Math.max(0, limit - used);
    if (points > left) {
      caps.push({ cap, limit, used, cut: points - left });
      points = left;
    }
  }

  // Units keep counting while a cap holds points back.
  if (unitsSeen > 0) state.add(memberId, rv.id, "lifetime", { points: 0, times: 0, units: unitsSeen });
  if (points <= 0) {
    if (caps.length > 0) return { reason: `cap reached (${caps.map((c) => c.cap).join(", ")})` };
    return { reason: award.type === "every_nth" ? "not the nth qualifying event" : "nothing earned yet" };
  }
  for (const p of ["day", "month", "lifetime"] as const) state.add(memberId, rv.id, periods[p], { points, times: 1, units: 0 });
  if (once) state.claim({ ruleId: rv.id, owner: once.owner, key: once.key, memberId });

  return {
    ruleId: rv.id,
    version: rv.version,
    points,
    delayDays: rule.timing?.delayDays ?? 0,
    ...(rule.validity ? { validity: rule.validity } : {}),
    explanation: {
      rule: { id: rv.id, name: rule.name, version: rv.version },
      award: award.type,
      ...(base !== null ? { base } : {}),
      inputs,
      raw,
      ...(factors.length > 0 ? { multipliers: factors, multiplied } : {}),
      ...(caps.length > 0 ? { caps } : {}),
      ...(once ? { once: once.key === "" ? "once per member" : `once per ${rule.limits.once !== true && rule.limits.once?.scope} for ${once.key}` } : {}),
      points,
    },
  };
}

function audienceRefusal(rule: EarnRule, member: EvaluationInput["member"]): string | null {
  const a = rule.audience;
  if (a.memberIds && !a.memberIds.includes(member.memberId)) return "member not in the rule's audience";
  if (!member.isMember) return a.nonMembers ? null : "non-members do not earn from this rule";
  if (!a.members) return "members do not earn from this rule";
  if (a.tiers && !(member.tier !== null && a.tiers.includes(member.tier))) return "member's tier is not in the rule's audience";
  return null;
}

function multipliersFor(rv: RuleVersion, input: EvaluationInput): Array<{ source: string; factor: number }> {
  const at = input.occurredAt.getTime();
  const inWindow = (m: { from: string; to: string }) => at >= Date.parse(m.from) && at < Date.parse(m.to);
  const factors: Array<{ source: string; factor: number }> = [];
  for (const m of rv.rule.multipliers) if (inWindow(m)) factors.push({ source: m.name ?? "rule multiplier", factor: m.factor });
  for (const c of input.campaigns) {
    const applies = (!c.events || c.events.includes(input.eventType)) && (!c.rules || c.rules.includes(rv.id));
    if (applies && inWindow(c)) factors.push({ source: `campaign ${c.name}`, factor: c.factor });
  }
  if (input.tierMultiplier !== 1) factors.push({ source: `tier ${input.member.tier}`, factor: input.tierMultiplier });
  return factors;
}

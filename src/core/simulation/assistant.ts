import type { ProgramDocument } from "../program/document.ts";

/** What the assistant knows of the store: its program, its figures over the period, and its orders. */
export interface AssistantInput {
  document: ProgramDocument;
  /** The current program's cost share over the period (null: no revenue or no cash value). */
  costShare: number | null;
  target: number;
  orders: { count: number; members: number; averageValue: number; perMemberPerYear: number };
  redemptionRate: number;
  currency: string;
}

/** A candidate program and why: the simulation is run by the caller. */
export interface Draft {
  summary: string;
  explanation: string;
  document: ProgramDocument;
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)} %`;
/** Minor units as the currency writes them ($10.00, ¥1,000, 1.000 KWD), by its ISO 4217 exponent. */
const money = (minor: number, currency: string) => {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
};

/**
 * Candidates toward a target cost share, each one lever at a time so its effect can be read from
 * its simulation: the earn rate of orders, the cash value of points, and (to spend less) how long
 * points stay valid. Cost moves in proportion to points issued × cash value, so each lever is
 * scaled by target ÷ current cost share; rounding keeps the numbers a merchant would choose.
 */
export function draftProposals(input: AssistantInput): Draft[] {
  const { document, costShare, target } = input;
  if (costShare === null || costShare <= 0) return startingProgram(input);
  const factor = target / costShare;
  const direction = factor < 1 ? "lower" : "higher";
  const context = `Over the period your program cost ${pct(costShare)} of revenue (points issued, valued at checkout, times the ${pct(input.redemptionRate)} of points your members redeem); the target is ${pct(target)}. Your ${input.orders.members} buying members placed ${input.orders.count} orders averaging ${money(input.orders.averageValue, input.currency)}, about ${input.orders.perMemberPerYear.toFixed(1)} a year each.`;
  const drafts: Draft[] = [];

  const orderRules = document.earnRules.filter((r) => r.event === "order" && r.award.type === "per_amount");
  if (orderRules.length > 0) {
    const earnRules = document.earnRules.map((r) => {
      if (r.event !== "order" || r.award.type !== "per_amount") return r;
      // Points per amount: the amount per point is scaled, so a rate like 1 point per $1 becomes 1 per $2.
      return { ...r, award: { ...r.award, per: Math.max(1, Math.round(r.award.per / factor)) } };
    });
    drafts.push({
      summary: `Earn rate ${direction}: ${orderRules.map((r) => r.award.type === "per_amount" ? `${r.name}: ${r.award.points} per ${money(r.award.per, input.currency)} → ${r.award.points} per ${money(Math.max(1, Math.round(r.award.per / factor)), input.currency)}` : r.name).join("; ")}`,
      explanation: `${context} Orders earn points in proportion to what is spent, so changing how much must be spent per point by ${pct(Math.abs(1 / factor - 1))} moves the cost of new points to about the target. Members earn ${factor < 1 ? "less" : "more"} on each order; points already issued keep their value.`,
      document: { ...document, earnRules },
    });
  }

  const cashback = document.redeemMethods.filter((m) => m.type === "cashback");
  if (cashback.length > 0) {
    const redeemMethods = document.redeemMethods.map((m) => (m.type === "cashback" ? { ...m, amount: Math.max(1, Math.round(m.amount * factor)) } : m));
    drafts.push({
      summary: `Cash value ${direction}: ${cashback.map((m) => `${m.points} points = ${money(m.amount, input.currency)} → ${money(Math.max(1, Math.round(m.amount * factor)), input.currency)}`).join("; ")}`,
      explanation: `${context} Points keep being earned as today, but each point takes ${factor < 1 ? "less" : "more"} off at checkout, so what the points issued will cost moves to about the target. Members see the change at their next redemption, points they hold included: announce it ahead.`,
      document: { ...document, redeemMethods },
    });
  }

  const validity = document.settings.validity;
  if (factor < 1 && validity.type === "rolling" && (validity.months ?? 0) > 6) {
    const months = Math.max(6, Math.round((validity.months ?? 12) / 2));
    drafts.push({
      summary: `Points valid ${months} months instead of ${validity.months}`,
      explanation: `${context} Points that are not used expire sooner, so fewer of them stay outstanding: the liability falls, and members who buy often keep their points. The cost of each point issued does not change, so this lowers what you owe rather than the cost share; pair it with one of the other proposals to reach the target.`,
      document: { ...document, settings: { ...document.settings, validity: { type: "rolling", months } } },
    });
  }
  return drafts;
}

/** A store without cost yet (no cash value or no revenue): a plain program sized for the target. */
function startingProgram(input: AssistantInput): Draft[] {
  const { document, target } = input;
  // 1 point per `per`, 100 points = `amount` off: cost share = amount ÷ (100 × per) × redemption rate.
  const rate = input.redemptionRate > 0 ? input.redemptionRate : 0.5;
  const per = 100;
  const amount = Math.max(1, Math.round((target * 100 * per) / rate));
  const order = {
    name: "Points on orders", event: "order", award: { type: "per_amount" as const, points: 1, per, rounding: "floor" as const },
  };
  const cashback = { type: "cashback" as const, name: "Points at checkout", points: 100, amount };
  return [{
    summary: `1 point per ${money(per, input.currency)} spent; 100 points = ${money(amount, input.currency)} off`,
    explanation: `The store has no cost to measure yet (no way to spend points at checkout, or no revenue in the period). This program gives back about ${pct(target)} of what members spend, assuming ${pct(rate)} of points are redeemed.`,
    document: {
      ...document,
      earnRules: [...document.earnRules, order as ProgramDocument["earnRules"][number]],
      redeemMethods: document.redeemMethods.some((m) => m.type === "cashback") ? document.redeemMethods : [...document.redeemMethods, cashback as ProgramDocument["redeemMethods"][number]],
    },
  }];
}

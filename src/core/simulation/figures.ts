import { DateTime } from "luxon";
import type { MonthFlow } from "../ports/reports.ts";
import { cashbackDiscount } from "../redemption/methods.ts";
import { localDateKey } from "../time/zone.ts";
import type { HistoryOrder } from "./history.ts";

/**
 * One month of a simulation, in the store's calendar: the ledger's own flows of the month (as
 * `monthlyFlows` gives them for the real store) and what they mean in money. Money in minor units
 * of the store's currency.
 */
export interface SimulationMonth extends MonthFlow {
  /** Outstanding valued at the program's cash value, times the expected redemption rate. */
  liability: number | null;
  /** Orders placed in the month less refunds made in it; canceled orders count nothing. */
  revenue: number;
  /** What the points issued in the month are expected to cost: their cash value × the redemption rate. */
  cost: number | null;
  /** cost / revenue (null without revenue or without a cash value). */
  costShare: number | null;
  /** Members holding each tier at the month's end. */
  tiers: Record<string, number>;
}

export interface SimulationFigures {
  months: SimulationMonth[];
  /** The months summed; `outstanding` and `liability` are the last month's. */
  totals: Omit<SimulationMonth, "month" | "tiers">;
}

/** Points valued in money: what they take off at checkout at the program's cashback rate. */
export type CashValue = { points: number; amount: number } | null;

export function pointsValue(rate: CashValue, points: number): number | null {
  if (!rate) return null;
  return points > 0 ? cashbackDiscount(rate, points) : 0;
}

/** The months from `from` to `to` (both included), `YYYY-MM` in `zone`. */
export function monthsBetween(from: Date, to: Date, zone: string): string[] {
  const out: string[] = [];
  let m = DateTime.fromJSDate(from, { zone }).startOf("month");
  const last = DateTime.fromJSDate(to, { zone }).toFormat("yyyy-MM");
  for (let month = m.toFormat("yyyy-MM"); month <= last; m = m.plus({ months: 1 }), month = m.toFormat("yyyy-MM")) out.push(month);
  return out;
}

/** Revenue per month: each order's lines less its discounts in the month it was placed, each refund in its own month. */
export function revenueByMonth(orders: readonly HistoryOrder[], zone: string): Map<string, number> {
  const out = new Map<string, number>();
  const add = (at: string, amount: number) => {
    const month = monthOf(at, zone);
    out.set(month, (out.get(month) ?? 0) + amount);
  };
  for (const { order } of orders) {
    if (order.canceledAt) continue;
    add(order.placedAt, order.lines.reduce((sum, l) => sum + l.amount, 0) - order.discounts);
    for (const r of order.refunds) add(r.at, -r.amount);
  }
  return out;
}

/**
 * The store-local month (`YYYY-MM`) of an ISO instant, as luxon reads it in `zone`. Instants carry
 * their offset (limits.ts isoInstant), so Date.parse reads them exactly and the zone's cached
 * offsets give the month: a year of a large store's orders took seconds through luxon's parser.
 */
export function monthOf(at: string, zone: string): string {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? DateTime.fromISO(at, { zone }).toFormat("yyyy-MM") : localDateKey(new Date(ms), zone, "month");
}

const ratio = (cost: number | null, revenue: number) => (cost === null || revenue <= 0 ? null : Math.round((cost / revenue) * 1e6) / 1e6);

/**
 * The report of one replay: the ledger's monthly flows (outstanding carried over from months
 * before the window), revenue, the cash value and the expected redemption rate.
 */
export function simulationFigures(input: {
  flows: readonly MonthFlow[];
  months: readonly string[];
  revenue: ReadonlyMap<string, number>;
  tiers: ReadonlyMap<string, Record<string, number>>;
  cashValue: CashValue;
  redemptionRate: number;
}): SimulationFigures {
  const byMonth = new Map(input.flows.map((f) => [f.month, f]));
  const first = input.months[0] ?? "";
  let outstanding = input.flows.filter((f) => f.month < first).at(-1)?.outstanding ?? 0;
  const expected = (points: number) => {
    const value = pointsValue(input.cashValue, points);
    return value === null ? null : Math.round(value * input.redemptionRate);
  };
  const months = input.months.map((month): SimulationMonth => {
    const f = byMonth.get(month);
    outstanding = f?.outstanding ?? outstanding;
    const issued = f?.issued ?? 0;
    const revenue = input.revenue.get(month) ?? 0;
    const cost = expected(issued);
    return {
      month, issued, redeemed: f?.redeemed ?? 0, expired: f?.expired ?? 0, reversed: f?.reversed ?? 0, outstanding,
      liability: expected(outstanding), revenue, cost, costShare: ratio(cost, revenue), tiers: input.tiers.get(month) ?? {},
    };
  });
  const sum = (k: "issued" | "redeemed" | "expired" | "reversed" | "revenue") => months.reduce((s, m) => s + m[k], 0);
  const cost = input.cashValue ? months.reduce((s, m) => s + (m.cost ?? 0), 0) : null;
  const revenue = sum("revenue");
  return {
    months,
    totals: {
      issued: sum("issued"), redeemed: sum("redeemed"), expired: sum("expired"), reversed: sum("reversed"),
      outstanding, liability: months.at(-1)?.liability ?? expected(outstanding), revenue, cost, costShare: ratio(cost, revenue),
    },
  };
}

/** Recorded inputs a program could not repeat: a reward the member could no longer afford, a deduction larger than the balance. */
export interface Skipped {
  redemptions: number;
  deductions: number;
  events: number;
  orders: number;
}

export type ProgramFigures = SimulationFigures & {
  /** Points per money unit at checkout (the first enabled cashback method), or null without one. */
  cashValue: CashValue;
  skipped: Skipped;
};

/** A simulation's report: both programs' figures over the period, side by side. */
export interface SimulationReport {
  from: string;
  to: string;
  redemptionRate: number;
  /** Redeemed ÷ issued over the store's whole history up to `to`. */
  observedRedemptionRate: number;
  /**
   * Where the current program's figures come from: its replay, or the store's own ledger when a
   * replay could only repeat it (members spend as they did, no tiers, nothing the ledger holds
   * beyond `to`).
   */
  currentFrom: "replay" | "ledger";
  /**
   * Whether replaying the store's own program reproduced its ledger's issued, redeemed, expired and
   * outstanding figures month by month (null when the spending was scaled by a given rate, or
   * when the current figures are the ledger's own).
   */
  reproduced: boolean | null;
  current: ProgramFigures;
  candidate: ProgramFigures;
}

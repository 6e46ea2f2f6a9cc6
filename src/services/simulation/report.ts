import type { MonthFlow } from "../../core/ports/reports.ts";
import { redeemMethodSchema } from "../../core/redemption/methods.ts";
import type { ProgramDocument } from "../../core/program/document.ts";
import { monthsBetween, revenueByMonth, simulationFigures, type CashValue, type ProgramFigures, type SimulationReport } from "../../core/simulation/figures.ts";
import type { StoreHistory } from "../../core/simulation/history.ts";
import type { ReplayOptions, ReplayResult } from "./replay.ts";
import type { LoadedHistory } from "./load.ts";

export interface SimulationRequest {
  candidate: ProgramDocument;
  from: Date;
  to: Date;
  /** The share of points expected to be redeemed; null: the store's observed rate. */
  redemptionRate: number | null;
}

export type { ProgramFigures, SimulationReport } from "../../core/simulation/figures.ts";

/** Runs replays of one history (the current program's and a candidate's), a result for each: in this thread, or in worker threads. */
export type ReplayRunner = (history: StoreHistory, runs: ReadonlyArray<Omit<ReplayOptions, "tx">>) => Promise<ReplayResult[]>;

/** The first enabled cashback method's rate: what the back office and member centre value points at. */
export function cashValueOf(methods: ReadonlyArray<{ type: string; config: Record<string, unknown> } | Record<string, unknown>>): CashValue {
  for (const m of methods) {
    // A stored method (its config) or a document's item (the config with its id).
    const { id: _id, ...config } = ("config" in m && typeof m.config === "object" && m.config !== null ? m.config : m) as Record<string, unknown>;
    const parsed = redeemMethodSchema.safeParse(config);
    if (parsed.success && parsed.data.type === "cashback" && parsed.data.enabled) return { points: parsed.data.points, amount: parsed.data.amount };
  }
  return null;
}

export function observedRate(flows: readonly MonthFlow[], to: string): number {
  const upTo = flows.filter((f) => f.month <= to);
  const issued = upTo.reduce((s, f) => s + f.issued, 0);
  const redeemed = upTo.reduce((s, f) => s + f.redeemed, 0);
  return issued > 0 ? Math.round((Math.max(0, redeemed) / issued) * 1e6) / 1e6 : 0;
}

const sameFlows = (a: readonly MonthFlow[], b: readonly MonthFlow[], months: ReadonlySet<string>) => {
  const pick = (flows: readonly MonthFlow[]) => JSON.stringify(flows.filter((f) => months.has(f.month)).map((f) => [f.month, f.issued, f.redeemed, f.expired, f.reversed, f.outstanding]));
  return pick(a) === pick(b);
};

/**
 * Replays the store's history twice, through its own program and through the candidate (in force
 * from `from`), both in parallel when the runner uses workers, and reports them side by side.
 */
export async function simulateLoaded(loaded: LoadedHistory, request: SimulationRequest, run: ReplayRunner): Promise<SimulationReport> {
  const { history, flows } = loaded;
  const zone = history.store.timezone;
  const to = new Date(Math.min(request.to.getTime(), loaded.now.getTime()));
  const months = monthsBetween(request.from, to, zone);
  const observed = observedRate(flows, months.at(-1) ?? "");
  const rate = request.redemptionRate ?? observed;
  // A given rate scales what members spend, against what they did spend; the observed rate is what they did.
  const spendingScale = request.redemptionRate === null || observed === 0 ? 1 : request.redemptionRate / observed;
  const base = { from: request.from, to, spendingScale };
  const [current, candidate] = (await run(history, [{ ...base, candidate: null }, { ...base, candidate: request.candidate }])) as [ReplayResult, ReplayResult];
  const revenue = revenueByMonth(history.orders, zone);
  const figures = (r: ReplayResult, cashValue: CashValue): ProgramFigures => ({
    ...simulationFigures({ flows: r.flows, months, revenue, tiers: r.tiers, cashValue, redemptionRate: rate }),
    cashValue, skipped: r.skipped,
  });
  // A deleted method is in the history for the redemptions that named it, not for today's cash value.
  const currentCash = cashValueOf(history.redeemMethods.filter((m) => m.deletedAt === null));
  const candidateCash = cashValueOf(request.candidate.redeemMethods as Array<Record<string, unknown>>);
  return {
    from: request.from.toISOString(),
    to: to.toISOString(),
    redemptionRate: rate,
    observedRedemptionRate: observed,
    reproduced: spendingScale === 1 ? sameFlows(current.flows, flows, new Set(months)) : null,
    current: figures(current, currentCash),
    candidate: figures(candidate, candidateCash),
  };
}

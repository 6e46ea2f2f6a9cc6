import type { MonthFlow } from "../../core/ports/reports.ts";
import { redeemMethodSchema } from "../../core/redemption/methods.ts";
import type { ProgramDocument } from "../../core/program/document.ts";
import { monthsBetween, revenueByMonth, simulationFigures, type CashValue, type ProgramFigures, type SimulationReport } from "../../core/simulation/figures.ts";
import type { StoreHistory } from "../../core/simulation/history.ts";
import type { ReplayFlows, ReplayOptions, ReplayResult } from "./replay.ts";
import { currentFromLedger, ledgerResult } from "./ledger-figures.ts";
import type { LoadedHistory } from "./load.ts";

export interface SimulationRequest {
  candidate: ProgramDocument;
  from: Date;
  to: Date;
  /** The share of points expected to be redeemed; null: the store's observed rate. */
  redemptionRate: number | null;
  /** Replay the current program even when its ledger has its figures, to check the replay against them (tests, the bench). */
  replayCurrent?: boolean;
}

export type { ProgramFigures, SimulationReport } from "../../core/simulation/figures.ts";

/** One replay of a history: a program over a period, its scratch database chosen by the runner. */
type ReplayRun = Omit<ReplayOptions, "tx">;

/**
 * Runs replays of one history (the current program's and a candidate's), a result for each: in
 * this thread, or in worker threads. `progress`, when given, is told the share of the runs'
 * inputs replayed so far, from 0 to 1, as it grows.
 */
export type ReplayRunner = (history: StoreHistory, runs: readonly ReplayRun[], progress?: ReplayProgress) => Promise<ReplayResult[]>;

export type ReplayProgress = (share: number) => void;

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
 * Replays already made of a history by a runner, by what was replayed: an assistant's drafts are
 * each compared with the same current program over the same period, which is replayed once.
 */
const replayed = new WeakMap<ReplayRunner, WeakMap<StoreHistory, Map<string, Promise<ReplayResult>>>>();

const runKey = (r: ReplayRun) => JSON.stringify([r.candidate, r.from.getTime(), r.to.getTime(), r.spendingScale]);

/**
 * The result of each run, replaying (in one call of the runner, so on one pool) only those not
 * replayed before. `progress` follows the replays this call makes; none to make is all done.
 */
async function replays(history: StoreHistory, runs: readonly ReplayRun[], run: ReplayRunner, progress?: ReplayProgress): Promise<ReplayResult[]> {
  const byHistory = replayed.get(run) ?? new WeakMap<StoreHistory, Map<string, Promise<ReplayResult>>>();
  replayed.set(run, byHistory);
  const known = byHistory.get(history) ?? new Map<string, Promise<ReplayResult>>();
  byHistory.set(history, known);
  const missing = new Map<string, ReplayRun>();
  for (const r of runs) if (!known.has(runKey(r))) missing.set(runKey(r), r);
  if (missing.size > 0) {
    const results = run(history, [...missing.values()], progress);
    [...missing.keys()].forEach((key, i) => {
      const result = results.then((all) => all[i]!);
      // A failed replay is not kept: the next simulation tries again.
      result.catch(() => known.delete(key));
      known.set(key, result);
    });
  }
  return Promise.all(runs.map((r) => known.get(runKey(r))!));
}

/** What both programs of a simulation are replayed and reported over: the period, the rate, how members spend. */
function basisOf(loaded: LoadedHistory, request: Omit<SimulationRequest, "candidate">) {
  const { history, flows } = loaded;
  const zone = history.store.timezone;
  const to = new Date(Math.min(request.to.getTime(), loaded.now.getTime()));
  const months = monthsBetween(request.from, to, zone);
  const observed = observedRate(flows, months.at(-1) ?? "");
  const rate = request.redemptionRate ?? observed;
  // A given rate scales what members spend, against what they did spend; the observed rate is what they did.
  const spendingScale = request.redemptionRate === null || observed === 0 ? 1 : request.redemptionRate / observed;
  // Revenue is the orders' whatever the program: a replay adds it up (ReplayResult), the ledger's figures take it from one.
  const figures = (r: ReplayFlows, cashValue: CashValue, revenue: ReadonlyMap<string, number>): ProgramFigures => ({
    ...simulationFigures({ flows: r.flows, months, revenue, tiers: r.tiers, cashValue, redemptionRate: rate }),
    cashValue, skipped: r.skipped,
  });
  return {
    to, months, observed, rate, figures,
    run: { from: request.from, to, spendingScale },
    // The store's own program: its ledger's figures when a replay could only repeat them (ledger-figures.ts).
    fromLedger: request.replayCurrent ? null : currentFromLedger(loaded, to, spendingScale),
    // A deleted method is in the history for the redemptions that named it, not for today's cash value.
    currentCash: cashValueOf(history.redeemMethods.filter((m) => m.deletedAt === null)),
  };
}

/**
 * The store's own program's points and money over a period, and the redemption rate they were
 * valued at (the assistant's baseline), from its ledger, never replayed: the drafts read points and
 * money only (no tier counts), and members spend as they did. A period cut short inside a past
 * month counts that month whole, as its revenue is counted (revenueByMonth); the proposals' own
 * simulations replay it exactly.
 */
export function ledgerBaseline(loaded: LoadedHistory, period: { from: Date; to: Date }): { figures: ProgramFigures; redemptionRate: number } {
  const basis = basisOf(loaded, { ...period, redemptionRate: null });
  // No replay to add up the orders' revenue: walked here, each order's document made from its last update.
  const revenue = revenueByMonth(loaded.history.orders, loaded.history.store.timezone);
  return { figures: basis.figures(ledgerResult(loaded), basis.currentCash, revenue), redemptionRate: basis.rate };
}

/**
 * Reports the store's own program and a candidate (in force from `from`) side by side. The
 * candidate is replayed over the store's history; so is the store's own program, unless its
 * ledger already has what that replay would give. Both replays run together (in parallel when the
 * runner uses workers).
 */
export async function simulateLoaded(loaded: LoadedHistory, request: SimulationRequest, run: ReplayRunner, progress?: ReplayProgress): Promise<SimulationReport> {
  return (await simulateAll(loaded, [request], run, progress))[0]!;
}

/** The replays a simulation needs: the candidate's, and the current program's unless its ledger has its figures. */
function runsOf(basis: ReturnType<typeof basisOf>, request: SimulationRequest): ReplayRun[] {
  return [{ ...basis.run, candidate: request.candidate }, ...(basis.fromLedger ? [] : [{ ...basis.run, candidate: null }])];
}

/**
 * Several simulations of one history (an assistant's drafts), their replays all given to the
 * runner at once: on the worker pool, each part of the store is read once by a worker for all of them.
 */
export async function simulateAll(loaded: LoadedHistory, requests: readonly SimulationRequest[], run: ReplayRunner, progress?: ReplayProgress): Promise<SimulationReport[]> {
  const bases = requests.map((r) => basisOf(loaded, r));
  await replays(loaded.history, requests.flatMap((r, i) => runsOf(bases[i]!, r)), run, progress);
  return Promise.all(requests.map((r, i) => report(loaded, r, bases[i]!, run)));
}

async function report(loaded: LoadedHistory, request: SimulationRequest, basis: ReturnType<typeof basisOf>, run: ReplayRunner): Promise<SimulationReport> {
  const { fromLedger } = basis;
  // Replayed already, by simulateAll: these are kept results.
  const [candidate, replayedCurrent] = (await replays(loaded.history, runsOf(basis, request), run)) as [ReplayResult, ReplayResult | undefined];
  const current = fromLedger ?? replayedCurrent!;
  return {
    from: request.from.toISOString(),
    to: basis.to.toISOString(),
    redemptionRate: basis.rate,
    observedRedemptionRate: basis.observed,
    currentFrom: fromLedger ? "ledger" : "replay",
    reproduced: !fromLedger && basis.run.spendingScale === 1 ? sameFlows(current.flows, loaded.flows, new Set(basis.months)) : null,
    current: basis.figures(current, basis.currentCash, candidate.revenue),
    candidate: basis.figures(candidate, cashValueOf(request.candidate.redeemMethods as Array<Record<string, unknown>>), candidate.revenue),
  };
}

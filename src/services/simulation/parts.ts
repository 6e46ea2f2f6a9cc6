import type { MonthFlow } from "../../core/ports/reports.ts";
import type { ProgramDocument } from "../../core/program/document.ts";
import type { StoreHistory } from "../../core/simulation/history.ts";
import { partitionHistory, storeWide } from "../../core/simulation/partition.ts";
import type { ReplayPart, ReplayResult } from "./replay-options.ts";
import { wholeHistory } from "./replay.ts";

/** One part of a store to replay: the history it needs (the store's program, the part's members and their inputs), and what it takes from the whole store. */
export interface HistoryPart {
  history: StoreHistory;
  part: ReplayPart;
}

/** Whether the store's rules, or a candidate's, tie all members together (a store-wide once key): then it is replayed whole. */
export function tiedTogether(history: StoreHistory, candidates: ReadonlyArray<ProgramDocument | null>): boolean {
  return storeWide(history.ruleVersions.map((v) => v.rule)) || candidates.some((c) => c !== null && storeWide(c.earnRules));
}

/**
 * A store's history in `count` parts of its members (core/simulation/partition.ts), each replayed
 * on a scratch ledger of its own and added up by `mergeResults`; the whole history in one part when
 * the store's rules, or a candidate's, tie all members together. Each part holds only what its
 * replay reads, so a worker given one part holds that part, not the whole store.
 */
export function splitHistory(history: StoreHistory, count: number, candidates: ReadonlyArray<ProgramDocument | null>): HistoryPart[] {
  const whole = wholeHistory(history);
  if (count <= 1 || tiedTogether(history, candidates)) return [{ history, part: whole }];
  const partition = partitionHistory(history, count);
  if (partition.count <= 1) return [{ history, part: whole }];
  const ofMember = (memberId: string) => partition.memberPart.get(memberId) ?? 0;
  // Each list dealt out in one pass, in its order (a pass per part was most of the split for a dozen parts).
  const deal = <T>(items: readonly T[], partOf: (item: T) => number): T[][] => {
    const out = Array.from({ length: partition.count }, () => [] as T[]);
    for (const item of items) out[partOf(item)]!.push(item);
    return out;
  };
  const members = deal(history.members, (m) => ofMember(m.memberId));
  const events = deal(history.events, (e) => ofMember(e.memberId));
  const orders = deal(history.orders, (o) => partition.orderPart.get(o.id) ?? 0);
  const redemptions = deal(history.redemptions, (r) => ofMember(r.memberId));
  const credits = deal(history.credits, (c) => ofMember(c.memberId));
  return Array.from({ length: partition.count }, (_, p) => ({
    history: { ...history, members: members[p]!, events: events[p]!, orders: orders[p]!, redemptions: redemptions[p]!, credits: credits[p]! },
    part: whole,
  }));
}

/**
 * The parts' results as one: each month's flows, tier counts and revenue summed, and the
 * outstanding balance carried from month to month over every part's months (a part with no
 * entries in a month still holds its balance then).
 */
export function mergeResults(results: readonly ReplayResult[]): ReplayResult {
  if (results.length === 1) return results[0]!;
  const months = new Map<string, Omit<MonthFlow, "outstanding">>();
  for (const r of results) {
    for (const f of r.flows) {
      const m = months.get(f.month) ?? { month: f.month, issued: 0, redeemed: 0, expired: 0, reversed: 0 };
      m.issued += f.issued;
      m.redeemed += f.redeemed;
      m.expired += f.expired;
      m.reversed += f.reversed;
      months.set(f.month, m);
    }
  }
  let outstanding = 0;
  const flows = [...months.values()].sort((a, b) => (a.month < b.month ? -1 : 1)).map((m) => {
    outstanding += m.issued - m.redeemed - m.expired - m.reversed;
    return { ...m, outstanding };
  });
  const tiers = new Map<string, Record<string, number>>();
  for (const r of results) {
    for (const [month, counts] of r.tiers) {
      const sum = tiers.get(month) ?? {};
      for (const [code, n] of Object.entries(counts)) sum[code] = (sum[code] ?? 0) + n;
      tiers.set(month, sum);
    }
  }
  const skipped = { redemptions: 0, deductions: 0, events: 0, orders: 0 };
  for (const r of results) for (const k of Object.keys(skipped) as Array<keyof typeof skipped>) skipped[k] += r.skipped[k];
  const revenue = new Map<string, number>();
  for (const r of results) for (const [month, amount] of r.revenue) revenue.set(month, (revenue.get(month) ?? 0) + amount);
  return { flows, tiers: new Map([...tiers].sort(([a], [b]) => (a < b ? -1 : 1))), skipped, revenue };
}

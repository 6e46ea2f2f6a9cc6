import { DateTime } from "luxon";
import type { StoreHistory } from "../../core/simulation/history.ts";
import type { LoadedHistory } from "./load.ts";
import type { ReplayResult } from "./replay-options.ts";

/**
 * The last instant something came into the store from outside (an order update, an event, a
 * redemption or its capture or release, an adjustment or import); null for none. Program changes
 * are not counted: they write no entries of their own.
 */
export function lastInputAt(history: Pick<StoreHistory, "events" | "orders" | "redemptions" | "credits">): number | null {
  let last = Number.NEGATIVE_INFINITY;
  const see = (at: Date) => {
    if (at.getTime() > last) last = at.getTime();
  };
  for (const e of history.events) see(e.recordedAt);
  for (const o of history.orders) {
    // An order's steps (timeline.ts orderSteps) end at its last update as it arrived, or at its last change.
    if (o.updates.length > 0) for (const u of o.updates) see(u.at);
    else {
      see(o.createdAt);
      see(o.updatedAt);
    }
  }
  for (const r of history.redemptions) {
    see(r.spentAt);
    if (r.finish) see(r.finish.at);
  }
  for (const c of history.credits) see(c.at);
  return last === Number.NEGATIVE_INFINITY ? null : last;
}

/**
 * The current program's replay, as the store's own ledger already has it, when a replay could only
 * give the same figures (SPEC §8's own test, which the suite runs on every preset and generated
 * store): members spend as they did (`spendingScale` 1); the store has no tiers (a replay counts
 * the members holding each at every month's end, which the ledger does not keep); and the ledger
 * holds nothing the replay would not reach by `to`: no input came in after it, and `to` is today
 * or the end of a month in the store's zone (due work later in that month is in the ledger's
 * month, not in a replay stopped at `to`). Null when any of these does not hold: then the current
 * program is replayed. `withoutTiers`: the tier counts are not wanted (the assistant's drafts read
 * only points and money), so a store with tiers has its ledger's figures too, with no counts.
 */
export function currentFromLedger(loaded: LoadedHistory, to: Date, spendingScale: number, withoutTiers = false): ReplayResult | null {
  const { history } = loaded;
  if (spendingScale !== 1) return null;
  if (!withoutTiers && (history.tiers.length > 0 || history.members.some((m) => m.manualTier !== null))) return null;
  const last = lastInputAt(history);
  if (last !== null && last > to.getTime()) return null;
  const monthEnd = DateTime.fromJSDate(to, { zone: history.store.timezone }).endOf("month").toMillis();
  if (to.getTime() < loaded.now.getTime() && to.getTime() !== monthEnd) return null;
  return { flows: loaded.flows, tiers: new Map(), skipped: { redemptions: 0, deductions: 0, events: 0, orders: 0 } };
}

import { DateTime } from "luxon";
import type { LoadedHistory } from "./load.ts";
import type { ReplayFlows } from "./replay-options.ts";

/**
 * The current program's replay, as the store's own ledger already has it, when a replay could only
 * give the same figures (SPEC §8's own test, which the suite runs on every preset and generated
 * store, to the store's today and to an earlier month's end): members spend as they did
 * (`spendingScale` 1); the store has no tiers (a replay counts the members holding each at every
 * month's end, which the ledger does not keep); and the period ends today or at the end of a month
 * in the store's zone. Inputs after such an end do not matter: an input's entries are dated when it
 * came, and due work's when it fell due (which a replay to that end runs too), so a later input
 * wrote nothing in the period's months. A period cut short inside a past month is replayed: the
 * ledger's month holds the rest of that month. Null when any of these does not hold: then the
 * current program is replayed.
 */
export function currentFromLedger(loaded: LoadedHistory, to: Date, spendingScale: number): ReplayFlows | null {
  const { history } = loaded;
  if (spendingScale !== 1) return null;
  if (history.tiers.length > 0 || history.members.some((m) => m.manualTier !== null)) return null;
  const monthEnd = DateTime.fromJSDate(to, { zone: history.store.timezone }).endOf("month").toMillis();
  if (to.getTime() < loaded.now.getTime() && to.getTime() !== monthEnd) return null;
  return ledgerResult(loaded);
}

/** The ledger's own monthly flows as a replay's result: no tier counts, nothing skipped. */
export function ledgerResult(loaded: LoadedHistory): ReplayFlows {
  return { flows: loaded.flows, tiers: new Map(), skipped: { redemptions: 0, deductions: 0, events: 0, orders: 0 } };
}

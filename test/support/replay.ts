import { DateTime } from "luxon";
import { expect } from "vitest";
import type { MonthFlow } from "../../src/core/ports/reports.ts";
import type { Services } from "../../src/services/context.ts";
import { exportProgram } from "../../src/services/program-document.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { simulateLoaded } from "../../src/services/simulation/report.ts";
import { replayInThreadParts } from "../../src/jobs/simulation-replay.ts";
import { jsonbDocuments } from "../../src/storage/memory/values.ts";
import { timeline } from "../../src/core/simulation/timeline.ts";

const pick = (flows: readonly MonthFlow[]) => flows.map((f) => ({ month: f.month, issued: f.issued, redeemed: f.redeemed, expired: f.expired, reversed: f.reversed, outstanding: f.outstanding }));

/**
 * SPEC §8's own test: replaying the store's current program over its own history gives the
 * ledger's real figures, month by month, and the candidate (the same program, as a document in
 * force from the first month) gives them too. Replayed whole, and in three parts of its members
 * (partition.ts), which must add up to the same report. Where the store's ledger stands in for the
 * current program's replay (ledger-figures.ts), the report made that way is the replay's.
 */
export async function expectFaithfulReplay(services: Services, storeId: string): Promise<void> {
  const loaded = await loadHistory(services, storeId);
  const candidate = await exportProgram(services, storeId);
  const from = new Date(Math.min(loaded.history.store.createdAt.getTime(), ...loaded.history.events.map((e) => e.recordedAt.getTime()), ...loaded.history.orders.map((o) => o.createdAt.getTime())));
  const request = { candidate: candidate as never, from, to: loaded.now, redemptionRate: null, replayCurrent: true };
  const report = await simulateLoaded(loaded, request, replayInThreadParts(1));
  expect(report.currentFrom).toBe("replay");
  expect(await simulateLoaded(loaded, request, replayInThreadParts(3))).toEqual(report);
  // The scratch ledger keeps documents as the services hand them over; normalised as jsonb, the same.
  expect(await simulateLoaded(loaded, request, replayInThreadParts(1, jsonbDocuments))).toEqual(report);
  const months = new Set(report.current.months.map((m) => m.month));
  const real = pick(loaded.flows.filter((f) => months.has(f.month)));
  const replayed = (figures: typeof report.current) => pick(figures.months.filter((m) => real.some((r) => r.month === m.month)));
  expect(replayed(report.current)).toEqual(real);
  expect(report.reproduced).toBe(true);
  // The same program as a candidate is in force from the start; a store whose rules or settings
  // were edited on the way (or a redeem method deleted) earned under other versions before, so only an unedited program must match.
  const steps = timeline(loaded.history);
  const firstInput = steps.findIndex((s) => s.kind !== "rule" && s.kind !== "settings");
  const edited = loaded.history.ruleVersions.some((v) => v.version > 1 || v.rule === null)
    || steps.some((s, i) => s.kind === "settings" && i > firstInput)
    || loaded.history.redeemMethods.some((m) => !candidate.redeemMethods.some((c) => c.id === m.id));
  if (!edited) expect(replayed(report.candidate)).toEqual(real);
  expect(report.current.skipped).toEqual({ redemptions: 0, deductions: 0, events: 0, orders: 0 });
  // Stopped at an earlier month's end, with the store's later inputs after it, the replay gives the ledger's months up to there.
  const zone = loaded.history.store.timezone;
  const middle = real.length > 1 ? real[Math.floor((real.length - 1) / 2)]!.month : null;
  if (middle) {
    const end = DateTime.fromISO(`${middle}-01`, { zone }).endOf("month").toJSDate();
    // One runner for both reports below: the candidate's replay is made once.
    const runner = replayInThreadParts(1);
    const early = await simulateLoaded(loaded, { ...request, to: end }, runner);
    const upTo = new Set(early.current.months.map((m) => m.month));
    const realUpTo = pick(loaded.flows.filter((f) => upTo.has(f.month)));
    expect(realUpTo.length).toBeGreaterThan(0);
    expect(pick(early.current.months.filter((m) => realUpTo.some((r) => r.month === m.month))), `stopped at the end of ${middle}`).toEqual(realUpTo);
    expect(early.reproduced).toBe(true);
    // So the ledger stands in for that period too (ledger-figures.ts), and its report is the replay's.
    const earlyFromLedger = await simulateLoaded(loaded, { ...request, to: end, replayCurrent: false }, runner);
    if (earlyFromLedger.currentFrom === "ledger") expect({ ...earlyFromLedger, currentFrom: "replay", reproduced: true }).toEqual(early);
    else expect(loaded.history.tiers.length + loaded.history.members.filter((m) => m.manualTier !== null).length).toBeGreaterThan(0);
  }
  const fromLedger = await simulateLoaded(loaded, { ...request, replayCurrent: false }, replayInThreadParts(1));
  if (fromLedger.currentFrom === "ledger") expect({ ...fromLedger, currentFrom: "replay", reproduced: true }).toEqual(report);
  else expect(loaded.history.tiers.length).toBeGreaterThan(0);
}

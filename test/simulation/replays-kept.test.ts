import { beforeAll, describe, expect, it } from "vitest";
import { replayInThreadParts } from "../../src/jobs/simulation-replay.ts";
import { programDocumentSchema, type ProgramDocument } from "../../src/core/program/document.ts";
import { exportProgram } from "../../src/services/program-document.ts";
import { simulateLoaded, type ReplayRunner } from "../../src/services/simulation/report.ts";
import { loadHistory, type LoadedHistory } from "../../src/services/simulation/load.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { generateStore } from "../support/generated-store.ts";

/** A history's replays are made once per runner: the assistant's drafts share one replay of the current program. */
describe("replays kept for a history", () => {
  let loaded: LoadedHistory;
  let current: ProgramDocument;
  const scaled = (factor: number): ProgramDocument =>
    ({ ...current, earnRules: current.earnRules.map((r) => (r.award.type === "per_amount" ? { ...r, award: { ...r.award, per: r.award.per * factor } } : r)) }) as ProgramDocument;

  beforeAll(async () => {
    const services = { tx: memoryTransactor(), clock: new TestClock(new Date("2025-01-01T00:00:00Z")) };
    const storeId = await generateStore(services, { members: 30, orders: 200, days: 90, start: new Date("2025-01-01T05:00:00Z"), seed: 5 });
    loaded = await loadHistory(services, storeId);
    current = programDocumentSchema.parse(await exportProgram(services, storeId));
  }, 120_000);

  /** The in-thread runner, counting the runs it is asked for: candidate documents, null for the store's own program. */
  const counting = () => {
    const asked: Array<ProgramDocument | null> = [];
    const inner = replayInThreadParts(1);
    const run: ReplayRunner = (history, runs) => {
      asked.push(...runs.map((r) => r.candidate));
      return inner(history, runs);
    };
    return { run, asked };
  };

  it("replays the current program once for several candidates, and each candidate once", async () => {
    const { run, asked } = counting();
    const period = { from: new Date("2025-01-01T05:00:00Z"), to: loaded.now, redemptionRate: null, replayCurrent: true };
    const halved = await simulateLoaded(loaded, { ...period, candidate: scaled(2) }, run);
    const third = await simulateLoaded(loaded, { ...period, candidate: scaled(3) }, run);
    const again = await simulateLoaded(loaded, { ...period, candidate: scaled(2) }, run);
    expect(asked.map((c) => (c === null ? "current" : c.earnRules.find((r) => r.award.type === "per_amount")?.award))).toEqual([
      expect.objectContaining({ per: 2 * (current.earnRules.find((r) => r.award.type === "per_amount")!.award as { per: number }).per }),
      "current",
      expect.objectContaining({ per: 3 * (current.earnRules.find((r) => r.award.type === "per_amount")!.award as { per: number }).per }),
    ]);
    expect(halved.currentFrom).toBe("replay");
    expect(third.current).toEqual(halved.current);
    expect(again).toEqual(halved);
    expect(third.candidate.totals.issued).toBeLessThan(halved.candidate.totals.issued);
  }, 120_000);

  it("keeps nothing across runners, or after a replay that failed", async () => {
    const period = { from: new Date("2025-01-01T05:00:00Z"), to: loaded.now, redemptionRate: null };
    const first = counting();
    const second = counting();
    await simulateLoaded(loaded, { ...period, candidate: scaled(2) }, first.run);
    await simulateLoaded(loaded, { ...period, candidate: scaled(2) }, second.run);
    expect(first.asked).toHaveLength(second.asked.length);
    expect(second.asked.length).toBeGreaterThan(0);

    let fail = true;
    const inner = replayInThreadParts(1);
    const flaky: ReplayRunner = async (history, runs) => {
      if (fail) throw new Error("the worker pool stopped");
      return inner(history, runs);
    };
    await expect(simulateLoaded(loaded, { ...period, candidate: scaled(2) }, flaky)).rejects.toThrow("the worker pool stopped");
    fail = false;
    const report = await simulateLoaded(loaded, { ...period, candidate: scaled(2) }, flaky);
    expect(report.candidate.totals.issued).toBeGreaterThan(0);
  }, 120_000);
});

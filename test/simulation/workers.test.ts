import { beforeAll, describe, expect, it } from "vitest";
import { inputCount, replayInThreadParts, replayInWorkerPool } from "../../src/jobs/simulation-replay.ts";
import { keepReplayWorkersFor, replayWorkersStarted, stopKeptReplayWorkers } from "../../src/jobs/replay-workers.ts";
import { inputSteps } from "../../src/core/simulation/timeline.ts";
import { revenueByMonth } from "../../src/core/simulation/figures.ts";
import { exportProgram } from "../../src/services/program-document.ts";
import { loadHistory, type LoadedHistory } from "../../src/services/simulation/load.ts";
import type { ReplayOptions } from "../../src/services/simulation/replay.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { generateStore } from "../support/generated-store.ts";

/** The worker pool: parts of a store replayed in worker threads add up to the same results as one replay of the whole store here. */
describe("replays on the worker pool", () => {
  let loaded: LoadedHistory;
  let runs: Array<Omit<ReplayOptions, "tx">>;
  /** The store's revenue by month, walked from a history read apart (its orders' documents made from their own last updates). */
  let revenue: Map<string, number>;

  beforeAll(async () => {
    const services = { tx: memoryTransactor(), clock: new TestClock(new Date("2025-01-01T00:00:00Z")) };
    const storeId = await generateStore(services, { members: 80, orders: 600, days: 180, start: new Date("2025-01-01T05:00:00Z"), seed: 11 });
    loaded = await loadHistory(services, storeId);
    const apart = (await loadHistory(services, storeId)).history;
    revenue = revenueByMonth(apart.orders, apart.store.timezone);
    const current = await exportProgram(services, storeId);
    const halved = { ...current, earnRules: current.earnRules.map((r) => (r.award.type === "per_amount" ? { ...r, award: { ...r.award, per: r.award.per * 2 } } : r)) };
    const base = { from: new Date("2025-02-01T05:00:00Z"), to: loaded.now, spendingScale: 1 };
    runs = [{ ...base, candidate: null }, { ...base, candidate: halved as never }];
  }, 120_000);

  it("gives, in parts on two workers, what one whole replay in this thread gives, for each run", async () => {
    const whole = await replayInThreadParts(1)(loaded.history, runs);
    const pooled = await replayInWorkerPool(2)(loaded.history, runs);
    expect(pooled).toEqual(whole);
    // The candidate earns half: the two runs differ, so each result went back to its own run.
    expect(whole[1]!.flows.reduce((s, f) => s + f.issued, 0)).toBeLessThan(whole[0]!.flows.reduce((s, f) => s + f.issued, 0));
  }, 120_000);

  it("adds up the revenue of every order of the store, in one part or several, here or on workers, however far it replays", async () => {
    // Ended before most orders' last updates: those orders' documents are not the replay's, and count all the same.
    const early = runs.map((r) => ({ ...r, to: new Date("2025-03-01T05:00:00Z") }));
    for (const runner of [replayInThreadParts(1), replayInThreadParts(4), replayInWorkerPool(2)]) {
      const results = await runner(loaded.history, early);
      for (const result of results) expect(result.revenue).toEqual(revenue);
    }
    expect([...revenue.keys()].filter((month) => month >= "2025-03").length).toBeGreaterThan(2);
    expect([...revenue.values()].every((amount) => Number.isInteger(amount))).toBe(true);
  }, 120_000);

  it("says how far the replays have got, from 0 up to 1 once every input of every run is replayed, in this thread and on workers", async () => {
    // The share is of the inputs a replay counts: the history's input steps, once per run.
    expect(inputCount(loaded.history)).toBe(inputSteps(loaded.history).length);
    for (const runner of [replayInThreadParts(4), replayInWorkerPool(2)]) {
      const shares: number[] = [];
      await runner(loaded.history, runs, (share) => shares.push(share));
      expect(shares[0]).toBe(0);
      expect(shares.at(-1)).toBe(1);
      // Two runs of at least two parts each: every part's end is told, so the share moves on in steps, never back.
      expect(shares.length).toBeGreaterThanOrEqual(5);
      for (let i = 1; i < shares.length; i++) expect(shares[i]!).toBeGreaterThan(shares[i - 1]!);
    }
  }, 120_000);

  it("keeps its workers for the next simulation, which replays its own runs on them to the same figures; a failed pool's workers are not kept", async () => {
    await stopKeptReplayWorkers();
    const whole = await replayInThreadParts(1)(loaded.history, runs);
    const started = replayWorkersStarted();
    expect(await replayInWorkerPool(2)(loaded.history, [runs[1]!])).toEqual([whole[1]]);
    expect(replayWorkersStarted()).toBe(started + 2);
    // The next simulation's runs are not the ones the kept workers first replayed: each task names its own.
    expect(await replayInWorkerPool(2)(loaded.history, runs)).toEqual(whole);
    expect(replayWorkersStarted()).toBe(started + 2);
    const broken = [{ ...runs[0]!, candidate: { earnRules: "not a list" } as never }];
    await expect(replayInWorkerPool(2)(loaded.history, broken)).rejects.toThrow(/earnRules/);
    expect(await replayInWorkerPool(2)(loaded.history, runs)).toEqual(whole);
    expect(replayWorkersStarted()).toBe(started + 4);
    // Kept for no time (POINTBOOK_SIMULATION_WORKERS_KEPT_MS=0): every simulation starts its own.
    keepReplayWorkersFor(0);
    try {
      await stopKeptReplayWorkers();
      expect(await replayInWorkerPool(2)(loaded.history, runs)).toEqual(whole);
      expect(await replayInWorkerPool(2)(loaded.history, runs)).toEqual(whole);
      expect(replayWorkersStarted()).toBe(started + 8);
    } finally {
      keepReplayWorkersFor(60_000);
    }
  }, 120_000);

  it("fails with the worker's reason when a replay fails", async () => {
    const broken = [{ ...runs[0]!, candidate: { earnRules: "not a list" } as never }];
    // The candidate is imported at `from`, in both parts, and refused there: the reason names what is wrong.
    await expect(replayInWorkerPool(2)(loaded.history, broken)).rejects.toThrow(/"path": \[\s*"earnRules"\s*\]/);
  }, 120_000);
});

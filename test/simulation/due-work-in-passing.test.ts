import { describe, expect, it } from "vitest";
import { programDocumentSchema } from "../../src/core/program/document.ts";
import { exportProgram } from "../../src/services/program-document.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { replayHistory } from "../../src/services/simulation/replay.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { generateStore } from "../support/generated-store.ts";

/**
 * A replay lets due lots settle when their member is next seen, and runs due work at day
 * boundaries only where something reads it (replay.ts dueWorkEveryDay). Entries carry the instants
 * things fell due, so running due work at every boundary, as the store's scheduler did, gives the
 * same figures: for the store's own program (whose replay the faithful-replay tests also hold to
 * the ledger) and for a candidate that earns and spends differently, where no ledger can say.
 */
describe("due work settled in passing", () => {
  it("gives the figures of due work at every day boundary, for the store's program and for a candidate", async () => {
    const tx = memoryTransactor();
    const services = { tx, clock: new TestClock(new Date("2025-01-01T00:00:00Z")) };
    const storeId = await generateStore(services, { members: 150, orders: 1_500, days: 365, start: new Date("2025-01-01T05:00:00Z"), seed: 4 });
    const { history, now } = await loadHistory(services, storeId);
    const current = programDocumentSchema.parse(await exportProgram(services, storeId));
    const halved = { ...current, earnRules: current.earnRules.map((r) => (r.award.type === "per_amount" ? { ...r, award: { ...r.award, per: r.award.per * 2 } } : r)) };
    const from = new Date("2025-03-01T05:00:00Z");
    for (const [candidate, spendingScale] of [[null, 1], [halved, 0.5]] as const) {
      const replay = (dueWorkEveryDay: boolean) =>
        replayHistory(history, { candidate, from, to: now, spendingScale, tx: memoryTransactor(), dueWorkEveryDay });
      const inPassing = await replay(false);
      const everyDay = await replay(true);
      // The replay did what due work does: lots matured and expired, in months of their own.
      expect(inPassing.flows.reduce((s, f) => s + f.expired, 0)).toBeGreaterThan(0);
      expect(inPassing.flows.filter((f) => f.issued > 0).length).toBeGreaterThan(6);
      expect(inPassing).toEqual(everyDay);
    }
  }, 300_000);
});

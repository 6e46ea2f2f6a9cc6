import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/core/orders/order.ts";
import type { Actor } from "../../src/services/context.ts";
import { upsertOrder } from "../../src/services/orders.ts";
import { importProgram } from "../../src/services/program-document.ts";
import { simulationPeriod } from "../../src/core/simulation/period.ts";
import { proposePrograms } from "../../src/services/simulation/assistant.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { ledgerBaseline } from "../../src/services/simulation/report.ts";
import { createStore } from "../../src/services/stores.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { loadPreset } from "../support/presets.ts";

const ADMIN: Actor = { id: "admin", role: "admin" };

/**
 * The assistant drafts from the current program's points and money, which its ledger has: on a
 * store with tiers too (a replay would add only tier counts), and for a period ending inside a past
 * month (that month whole, as its revenue is counted). Proposing replays nothing itself (it has no
 * replay to call) and answers at once, its proposals' simulations left to run in the background.
 */
describe("the assistant's baseline", () => {
  it("is the ledger's on a store with tiers: every proposal's simulation is launched", async () => {
    const services = { tx: memoryTransactor(), clock: new TestClock(new Date("2026-01-05T12:00:00Z")) };
    const { store } = await createStore(services, { name: "Tiers", currency: "USD", timezone: "UTC", sandbox: false }, ADMIN);
    const preset = loadPreset("member-system") as { tiers: unknown[] };
    expect(preset.tiers.length).toBeGreaterThan(0);
    await services.tx.run((repos) => importProgram(repos, services, store.id, preset, { dryRun: false }, ADMIN));
    for (let i = 0; i < 6; i++) {
      const at = new Date(Date.UTC(2026, 0, 5 + i * 7, 12)).toISOString();
      services.clock.set(at);
      const order = orderSchema.parse({ memberId: `m${i % 3}`, lines: [{ sku: "tea", quantity: 1, amount: 80_000 }], placedAt: at, paidAt: at, deliveredAt: at });
      await services.tx.run((repos) => upsertOrder(repos, services, store.id, `o${i}`, order, ADMIN));
    }
    services.clock.set("2026-03-01T12:00:00Z");

    const launched: string[][] = [];
    const proposals = await proposePrograms(services, store.id, { targetCostShare: 0.01 }, ADMIN, {
      launchAll: async (_storeId, ids) => void launched.push([...ids]),
    }, 0);
    expect(proposals.length).toBeGreaterThan(0);
    expect(launched).toEqual([proposals.map((p) => p.simulation.id)]);
    for (const p of proposals) expect(p.simulation).toMatchObject({ status: "running", progress: 0 });

    // A period ending mid-January, with the store's orders after it: its month counted whole, as its revenue is.
    const loaded = await loadHistory(services, store.id);
    const period = simulationPeriod("2026-01-01", "2026-01-14", "UTC");
    const january = ledgerBaseline(loaded, period).figures;
    expect(january.months.map((m) => [m.month, m.issued, m.revenue])).toEqual([
      ["2026-01", loaded.flows.find((f) => f.month === "2026-01")!.issued, 4 * 80_000],
    ]);
    expect(january.months[0]!.issued).toBeGreaterThan(0);
    const midJanuary = await proposePrograms(services, store.id, { targetCostShare: 0.01, from: "2026-01-01", to: "2026-01-14" }, ADMIN, {
      launchAll: async (_storeId, ids) => void launched.push([...ids]),
    }, 0);
    expect(launched.at(-1)).toEqual(midJanuary.map((p) => p.simulation.id));
    expect(midJanuary[0]!.summary).not.toBe("");
  });
});

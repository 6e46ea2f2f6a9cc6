import { describe, expect, it } from "vitest";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { generateStore } from "../support/generated-store.ts";
import { expectFaithfulReplay } from "../support/replay.ts";

/**
 * SPEC §8's proof on a generated store (the bench, `npm run bench:simulate`, does the same with
 * 10 000 members and 200 000 orders on PostgreSQL): a year of orders, deliveries, refunds,
 * cancellations, cashback, adjustments, sign-up events, maturing and expiry, replayed through the
 * current program, gives the ledger's own figures month by month.
 */
describe("a generated store replays to its own ledger", () => {
  it.each([1, 2, 3])("seed %i: 300 members, 3 000 orders over a year", async (seed) => {
    const tx = memoryTransactor();
    const services = { tx, clock: new TestClock(new Date("2025-01-01T00:00:00Z")) };
    const storeId = await generateStore(services, { members: 300, orders: 3_000, days: 365, start: new Date("2025-01-01T05:00:00Z"), seed });
    const flows = await tx.run((repos) => repos.reports.monthlyFlows(storeId, "America/New_York"));
    // The store lived: points were issued, spent, taken back and expired.
    for (const figure of ["issued", "redeemed", "reversed", "expired"] as const) expect(flows.reduce((s, f) => s + f[figure], 0), figure).toBeGreaterThan(0);
    await expectFaithfulReplay(services, storeId);
  }, 300_000);
});

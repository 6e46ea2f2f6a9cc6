import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Repositories, Transactor } from "../../src/core/ports/repositories.ts";
import { orderSchema } from "../../src/core/orders/order.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { upsertOrder } from "../../src/services/orders.ts";
import { importProgram } from "../../src/services/program-document.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { openTestDatabase } from "../support/db.ts";
import { loadPreset } from "../support/presets.ts";

const ADMIN: Actor = { id: "admin", role: "admin" };

const order = (memberId: string, at: string) =>
  orderSchema.parse({ memberId, lines: [{ sku: "tea", quantity: 1, amount: 5_000 }], placedAt: at, paidAt: at, deliveredAt: at });

/**
 * A simulation reads a store's history in several statements while the store keeps taking inputs
 * (on PostgreSQL, on other connections). The read is one picture of the store: an order that
 * arrives while it runs is in none of it, not in its orders, its updates or its ledger's flows.
 * PGlite and memory run one transaction at a time, so only PostgreSQL can write in the middle.
 */
describe.runIf(process.env.DATABASE_URL)("a store's history read while it takes an order", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await db.close();
  });

  it("is the store as it stood when the read began", async () => {
    const clock = new TestClock(new Date("2026-03-02T10:00:00Z"));
    const services: Services = { tx: transactor(db), clock };
    const { store } = await createStore(services, { name: "Snapshot", currency: "USD", timezone: "UTC", sandbox: false }, ADMIN);
    await services.tx.run((repos) => importProgram(repos, services, store.id, loadPreset("member-points"), { dryRun: false }, ADMIN));
    await services.tx.run((repos) => upsertOrder(repos, services, store.id, "before", order("m1", "2026-03-02T10:00:00Z"), ADMIN));
    clock.set("2026-03-03T10:00:00Z");

    // The order comes in once the read has read the events, on a connection of its own.
    let wrote = false;
    const during: Transactor = {
      run: (fn) => services.tx.run((repos) => fn({
        ...repos,
        history: {
          ...repos.history,
          events: async (storeId) => {
            const events = await repos.history.events(storeId);
            await services.tx.run((other: Repositories) => upsertOrder(other, services, store.id, "during", order("m2", "2026-03-03T10:00:00Z"), ADMIN));
            wrote = true;
            return events;
          },
        },
      })),
    };
    const loaded = await loadHistory({ tx: during, clock }, store.id);
    expect(wrote).toBe(true);
    expect(loaded.history.orders.map((o) => o.id)).toEqual(["before"]);
    expect(loaded.history.orders[0]!.updates).toHaveLength(1);
    expect(loaded.history.members.map((m) => m.memberId)).toEqual(["m1"]);
    const issued = loaded.flows.reduce((s, f) => s + f.issued, 0);

    // Read again, the order is there, with its points.
    const after = await loadHistory(services, store.id);
    expect(after.history.orders.map((o) => o.id).sort()).toEqual(["before", "during"]);
    expect(after.flows.reduce((s, f) => s + f.issued, 0)).toBeGreaterThan(issued);
    expect(issued).toBeGreaterThan(0);
  });
});

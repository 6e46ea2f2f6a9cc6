import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjustMember } from "../../src/services/adjustments.ts";
import { orderSchema } from "../../src/core/orders/order.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { upsertOrder } from "../../src/services/orders.ts";
import { importProgram } from "../../src/services/program-document.ts";
import { recordEvents } from "../../src/services/record-events.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { kindsUnderTest, openTestDatabase } from "../support/db.ts";
import { loadPreset } from "../support/presets.ts";

const ADMIN: Actor = { id: "admin", role: "admin" };

/**
 * The history read takes its instants as milliseconds since the epoch (repos/history.ts), not as
 * the driver's reading of a timestamptz. Both must give the same Date, sub-millisecond instants
 * included (a column default's now() keeps microseconds; a Date keeps milliseconds, floored).
 */
describe.each(kindsUnderTest())("the history's instants on %s", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  it("are the instants the driver reads from the same rows, to the millisecond", async () => {
    const clock = new TestClock(new Date("2026-03-02T10:00:00Z"));
    const services: Services = { tx: transactor(db), clock };
    const { store } = await createStore(services, { name: "Instants", currency: "USD", timezone: "Europe/Berlin", sandbox: false }, ADMIN);
    await services.tx.run((repos) => importProgram(repos, services, store.id, loadPreset("member-points"), { dryRun: false }, ADMIN));
    const at = "2026-03-02T09:00:00Z";
    const order = orderSchema.parse({ memberId: "m1", lines: [{ sku: "tea", quantity: 1, amount: 5_000 }], placedAt: at, paidAt: at, deliveredAt: at });
    await services.tx.run((repos) => upsertOrder(repos, services, store.id, "o1", order, ADMIN));
    await services.tx.run((repos) => recordEvents(repos, services, store.id, [{ event: { id: "e1", type: "review", memberId: "m1", occurredAt: new Date(at), channel: "web", properties: {} }, fingerprint: "f" }], ADMIN));
    // An entry the history reads (an order's are not read when its updates are).
    await services.tx.run((repos) => adjustMember(repos, services, store.id, "m1", { points: 10, reason: "goodwill" }, ADMIN));
    // Sub-millisecond instants, and one before 1970 (a floor, not a truncation, below zero).
    await db.query("UPDATE orders SET created_at = '2026-03-02 10:00:00.123456+00', updated_at = '2026-03-02 10:00:00.999999+00' WHERE store_id = $1", [store.id]);
    await db.query("UPDATE order_updates SET at = '2026-03-02 10:00:00.000999+00' WHERE store_id = $1", [store.id]);
    await db.query("UPDATE entries SET at = '2026-03-02 10:00:00.5005+00' WHERE store_id = $1", [store.id]);
    await db.query("UPDATE events SET occurred_at = '1969-12-31 23:59:59.9995+00', recorded_at = '2026-03-02 10:00:00.777777+00' WHERE store_id = $1", [store.id]);

    const read = await services.tx.run(async (repos) => ({
      orders: await repos.history.orders(store.id),
      updates: await repos.history.orderUpdates(store.id),
      entries: await repos.history.inputEntries(store.id),
      events: await repos.history.events(store.id),
    }));
    const [o] = await db.query<{ created_at: Date; updated_at: Date }>("SELECT created_at, updated_at FROM orders WHERE store_id = $1", [store.id]);
    const [u] = await db.query<{ at: Date }>("SELECT at FROM order_updates WHERE store_id = $1", [store.id]);
    // The order's entries are not read: its update is (HistoryRepository.inputEntries).
    const entries = await db.query<{ at: Date }>("SELECT at FROM entries WHERE store_id = $1 AND type NOT IN ('mature', 'expire') AND source_type <> 'order'", [store.id]);
    const [e] = await db.query<{ occurred_at: Date; recorded_at: Date }>("SELECT occurred_at, recorded_at FROM events WHERE store_id = $1", [store.id]);

    expect(read.orders.map((x) => [x.createdAt.toISOString(), x.updatedAt.toISOString()])).toEqual([["2026-03-02T10:00:00.123Z", "2026-03-02T10:00:00.999Z"]]);
    expect(read.orders.map((x) => [x.createdAt.getTime(), x.updatedAt.getTime()])).toEqual([[o!.created_at.getTime(), o!.updated_at.getTime()]]);
    expect(read.updates.map((x) => x.at.getTime())).toEqual([u!.at.getTime()]);
    expect(read.updates[0]!.at.toISOString()).toBe("2026-03-02T10:00:00.000Z");
    expect(read.entries.length).toBeGreaterThan(0);
    expect(read.entries.map((x) => x.at.getTime())).toEqual(entries.map((x) => x.at.getTime()));
    expect(read.entries[0]!.at.toISOString()).toBe("2026-03-02T10:00:00.500Z");
    expect(read.events.map((x) => [x.occurredAt.getTime(), x.recordedAt.getTime()])).toEqual([[e!.occurred_at.getTime(), e!.recorded_at.getTime()]]);
    expect(read.events[0]!.recordedAt.toISOString()).toBe("2026-03-02T10:00:00.777Z");
  });
});

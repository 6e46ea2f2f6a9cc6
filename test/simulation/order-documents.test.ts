import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/core/orders/order.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { upsertOrder } from "../../src/services/orders.ts";
import { importProgram } from "../../src/services/program-document.ts";
import { updateOrder } from "../../src/core/simulation/history.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { createStore } from "../../src/services/stores.ts";
import { adaptersUnderTest, openAdapter } from "../support/adapters.ts";
import { TestClock } from "../support/clock.ts";
import { loadPreset } from "../support/presets.ts";

const ADMIN: Actor = { id: "admin", role: "admin" };
const at = "2026-03-02T09:00:00.000Z";
const placed = orderSchema.parse({ memberId: "m1", lines: [{ sku: "tea", quantity: 1, amount: 5_000 }], placedAt: at, paidAt: at });

/**
 * The history takes an order's document from its last logged update (load.ts), and reads the
 * stored one only for orders recorded before updates were kept: both must be the document the
 * store holds.
 */
describe.each(adaptersUnderTest())("an order's document in the history read on %s", (kind) => {
  it("is its last update's, and the stored one for an order without logged updates", async () => {
    const adapter = await openAdapter(kind);
    try {
      const services: Services = { tx: adapter.tx, clock: new TestClock(new Date("2026-03-02T10:00:00Z")) };
      const { store } = await createStore(services, { name: "Documents", currency: "USD", timezone: "Europe/Berlin", sandbox: false }, ADMIN);
      await services.tx.run((repos) => importProgram(repos, services, store.id, loadPreset("member-points"), { dryRun: false }, ADMIN));
      const delivered = orderSchema.parse({ ...placed, deliveredAt: at, lines: [{ sku: "tea", quantity: 2, amount: 9_000 }] });
      for (const [id, order] of [["o1", placed], ["o1", delivered], ["o2", delivered]] as const) {
        await services.tx.run((repos) => upsertOrder(repos, services, store.id, id, order, ADMIN));
      }
      if (adapter.kind !== "memory") {
        // As an order recorded before updates were kept.
        await adapter.db.query("DELETE FROM order_updates WHERE store_id = $1 AND order_id = 'o2'", [store.id]);
      }
      const { history } = await loadHistory(services, store.id);
      const stored = await services.tx.run(async (repos) => ({ o1: (await repos.orders.get(store.id, "o1"))!.order, o2: (await repos.orders.get(store.id, "o2"))!.order }));
      const [o1, o2] = history.orders;
      expect(o1!.order).toEqual(stored.o1);
      expect(o1!.order).toEqual(delivered);
      expect(o1!.updates.map(updateOrder)).toEqual([placed, delivered]);
      expect(o1!.updates.map((u) => u.memberId)).toEqual(["m1", "m1"]);
      expect(o2!.order).toEqual(stored.o2);
      expect(o2!.updates).toHaveLength(adapter.kind === "memory" ? 1 : 0);
      // An order's entries are read only when its updates are not: they place the steps rebuilt for it.
      const entries = await services.tx.run((repos) => repos.history.inputEntries(store.id));
      const ofOrders = entries.filter((e) => e.sourceType === "order").map((e) => e.sourceRef);
      expect(ofOrders).not.toContain("o1");
      expect(o1!.moments).toEqual([]);
      if (adapter.kind !== "memory") {
        expect(ofOrders).toContain("o2");
        expect(o2!.moments.length).toBeGreaterThan(0);
      } else expect(ofOrders).toEqual([]);
      const bodies = await services.tx.run((repos) => repos.history.orderBodies(store.id, ["o2", "o-missing"]));
      expect([...bodies]).toEqual([["o2", delivered]]);
    } finally {
      await adapter.close();
    }
  });
});

import { deserialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { packPart, unpackPart } from "../../src/jobs/replay-transport.ts";
import { splitHistory } from "../../src/services/simulation/parts.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { generateStore } from "../support/generated-store.ts";

/** A part crosses to a replay worker without its orders' documents (jobs/replay-transport.ts) and arrives whole. */
describe("a replay part sent to a worker", () => {
  it("arrives equal to what was sent, each order's document made again from its last update", async () => {
    const tx = memoryTransactor();
    const services = { tx, clock: new TestClock(new Date("2025-01-01T00:00:00Z")) };
    const storeId = await generateStore(services, { members: 20, orders: 120, days: 60, start: new Date("2025-01-01T05:00:00Z"), seed: 4 });
    const { history } = await loadHistory(services, storeId);
    const parts = splitHistory(history, 2, [null]);
    expect(parts).toHaveLength(2);
    for (const part of parts) {
      const bytes = packPart(part);
      const sent = deserialize(bytes) as typeof part;
      expect(sent.history.orders.length).toBeGreaterThan(0);
      // What crosses: no document for an order whose updates hold it.
      expect(sent.history.orders.every((o) => o.updates.length > 0 && o.order === null)).toBe(true);
      expect(unpackPart(bytes)).toEqual(part);
    }
  });
});

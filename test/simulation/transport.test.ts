import { describe, expect, it } from "vitest";
import { packPart, readPacked, unpackPart } from "../../src/jobs/replay-transport.ts";
import { splitHistory, type HistoryPart } from "../../src/services/simulation/parts.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { generateStore } from "../support/generated-store.ts";

/** A part with each order's document as an own property: an order with logged updates makes it when read (LoggedOrder), and equality reads only own properties. */
function withDocuments(part: HistoryPart) {
  return { ...part, history: { ...part.history, orders: part.history.orders.map((o) => ({ ...o, order: o.order })) } };
}

/** A part crosses to a replay worker without its orders' documents (jobs/replay-transport.ts) and arrives whole. */
describe("a replay part sent to a worker", () => {
  it("arrives equal to what was sent: updates from their columns, each order's document from its last update", async () => {
    const tx = memoryTransactor();
    const services = { tx, clock: new TestClock(new Date("2025-01-01T00:00:00Z")) };
    const storeId = await generateStore(services, { members: 20, orders: 120, days: 60, start: new Date("2025-01-01T05:00:00Z"), seed: 4 });
    const { history } = await loadHistory(services, storeId);
    const parts = splitHistory(history, 2, [null]);
    expect(parts).toHaveLength(2);
    for (const part of parts) {
      const bytes = packPart(part);
      const { packed: sent, bodies } = readPacked(bytes);
      expect(sent.part.history.orders.length).toBeGreaterThan(0);
      // What crosses: no document for an order whose updates hold it, the updates as columns.
      expect(sent.part.history.orders.every((o) => o.updates.length === 0 && o.order === null)).toBe(true);
      expect([...sent.updates.counts]).toEqual(part.history.orders.map((o) => o.updates.length));
      expect(sent.updates.bodyLengths.length).toBe(part.history.orders.reduce((n, o) => n + o.updates.length, 0));
      expect(bodies).toBe(part.history.orders.flatMap((o) => o.updates.map((u) => u.body)).join(""));
      expect(withDocuments(unpackPart(bytes))).toEqual(withDocuments(part));
    }
  });

  it("keeps an update without a member, characters outside Latin-1, and an order recorded before updates were kept", async () => {
    const tx = memoryTransactor();
    const services = { tx, clock: new TestClock(new Date("2025-01-01T00:00:00Z")) };
    const storeId = await generateStore(services, { members: 4, orders: 12, days: 20, start: new Date("2025-01-01T05:00:00Z"), seed: 9 });
    const { history } = await loadHistory(services, storeId);
    const [first, second, third, ...rest] = history.orders;
    const updates = first!.updates.map((u) => ({ ...u, memberId: null, body: `${u.body.slice(0, -1)}, "note": "café ☕ 𝄞"}` }));
    // The document an order with updates holds is its last update's.
    const guest = { ...first!, updates, order: JSON.parse(updates.at(-1)!.body) };
    const older = { ...second!, order: second!.order, updates: [] };
    const part = { ...splitHistory(history, 1, [null])[0]!, history: { ...history, orders: [guest, older, third!, ...rest] } };
    const back = unpackPart(packPart(part));
    expect(withDocuments(back)).toEqual(withDocuments(part));
    expect(JSON.parse(back.history.orders[0]!.updates[0]!.body).note).toBe("café ☕ 𝄞");
  });
});

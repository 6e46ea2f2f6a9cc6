import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/core/orders/order.ts";
import type { HistoryOrder } from "../../src/core/simulation/history.ts";
import { orderSteps, timeline } from "../../src/core/simulation/timeline.ts";

const d = (iso: string) => new Date(iso);

/** An order recorded on Jan 1, delivered Jan 3, half refunded Jan 10; the store last saw it on Jan 12. */
const order = orderSchema.parse({
  memberId: "m1",
  lines: [{ sku: "tea", quantity: 1, amount: 10_000 }],
  placedAt: "2026-01-01T10:00:00Z",
  paidAt: "2026-01-01T10:00:00Z",
  deliveredAt: "2026-01-03T10:00:00Z",
  refunds: [{ id: "r1", lines: [], amount: 5_000, at: "2026-01-10T10:00:00Z" }],
});

const recorded = (updates: HistoryOrder["updates"]): HistoryOrder => ({
  id: "o1", order, eligibility: null, origin: null,
  createdAt: d("2026-01-01T10:00:00Z"), updatedAt: d("2026-01-12T10:00:00Z"),
  // Entries the order's updates wrote: its award on Jan 1, its reversal when the store heard of the refund.
  moments: [{ at: d("2026-01-01T10:00:00Z"), wall: "w1" }, { at: d("2026-01-12T10:00:00Z"), wall: "w9" }],
  updates,
});

describe("an order's replayed moments", () => {
  it("are its updates as they arrived, when the store kept them", () => {
    const first = { ...order, deliveredAt: null, refunds: [] };
    const steps = orderSteps(recorded([
      { at: d("2026-01-01T10:00:00Z"), wall: "u1", order: first },
      { at: d("2026-01-12T10:00:00Z"), wall: "u2", order },
    ]));
    expect(steps.map((s) => [s.at.toISOString(), s.wall, s.kind === "order" ? s.snapshot : null])).toEqual([
      ["2026-01-01T10:00:00.000Z", "u1", first],
      ["2026-01-12T10:00:00.000Z", "u2", order],
    ]);
  });

  it("are rebuilt from the order's own timestamps for an order recorded before updates were kept", () => {
    const steps = orderSteps(recorded([])).map((s) => (s.kind === "order" ? s : null)!);
    // First recorded, each timestamp after that, and the last update, which sends the order as it is.
    expect(steps.map((s) => s.at.toISOString())).toEqual(["2026-01-01T10:00:00.000Z", "2026-01-03T10:00:00.000Z", "2026-01-10T10:00:00.000Z", "2026-01-12T10:00:00.000Z"]);
    // Moments that moved points keep the wall-clock order of their entries; rebuilt ones have none.
    expect(steps.map((s) => s.wall)).toEqual(["w1", "", "", "w9"]);
    // Each state holds what had happened by then and nothing later.
    expect(steps.map((s) => [s.snapshot.paidAt, s.snapshot.deliveredAt, s.snapshot.refunds.length])).toEqual([
      ["2026-01-01T10:00:00Z", null, 0],
      ["2026-01-01T10:00:00Z", "2026-01-03T10:00:00Z", 0],
      ["2026-01-01T10:00:00Z", "2026-01-03T10:00:00Z", 1],
      ["2026-01-01T10:00:00Z", "2026-01-03T10:00:00Z", 1],
    ]);
    expect(steps.at(-1)!.snapshot).toBe(order);
  });

  it("take their place among the store's other inputs by time, then by wall-clock order", () => {
    const history = {
      store: { id: "st", name: "S", currency: "USD", timezone: "UTC", program: {} as never, createdAt: d("2026-01-01T00:00:00Z") },
      settingsChanges: [], members: [], orders: [recorded([])], redemptions: [], credits: [], ruleVersions: [], tiers: [], redeemMethods: [],
      events: [
        { id: "e-before", type: "visit", memberId: "m1", occurredAt: d("2026-01-01T10:00:00Z"), channel: "web", properties: {}, recordedAt: d("2026-01-01T10:00:00Z"), wall: "w0" },
        { id: "e-after", type: "visit", memberId: "m1", occurredAt: d("2026-01-01T10:00:00Z"), channel: "web", properties: {}, recordedAt: d("2026-01-01T10:00:00Z"), wall: "w2" },
      ],
    };
    expect(timeline(history).map((s) => (s.kind === "event" ? s.event.id : `${s.kind} ${s.at.toISOString().slice(0, 10)}`))).toEqual([
      "e-before", "order 2026-01-01", "e-after", "order 2026-01-03", "order 2026-01-10", "order 2026-01-12",
    ]);
  });
});

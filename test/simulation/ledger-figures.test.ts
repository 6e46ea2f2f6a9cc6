import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/core/orders/order.ts";
import { withProgramDefaults } from "../../src/core/program/settings.ts";
import type { HistoryMember, StoreHistory } from "../../src/core/simulation/history.ts";
import { currentFromLedger } from "../../src/services/simulation/ledger-figures.ts";
import type { LoadedHistory } from "../../src/services/simulation/load.ts";

const d = (iso: string) => new Date(iso);

const member = (memberId: string, manualTier: string | null = null): HistoryMember => ({
  memberId, email: null, phone: null, birthday: null, tags: [], isMember: true, language: null, manualTier, createdAt: d("2026-01-01T00:00:00Z"),
});

const order = orderSchema.parse({ memberId: "m1", lines: [{ sku: "tea", quantity: 1, amount: 1_000 }], placedAt: "2026-02-10T10:00:00Z" });

/** A store in Paris whose last input is an order updated on 20 March, its clock at 30 April. */
function loaded(changes: Partial<StoreHistory> = {}): LoadedHistory {
  const history: StoreHistory = {
    store: { id: "s1", name: "Shop", currency: "EUR", timezone: "Europe/Paris", program: withProgramDefaults({}), createdAt: d("2026-01-01T00:00:00Z") },
    settingsChanges: [],
    members: [member("m1")],
    events: [{ id: "e1", type: "review.posted", memberId: "m1", occurredAt: d("2026-01-05T10:00:00Z"), channel: "online", properties: {}, recordedAt: d("2026-01-05T10:00:00Z"), member: null, wall: null }],
    orders: [{
      id: "o1", order, eligibility: null, origin: null, createdAt: d("2026-02-10T10:00:00Z"), updatedAt: d("2026-03-20T10:00:00Z"), moments: [],
      updates: [{ at: d("2026-02-10T10:00:00Z"), wall: "w1", memberId: order.memberId, body: JSON.stringify(order) }, { at: d("2026-03-20T10:00:00Z"), wall: "w2", memberId: order.memberId, body: JSON.stringify(order) }],
    }],
    redemptions: [],
    credits: [],
    ruleVersions: [],
    tiers: [],
    redeemMethods: [],
    ...changes,
  };
  return { history, flows: [{ month: "2026-02", issued: 10, redeemed: 0, expired: 0, reversed: 0, outstanding: 10 }] as LoadedHistory["flows"], now: d("2026-04-30T12:00:00Z") };
}

// The last instant of March in Paris (summer time from 29 March).
const endOfMarch = d("2026-03-31T21:59:59.999Z");

describe("the current program's figures read from the ledger", () => {
  it("stand in for a replay when members spend as they did, there are no tiers, and the period ends today or at a month's end", () => {
    const store = loaded();
    const result = currentFromLedger(store, store.now, 1);
    expect(result).toEqual({ flows: store.flows, tiers: new Map(), skipped: { redemptions: 0, deductions: 0, events: 0, orders: 0 } });
    expect(currentFromLedger(store, endOfMarch, 1)).toEqual(result);
    // The end of February, though the order's second update came after it: that update wrote in March.
    expect(currentFromLedger(store, d("2026-02-28T22:59:59.999Z"), 1)).toEqual(result);
  });

  it("do not when spending is scaled, the store has tiers or a tier set by hand, or the period's last month is cut short", () => {
    const store = loaded();
    expect(currentFromLedger(store, store.now, 0.5)).toBeNull();
    expect(currentFromLedger(loaded({ tiers: [{ code: "gold" } as StoreHistory["tiers"][number]] }), store.now, 1)).toBeNull();
    expect(currentFromLedger(loaded({ members: [member("m1", "gold")] }), store.now, 1)).toBeNull();
    // Mid-April, before the store's today: due work later in April would be in the ledger's month.
    expect(currentFromLedger(store, d("2026-04-15T21:59:59.999Z"), 1)).toBeNull();
  });
});

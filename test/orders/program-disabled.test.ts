import { describe, expect, it } from "vitest";
import { orderRule } from "../checkout/helpers.ts";
import { orderStores, points } from "./harness.ts";

/**
 * SPEC §3 Store, program: while the program is disabled, orders are recorded but earn nothing, and
 * re-enabling never awards retroactively — except that an order placed while the program was
 * enabled keeps its promise and earns at its award moment (source 002: orders created before the
 * app was removed still earn when they are picked up).
 */
describe("orders and a disabled program", () => {
  const orders = orderStores({ clock: "2026-03-10T00:00:00Z" });

  /** $1 = 1 point when the order is delivered (picked up). */
  async function store(timing: Record<string, unknown> = { awardOn: "delivered" }) {
    const s = await orders.store({ rules: [orderRule({ name: "Points on pickup", timing }), { name: "Review", event: "review.posted", award: { type: "fixed", points: 5 } }] });
    const { c } = s;
    const setEnabled = async (enabled: boolean) => expect((await c.patch("/v1/program", { enabled })).statusCode).toBe(200);
    return { ...s, setEnabled };
  }

  const order = (memberId: string, placedAt: string, extra: Record<string, unknown> = {}) => ({
    memberId, lines: [{ sku: "a", quantity: 1, amount: 8_000 }], placedAt, paidAt: placedAt, ...extra,
  });
  const PLACED = "2026-03-01T10:00:00Z";
  const DELIVERED = "2026-03-03T10:00:00Z";

  it("an order placed while the program was enabled earns when it is picked up after the program was disabled", async () => {
    const { c, setEnabled, put } = await store();
    await put("o1", order("amy", PLACED), points(0));
    await setEnabled(false);
    // Picked up while the program is disabled: $80 → 80, at the award moment.
    const o = await put("o1", order("amy", PLACED, { deliveredAt: DELIVERED }), points(80));
    expect(o.awards[0]).toMatchObject({ points: 80, earnedAt: "2026-03-03T10:00:00.000Z", status: "available" });
    expect((await c.activity("amy"))[0]).toMatchObject({ type: "earn", points: 80, balanceAfter: 80, source: { type: "order", ref: "o1" } });
    // Its refunds still reconcile while disabled: $30 back → 50.
    await put("o1", order("amy", PLACED, { deliveredAt: DELIVERED, refunds: [{ id: "r1", amount: 3_000, at: "2026-03-04T00:00:00Z" }] }), points(50, 30));
    // Re-enabling changes nothing and awards nothing twice.
    await setEnabled(true);
    await put("o1", order("amy", PLACED, { deliveredAt: DELIVERED, refunds: [{ id: "r1", amount: 3_000, at: "2026-03-04T00:00:00Z" }] }), points(50, 30));
    expect(await c.activity("amy")).toHaveLength(2);
  });

  it("the promise holds for a delayed award: pending at pickup, spendable later, while the program stays disabled", async () => {
    const { c, setEnabled, put } = await store({ awardOn: "delivered", delayDays: 3 });
    await put("o1", order("amy", PLACED), points(0));
    await setEnabled(false);
    // Picked up on 9 March: pending until 12 March.
    await put("o1", order("amy", PLACED, { deliveredAt: "2026-03-09T10:00:00Z" }), points(0, 0, 80));
    expect(await c.member("amy")).toMatchObject({ balance: 0, pending: 80 });
    await c.advance("2026-03-12T10:00:00Z");
    expect((await c.json("/v1/orders/o1")).points).toEqual(points(80));
    expect(await c.member("amy")).toMatchObject({ balance: 80, pending: 0 });
  });

  it("an order placed while the program was disabled earns nothing, even when picked up after re-enabling", async () => {
    const { c, setEnabled, put } = await store();
    await setEnabled(false);
    await put("o2", order("ben", PLACED), points(0));
    await setEnabled(true);
    await put("o2", order("ben", PLACED, { deliveredAt: DELIVERED }), points(0));
    // Edits and re-sends never make it earn.
    await put("o2", order("ben", PLACED, { deliveredAt: DELIVERED, lines: [{ sku: "a", quantity: 2, amount: 16_000 }] }), points(0));
    expect(await c.member("ben")).toMatchObject({ balance: 0, pending: 0 });
    expect(await c.activity("ben")).toEqual([]);
    // An order placed after re-enabling earns.
    await put("o3", order("ben", "2026-03-02T10:00:00Z", { deliveredAt: DELIVERED }), points(80));
  });

  it("an order placed and picked up while the program was disabled earns nothing after re-enabling", async () => {
    const { c, setEnabled, put } = await store();
    await setEnabled(false);
    await put("o4", order("cy", PLACED, { deliveredAt: DELIVERED }), points(0));
    await setEnabled(true);
    await put("o4", order("cy", PLACED, { deliveredAt: DELIVERED }), points(0));
    expect(await c.member("cy")).toMatchObject({ balance: 0 });
  });

  it("the promise belongs to the order: moved to another member after the program was disabled, it earns for them", async () => {
    const { c, setEnabled, put } = await store();
    await put("o5", order("amy", PLACED), points(0));
    await setEnabled(false);
    await put("o5", order("ben", PLACED, { deliveredAt: DELIVERED }), points(80));
    expect(await c.member("ben")).toMatchObject({ balance: 80 });
    expect(await c.member("amy")).toMatchObject({ balance: 0 });
  });

  it("an order recorded before the promise was kept takes the program's state at its next update", async () => {
    const { c, setEnabled, put } = await store();
    await put("o6", order("amy", PLACED), points(0));
    await put("o7", order("amy", PLACED), points(0));
    await orders.app().db.query("UPDATE orders SET eligibility = eligibility - 'programEnabled' WHERE store_id = $1", [c.store.id]);
    // o6 is updated while the program is still enabled, o7 only after it was disabled.
    await put("o6", order("amy", PLACED), points(0));
    await setEnabled(false);
    await put("o6", order("amy", PLACED, { deliveredAt: DELIVERED }), points(80));
    await put("o7", order("amy", PLACED, { deliveredAt: DELIVERED }), points(0));
  });

  it("events while the program is disabled still earn nothing", async () => {
    const { c, setEnabled } = await store();
    await setEnabled(false);
    const res = await c.post("/v1/events", { id: "e1", type: "review.posted", memberId: "dee" });
    expect(res.statusCode, res.body).toBeLessThan(300);
    await setEnabled(true);
    expect(await c.member("dee")).toMatchObject({ balance: 0, pending: 0 });
    expect(await c.activity("dee")).toEqual([]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/core/orders/order.ts";
import { LoggedOrder, type HistoryOrder } from "../../src/core/simulation/history.ts";
import { firstInputAt, orderSteps, programAmongInputs, programSteps, sortSteps, timeline, type Step } from "../../src/core/simulation/timeline.ts";

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
      { at: d("2026-01-01T10:00:00Z"), wall: "u1", memberId: first.memberId, body: JSON.stringify(first) },
      { at: d("2026-01-12T10:00:00Z"), wall: "u2", memberId: order.memberId, body: JSON.stringify(order) },
    ]));
    expect(steps.map((s) => [s.at.toISOString(), s.wall, s.kind === "order" ? s.snapshot : null])).toEqual([
      ["2026-01-01T10:00:00.000Z", "u1", first],
      ["2026-01-12T10:00:00.000Z", "u2", order],
    ]);
  });

  it("leave the document made of an order's last update as the order's own, and no earlier one", () => {
    const first = { ...order, deliveredAt: null, refunds: [] };
    const updates = [
      { at: d("2026-01-01T10:00:00Z"), wall: "u1", memberId: first.memberId, body: JSON.stringify(first) },
      { at: d("2026-01-12T10:00:00Z"), wall: "u2", memberId: order.memberId, body: JSON.stringify(order) },
    ];
    const logged = new LoggedOrder({ id: "o1", eligibility: null, origin: null, createdAt: d("2026-01-01T10:00:00Z"), updatedAt: d("2026-01-12T10:00:00Z") }, updates);
    const [early, last] = orderSteps(logged) as Array<Extract<Step, { kind: "order" }>>;
    early!.snapshot;
    const replayed = last!.snapshot;
    // The very object the last step made, not the first's, and not a second parse of the same text.
    expect(logged.order).toBe(replayed);
    expect(logged.order).toEqual(order);
    // An order read before its last update is replayed keeps the document it made then.
    const read = new LoggedOrder({ id: "o2", eligibility: null, origin: null, createdAt: d("2026-01-01T10:00:00Z"), updatedAt: d("2026-01-12T10:00:00Z") }, updates);
    const before = read.order;
    (orderSteps(read)[1] as Extract<Step, { kind: "order" }>).snapshot;
    expect(read.order).toBe(before);
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
        { id: "e-before", type: "visit", memberId: "m1", occurredAt: d("2026-01-01T10:00:00Z"), channel: "web", properties: {}, recordedAt: d("2026-01-01T10:00:00Z"), member: null, wall: "w0" },
        { id: "e-after", type: "visit", memberId: "m1", occurredAt: d("2026-01-01T10:00:00Z"), channel: "web", properties: {}, recordedAt: d("2026-01-01T10:00:00Z"), member: null, wall: "w2" },
      ],
    };
    expect(timeline(history).map((s) => (s.kind === "event" ? s.event.id : `${s.kind} ${s.at.toISOString().slice(0, 10)}`))).toEqual([
      "e-before", "order 2026-01-01", "e-after", "order 2026-01-03", "order 2026-01-10", "order 2026-01-12",
    ]);
  });
});

describe("sorting steps", () => {
  const kinds = ["settings", "rule", "order", "event", "credit", "redeem", "finish"] as const;
  const rank: Record<Step["kind"], number> = { settings: 0, rule: 0, order: 1, event: 2, credit: 3, redeem: 4, finish: 5 };
  /** A step of `kind` whose id (what breaks full ties) is `id`. */
  const step = (kind: Step["kind"], at: Date, wall: string, id: string): Step => {
    switch (kind) {
      case "event": return { kind, at, wall, event: { id } } as unknown as Step;
      case "order": return { kind, at, wall, order: { id } } as unknown as Step;
      case "credit": return { kind, at, wall: id, credit: { wall: id } } as unknown as Step;
      case "rule": return { kind, at, wall, version: { ruleId: id, version: 1 } } as unknown as Step;
      case "settings": return { kind, at, wall: id } as unknown as Step;
      default: return { kind, at, wall, redemption: { id } } as unknown as Step;
    }
  };
  const idOf = (s: Step) => (s.kind === "event" ? s.event.id : s.kind === "order" ? s.order.id : s.kind === "credit" ? s.credit.wall : s.kind === "rule" ? `${s.version.ruleId}:${s.version.version}` : s.kind === "settings" ? s.wall : s.redemption.id);
  /** The order as written in the plain way: time, wall, kind, id, compared step by step. */
  const model = (a: Step, b: Step) =>
    a.at.getTime() - b.at.getTime() || (a.wall < b.wall ? -1 : a.wall > b.wall ? 1 : 0) || rank[a.kind] - rank[b.kind] || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0);

  it("puts any steps in the order of time, wall, kind and id, in place", () => {
    fc.assert(fc.property(
      fc.array(fc.record({
        kind: fc.constantFrom(...kinds),
        at: fc.integer({ min: 0, max: 5 }).map((h) => new Date(Date.UTC(2026, 0, 1, h))),
        wall: fc.constantFrom("", "a", "b", "c"),
        id: fc.constantFrom("x", "y", "z", "w"),
      }), { maxLength: 60 }),
      (raw) => {
        const steps = raw.map((r) => step(r.kind, r.at, r.wall, r.id));
        const expected = [...steps].sort(model);
        const sorted = sortSteps(steps);
        expect(sorted).toBe(steps);
        expect(sorted.map((s) => [s.kind, s.at.getTime(), s.wall, idOf(s)])).toEqual(expected.map((s) => [s.kind, s.at.getTime(), s.wall, idOf(s)]));
      },
    ), { numRuns: 500 });
  });
});

describe("the program's changes among the inputs", () => {
  /** The plain way to place a change: sort every input by time and wall, take the first written after the change. */
  const modelPlaced = (inputs: readonly Step[], at: Date, wall: string | null): number => {
    if (!wall) return at.getTime();
    const sorted = [...inputs].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.wall < b.wall ? -1 : a.wall > b.wall ? 1 : 0));
    const next = sorted.find((s) => s.wall !== "" && s.wall > wall);
    return next ? next.at.getTime() : Math.max(at.getTime(), sorted.at(-1)?.at.getTime() ?? at.getTime());
  };
  const wall = fc.constantFrom("", "a", "b", "c", "d", "e", "f", "g");
  const time = fc.integer({ min: 0, max: 20 }).map((h) => new Date(Date.UTC(2026, 0, 1, h)));

  it("go before the earliest input written after them, or after the last input, as sorting every input would place them", () => {
    fc.assert(fc.property(
      fc.array(fc.record({ at: time, wall }), { maxLength: 30 }),
      fc.array(fc.record({ at: time, wall: fc.option(wall, { nil: null }) }), { maxLength: 6 }),
      fc.array(fc.record({ at: time, wall }), { maxLength: 4 }),
      (raw, versions, settings) => {
        const inputs: Step[] = raw.map((r, i) => ({ kind: "event", at: r.at, wall: r.wall, event: { id: `e${i}` } }) as unknown as Step);
        const history = {
          ruleVersions: versions.map((v, i) => ({ ruleId: "r", version: i + 1, rule: {} as never, effectiveFrom: v.at, wall: v.wall })),
          settingsChanges: settings.map((c) => ({ at: c.at, wall: c.wall, settings: {} as never })),
        };
        const first = firstInputAt(inputs);
        const expected = [
          ...history.ruleVersions.filter((v) => v.effectiveFrom.getTime() >= first).map((v) => modelPlaced(inputs, v.effectiveFrom, v.wall)),
          ...history.settingsChanges.map((c) => modelPlaced(inputs, c.at, c.wall)),
        ];
        expect(programSteps(history, inputs).map((s) => s.at.getTime())).toEqual(expected);
        // Given as moments to visit (a whole store's inputs, without a step made for each), the same.
        const moments = (visit: (at: Date, wall: string) => void) => inputs.forEach((s) => visit(s.at, s.wall));
        expect(programSteps(history, moments).map((s) => s.at.getTime())).toEqual(expected);
        // The first input found in the same walk; and the first input given, the same program.
        const among = programAmongInputs(history, moments);
        expect(among.first).toBe(first);
        expect(among.program.map((s) => s.at.getTime())).toEqual(expected);
        expect(programAmongInputs(history, moments, first).program.map((s) => s.at.getTime())).toEqual(expected);
      },
    ), { numRuns: 500 });
  });
});

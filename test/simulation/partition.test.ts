import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/core/orders/order.ts";
import { withProgramDefaults } from "../../src/core/program/settings.ts";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import type { HistoryMember, HistoryOrder, StoreHistory } from "../../src/core/simulation/history.ts";
import { partitionHistory, storeWide } from "../../src/core/simulation/partition.ts";
import { firstInputAt, inputMoments, inputSteps, programAmongInputs } from "../../src/core/simulation/timeline.ts";
import { mergeResults, splitHistory } from "../../src/services/simulation/parts.ts";

const d = (iso: string) => new Date(iso);

const member = (memberId: string): HistoryMember => ({
  memberId, email: null, phone: null, birthday: null, tags: [], isMember: true, language: null, manualTier: null, createdAt: d("2026-01-01T00:00:00Z"),
});

const order = (id: string, memberIds: string[], at: string): HistoryOrder => {
  const o = (memberId: string) => orderSchema.parse({ memberId, lines: [{ sku: "tea", quantity: 1, amount: 1_000 }], placedAt: at });
  return {
    id, order: o(memberIds.at(-1)!), eligibility: null, origin: null, createdAt: d(at), updatedAt: d(at), moments: [],
    updates: memberIds.map((m, i) => ({ at: new Date(d(at).getTime() + i * 60_000), wall: `${id}-${i}`, memberId: m, body: JSON.stringify(o(m)) })),
  };
};

const event = (id: string, memberId: string, at: string) => ({
  id, type: "review.posted", memberId, occurredAt: d(at), channel: "online", properties: {}, recordedAt: d(at), member: null, wall: null,
});

const rule = (once?: unknown) => earnRuleSchema.parse({ name: "Review", event: "review.posted", award: { type: "fixed", points: 10 }, limits: once ? { once } : {} });

/**
 * m1's order o1 became m2's (its member changed between updates); m3 spent on m4's order o4; m5
 * and m6 only posted reviews. Each of those ties must keep its members in one part.
 */
function history(rules = [rule()]): StoreHistory {
  return {
    store: { id: "s1", name: "Shop", currency: "USD", timezone: "Europe/Paris", program: withProgramDefaults({}), createdAt: d("2026-01-01T00:00:00Z") },
    // Recorded in wall time, made between o1's two updates (their walls o1-0 and o1-1).
    settingsChanges: [{ at: d("2026-02-01T00:00:00Z"), wall: "o1-0x", settings: withProgramDefaults({}) }],
    members: ["m1", "m2", "m3", "m4", "m5", "m6", "m7"].map(member),
    events: [event("e1", "m5", "2026-01-05T10:00:00Z"), event("e2", "m6", "2026-01-06T10:00:00Z"), event("e3", "m6", "2026-03-06T10:00:00Z")],
    orders: [order("o1", ["m1", "m2"], "2026-01-02T10:00:00Z"), order("o4", ["m4"], "2026-01-03T10:00:00Z")],
    redemptions: [{
      id: "r1", memberId: "m3", methodId: "cash", type: "cashback", points: 100, orderId: "o4", channel: "online", cart: null, balanceBefore: 500,
      spentAt: d("2026-01-03T10:05:00Z"), wall: "r1", finish: { action: "capture", at: d("2026-01-04T10:00:00Z"), wall: "r1-c" },
    }],
    credits: [],
    ruleVersions: rules.map((r, i) => ({ ruleId: `rule-${i}`, version: 1, rule: r, effectiveFrom: d("2026-01-01T00:00:00Z"), wall: null })),
    tiers: [],
    redeemMethods: [],
  };
}

describe("a store split into parts of its members", () => {
  it("keeps members an order or a redemption ties together in one part, and spreads the rest", () => {
    const p = partitionHistory(history(), 3);
    expect(p.count).toBe(3);
    const part = (id: string) => p.memberPart.get(id);
    expect(part("m1")).toBe(part("m2"));
    expect(p.orderPart.get("o1")).toBe(part("m1"));
    expect(part("m3")).toBe(part("m4"));
    expect(p.orderPart.get("o4")).toBe(part("m3"));
    // The heaviest groups (o4 with m3's redemption: 3 inputs; o1: 2; m6: 2) each get a part of their own.
    expect(new Set([part("m3"), part("m1"), part("m6")]).size).toBe(3);
    // Every member has a part, those without inputs too; the same history splits the same way.
    expect([...p.memberPart.keys()].sort()).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    expect(partitionHistory(history(), 3)).toEqual(p);
  });

  it("asks for no more parts than there are groups", () => {
    expect(partitionHistory(history(), 50).count).toBe(5);
    expect(partitionHistory(history(), 1).count).toBe(1);
  });

  it("gives every part each change of the program, and each input to one part only", () => {
    const split = splitHistory(history(), 3, [null]);
    expect(split).toHaveLength(3);
    const parts = split.map((s) => s.part);
    for (const p of parts) {
      // The settings change, placed among all the store's inputs: before o1's second update.
      expect(p.program.map((s) => [s.kind, s.at.toISOString()])).toEqual([["settings", "2026-01-02T10:01:00.000Z"]]);
      // Every part's clock starts at the whole store's first step, whether the part has it or not.
      expect(p.start).toEqual(d("2026-01-02T10:00:00Z"));
      expect(p.firstInputAt).toBe(d("2026-01-02T10:00:00Z").getTime());
    }
    // The first input, found without making the steps, is the one the steps say (each part's too).
    for (const h of [history(), ...split.map((s) => s.history)]) expect(programAmongInputs(h, inputMoments(h)).first).toBe(firstInputAt(inputSteps(h)));
    const inputs = split.flatMap((s) => inputSteps(s.history));
    expect(inputs).toHaveLength(2 + 1 + 2 + 3); // o1's two updates, o4's one, r1 spent and captured, three reviews
    expect(split.flatMap((s) => s.history.members.map((m) => m.memberId)).sort()).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    // Each part's history holds its own members' inputs only, and the whole program.
    for (const { history: h } of split) {
      const members = new Set(h.members.map((m) => m.memberId));
      expect(h.events.every((e) => members.has(e.memberId)) && h.redemptions.every((r) => members.has(r.memberId))).toBe(true);
      expect(h.ruleVersions).toHaveLength(1);
      expect(h.settingsChanges).toHaveLength(1);
    }
    expect(split.flatMap((s) => s.history.orders.map((o) => o.id)).sort()).toEqual(["o1", "o4"]);
  });

  it("replays whole a store whose rules, or a candidate's, reward a key once in the whole store", () => {
    const storeOnce = { scope: "store", key: "properties.productId" };
    expect(storeWide([rule(), rule(true), rule({ scope: "member", key: "properties.productId" })])).toBe(false);
    expect(storeWide([rule(), rule(storeOnce)])).toBe(true);
    expect(splitHistory(history([rule(storeOnce)]), 3, [null])).toHaveLength(1);
    const candidate = { earnRules: [rule(storeOnce)] } as never;
    expect(splitHistory(history(), 3, [null, candidate])).toHaveLength(1);
    expect(splitHistory(history(), 3, [null, { earnRules: [rule()] } as never])).toHaveLength(3);
  });
});

/**
 * The plain form of the partition: a union-find over every member and order named by a string key,
 * each order's members gathered in a set. partitionHistory must split every history the same way.
 */
function plainPartition(h: StoreHistory, count: number) {
  const index = new Map<string, number>();
  const parent: number[] = [];
  const weight: number[] = [];
  const node = (key: string) => {
    let i = index.get(key);
    if (i === undefined) {
      i = parent.length;
      index.set(key, i);
      parent.push(i);
      weight.push(0);
    }
    return i;
  };
  const root = (i: number): number => (parent[i] === i ? i : root(parent[i]!));
  const join = (a: number, b: number) => {
    const ra = root(a), rb = root(b);
    if (ra !== rb) parent[rb] = ra;
  };
  const add = (key: string, inputs: number) => {
    const i = node(key);
    weight[i]! += inputs;
    return i;
  };
  for (const m of h.members) add(`m:${m.memberId}`, 0);
  for (const e of h.events) add(`m:${e.memberId}`, 1);
  for (const c of h.credits) add(`m:${c.memberId}`, 1);
  for (const o of h.orders) {
    const i = add(`o:${o.id}`, Math.max(1, o.updates.length));
    const named = new Set<string>();
    if (o.updates.length === 0 && o.order.memberId) named.add(o.order.memberId);
    if (o.eligibility) named.add(o.eligibility.memberId);
    for (const u of o.updates) if (u.memberId) named.add(u.memberId);
    for (const id of named) join(i, node(`m:${id}`));
  }
  for (const r of h.redemptions) {
    const i = add(`m:${r.memberId}`, r.finish ? 2 : 1);
    if (r.orderId) join(i, node(`o:${r.orderId}`));
  }
  const rootWeight = new Map<number, number>();
  for (let i = 0; i < parent.length; i++) rootWeight.set(root(i), (rootWeight.get(root(i)) ?? 0) + weight[i]!);
  const roots = [...rootWeight.keys()].map((r, seen) => ({ r, seen, w: rootWeight.get(r)! })).sort((a, b) => b.w - a.w || a.seen - b.seen);
  const parts = Math.max(1, Math.min(count, roots.length));
  const load = new Array<number>(parts).fill(0);
  const partOfRoot = new Map<number, number>();
  for (const { r, w } of roots) {
    let lightest = 0;
    for (let p = 1; p < parts; p++) if (load[p]! < load[lightest]!) lightest = p;
    partOfRoot.set(r, lightest);
    load[lightest]! += w;
  }
  const memberPart = new Map<string, number>();
  const orderPart = new Map<string, number>();
  for (const [key, i] of index) (key.startsWith("m:") ? memberPart : orderPart).set(key.slice(2), partOfRoot.get(root(i))!);
  return { count: parts, memberPart, orderPart };
}

describe("the partition", () => {
  it("splits every history as the plain union-find over keyed members and orders does", () => {
    const ids = fc.constantFrom("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8");
    const anOrder = fc.record({
      members: fc.array(fc.option(ids, { nil: null }), { maxLength: 4 }),
      documentMember: fc.option(ids, { nil: null }),
      eligible: fc.option(ids, { nil: null }),
    });
    const aRedemption = fc.record({ memberId: ids, order: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }), finished: fc.boolean() });
    fc.assert(fc.property(
      fc.array(ids, { maxLength: 6 }), fc.array(ids, { maxLength: 6 }), fc.array(anOrder, { maxLength: 10 }), fc.array(aRedemption, { maxLength: 6 }), fc.integer({ min: 1, max: 6 }),
      (known, reviewers, orders, redemptions, count) => {
        const h = history();
        h.members = [...new Set(known)].map(member);
        h.events = reviewers.map((m, i) => event(`e${i}`, m, "2026-01-05T10:00:00Z"));
        h.orders = orders.map((o, i) => {
          const made = order(`o${i}`, o.members.map((m) => m ?? "x"), "2026-01-02T10:00:00Z");
          const updates = made.updates.map((u, j) => ({ ...u, memberId: o.members[j] ?? null }));
          const document = orderSchema.parse({ memberId: o.documentMember ?? undefined, lines: [{ sku: "tea", quantity: 1, amount: 1_000 }], placedAt: "2026-01-02T10:00:00Z" });
          const eligibility = o.eligible ? { memberId: o.eligible, tier: null, isMember: true, tags: [] } as unknown as HistoryOrder["eligibility"] : null;
          return { ...made, order: document, updates, eligibility };
        });
        // Orders o10 to o12 are not in the history: a redemption may name an order it lacks.
        h.redemptions = redemptions.map((r, i) => ({ ...h.redemptions[0]!, id: `r${i}`, memberId: r.memberId, orderId: r.order === null ? null : `o${r.order}`, finish: r.finished ? h.redemptions[0]!.finish : null }));
        expect(partitionHistory(h, count)).toEqual(plainPartition(h, count));
      },
    ), { numRuns: 300 });
  });
});

describe("the parts' results added up", () => {
  const flow = (month: string, issued: number, redeemed: number, expired: number, reversed: number, outstanding: number) => ({ month, issued, redeemed, expired, reversed, outstanding });

  it("sums each month's flows, tiers and revenue, and carries a part's balance through months it has no entries in", () => {
    const a = { flows: [flow("2026-01", 100, 0, 0, 0, 100), flow("2026-03", 0, 0, 10, 0, 90)], tiers: new Map([["2026-01", { gold: 1 }]]), skipped: { redemptions: 1, deductions: 0, events: 0, orders: 0 }, revenue: new Map([["2026-01", 5_000], ["2026-03", -700]]) };
    const b = { flows: [flow("2026-02", 50, 20, 0, 5, 25)], tiers: new Map<string, Record<string, number>>([["2026-01", { gold: 2, silver: 1 }], ["2026-02", { silver: 1 }]]), skipped: { redemptions: 0, deductions: 2, events: 0, orders: 3 }, revenue: new Map([["2026-01", 1_250], ["2026-02", 900]]) };
    const merged = mergeResults([a, b]);
    expect(merged.flows).toEqual([flow("2026-01", 100, 0, 0, 0, 100), flow("2026-02", 50, 20, 0, 5, 125), flow("2026-03", 0, 0, 10, 0, 115)]);
    expect([...merged.tiers]).toEqual([["2026-01", { gold: 3, silver: 1 }], ["2026-02", { silver: 1 }]]);
    expect(merged.skipped).toEqual({ redemptions: 1, deductions: 2, events: 0, orders: 3 });
    expect(new Map(merged.revenue)).toEqual(new Map([["2026-01", 6_250], ["2026-02", 900], ["2026-03", -700]]));
  });
});

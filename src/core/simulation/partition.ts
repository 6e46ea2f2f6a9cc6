import type { StoreHistory } from "./history.ts";

/**
 * Which part of a store each member and each order is replayed in.
 *
 * A replay is a store's inputs in time order, but an input only reads and writes the ledger of
 * the members it names: their lots, holds, rule counters, tier. So members who never share an
 * input can be replayed apart, each part on a scratch ledger of its own, and the parts' monthly
 * flows and tier counts add up to the whole store's. Members are joined when an order names more
 * than one of them (its member changed between updates), or a redemption spends on another
 * member's order. What parts cannot share is a store-wide `once` key (one referred customer
 * rewarded once in the whole store): a program with one is replayed whole (`storeWide`).
 */
export interface Partition {
  count: number;
  memberPart: ReadonlyMap<string, number>;
  orderPart: ReadonlyMap<string, number>;
}

interface RuleLike {
  limits?: { once?: unknown } | undefined;
}

/** Whether any of these rules claims `once` keys across the whole store, which ties every member to every other. */
export function storeWide(rules: Iterable<RuleLike | null | undefined>): boolean {
  for (const rule of rules) {
    const once = rule?.limits?.once;
    if (typeof once === "object" && once !== null && (once as { scope?: unknown }).scope === "store") return true;
  }
  return false;
}

/** Union-find over members and orders, each named by a key. */
class Groups {
  private readonly index = new Map<string, number>();
  private readonly parent: number[] = [];
  readonly weight: number[] = [];

  node(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.parent.length;
      this.index.set(key, i);
      this.parent.push(i);
      this.weight.push(0);
    }
    return i;
  }

  root(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!; // path halving
      i = this.parent[i]!;
    }
    return i;
  }

  join(a: number, b: number): void {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra !== rb) this.parent[rb] = ra;
  }

  add(key: string, inputs: number): number {
    const i = this.node(key);
    this.weight[i]! += inputs;
    return i;
  }

  keys(): IterableIterator<[string, number]> {
    return this.index.entries();
  }
}

const memberKey = (id: string) => `m\u0000${id}`;
const orderKey = (id: string) => `o\u0000${id}`;

/**
 * Splits a store's members and orders into at most `count` parts of about the same number of
 * inputs: groups of members tied together (see Partition) are never split, the biggest groups are
 * placed first, each in the part with the fewest inputs so far. The same history always splits the
 * same way.
 */
export function partitionHistory(history: StoreHistory, count: number): Partition {
  const groups = new Groups();
  for (const m of history.members) groups.add(memberKey(m.memberId), 0);
  for (const e of history.events) groups.add(memberKey(e.memberId), 1);
  for (const c of history.credits) groups.add(memberKey(c.memberId), 1);
  for (const o of history.orders) {
    const order = groups.add(orderKey(o.id), Math.max(1, o.updates.length));
    const named = new Set<string>();
    // An order with logged updates names its member in them (its document is the last one's, not read here).
    if (o.updates.length === 0 && o.order.memberId) named.add(o.order.memberId);
    if (o.eligibility) named.add(o.eligibility.memberId);
    for (const u of o.updates) if (u.memberId) named.add(u.memberId);
    for (const id of named) groups.join(order, groups.node(memberKey(id)));
  }
  for (const r of history.redemptions) {
    const member = groups.add(memberKey(r.memberId), r.finish ? 2 : 1);
    if (r.orderId) groups.join(member, groups.node(orderKey(r.orderId)));
  }

  const rootWeight = new Map<number, number>();
  const roots: number[] = [];
  for (const [, i] of groups.keys()) {
    const root = groups.root(i);
    const known = rootWeight.get(root);
    if (known === undefined) roots.push(root);
    rootWeight.set(root, (known ?? 0) + groups.weight[i]!);
  }
  // Heaviest first, ties in the order first seen, so the split is the same on every run.
  const order = roots.map((root, seen) => ({ root, seen, weight: rootWeight.get(root)! }))
    .sort((a, b) => b.weight - a.weight || a.seen - b.seen);
  const parts = Math.max(1, Math.min(Math.floor(count), order.length));
  const load = new Array<number>(parts).fill(0);
  const partOfRoot = new Map<number, number>();
  for (const { root, weight } of order) {
    let lightest = 0;
    for (let p = 1; p < parts; p++) if (load[p]! < load[lightest]!) lightest = p;
    partOfRoot.set(root, lightest);
    load[lightest]! += weight;
  }

  const memberPart = new Map<string, number>();
  const orderPart = new Map<string, number>();
  for (const [key, i] of groups.keys()) {
    const part = partOfRoot.get(groups.root(i))!;
    if (key.startsWith("m\u0000")) memberPart.set(key.slice(2), part);
    else orderPart.set(key.slice(2), part);
  }
  return { count: parts, memberPart, orderPart };
}

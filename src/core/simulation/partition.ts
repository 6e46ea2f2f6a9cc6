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

/** Union-find over nodes numbered as they are made (members and orders), each with its inputs' weight. */
class Groups {
  private readonly parent: number[] = [];
  readonly weight: number[] = [];

  get size(): number {
    return this.parent.length;
  }

  make(inputs: number): number {
    const i = this.parent.length;
    this.parent.push(i);
    this.weight.push(inputs);
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
}

/**
 * Splits a store's members and orders into at most `count` parts of about the same number of
 * inputs: groups of members tied together (see Partition) are never split, the biggest groups are
 * placed first, each in the part with the fewest inputs so far. The same history always splits the
 * same way. Members are found by id; an order is found by its place in the history, and by id only
 * where a redemption names it (a map of every order's id, and a set of each order's members, were
 * most of the time of splitting a year's 200 000 orders).
 */
export function partitionHistory(history: StoreHistory, count: number): Partition {
  const groups = new Groups();
  const members = new Map<string, number>();
  const member = (id: string, inputs: number): number => {
    const i = members.get(id);
    if (i === undefined) {
      const made = groups.make(inputs);
      members.set(id, made);
      return made;
    }
    groups.weight[i]! += inputs;
    return i;
  };
  for (const m of history.members) member(m.memberId, 0);
  for (const e of history.events) member(e.memberId, 1);
  for (const c of history.credits) member(c.memberId, 1);
  const spentOn = new Set<string>();
  for (const r of history.redemptions) if (r.orderId) spentOn.add(r.orderId);
  const orderNodes = new Map<string, number>();
  const nodeOfOrder = new Array<number>(history.orders.length);
  history.orders.forEach((o, k) => {
    const order = groups.make(Math.max(1, o.updates.length));
    nodeOfOrder[k] = order;
    if (spentOn.has(o.id)) orderNodes.set(o.id, order);
    // An order with logged updates names its member in them (its document is the last one's, not read here).
    if (o.updates.length === 0 && o.order.memberId) groups.join(order, member(o.order.memberId, 0));
    if (o.eligibility) groups.join(order, member(o.eligibility.memberId, 0));
    let last: string | null = null;
    for (const u of o.updates) {
      if (u.memberId && u.memberId !== last) groups.join(order, member(u.memberId, 0));
      last = u.memberId;
    }
  });
  for (const r of history.redemptions) {
    const spender = member(r.memberId, r.finish ? 2 : 1);
    if (!r.orderId) continue;
    let order = orderNodes.get(r.orderId);
    if (order === undefined) {
      // An order the history lacks: a group of its own with the redemption's member.
      order = groups.make(0);
      orderNodes.set(r.orderId, order);
    }
    groups.join(spender, order);
  }

  const rootWeight = new Map<number, number>();
  const roots: number[] = [];
  for (let i = 0; i < groups.size; i++) {
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

  const partOf = (i: number) => partOfRoot.get(groups.root(i))!;
  const memberPart = new Map<string, number>();
  for (const [id, i] of members) memberPart.set(id, partOf(i));
  const orderPart = new Map<string, number>();
  history.orders.forEach((o, k) => orderPart.set(o.id, partOf(nodeOfOrder[k]!)));
  for (const [id, i] of orderNodes) if (!orderPart.has(id)) orderPart.set(id, partOf(i));
  return { count: parts, memberPart, orderPart };
}

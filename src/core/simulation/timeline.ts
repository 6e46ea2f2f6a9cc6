import type { Order } from "../orders/order.ts";
import { LoggedOrder, updateOrder, type HistoryCredit, type HistoryEvent, type HistoryOrder, type HistoryOrderUpdate, type HistoryRedemption, type StoreHistory } from "./history.ts";

/** One input to replay, at the store instant it was (or would have been) processed. */
export type Step =
  | { kind: "event"; at: Date; wall: string; event: HistoryEvent }
  | { kind: "order"; at: Date; wall: string; order: HistoryOrder; snapshot: Order }
  | { kind: "redeem"; at: Date; wall: string; redemption: HistoryRedemption }
  | { kind: "finish"; at: Date; wall: string; redemption: HistoryRedemption }
  | { kind: "credit"; at: Date; wall: string; credit: HistoryCredit }
  | { kind: "rule"; at: Date; wall: string; version: StoreHistory["ruleVersions"][number] }
  | { kind: "settings"; at: Date; wall: string; settings: StoreHistory["settingsChanges"][number]["settings"] };

const RANK: Record<Step["kind"], number> = { settings: 0, rule: 0, order: 1, event: 2, credit: 3, redeem: 4, finish: 5 };

/**
 * An order as it stood at `at`: what had happened by then (paid, delivered, refunds) and nothing
 * later. The store only keeps an order's last state, with a timestamp for each thing that
 * happened to it, so earlier states are rebuilt from those timestamps.
 */
export function orderAsOf(order: Order, at: Date): Order {
  const t = at.getTime();
  const by = (v: string | null | undefined) => (v && Date.parse(v) <= t ? v : null);
  return {
    ...order,
    paidAt: by(order.paidAt),
    fulfilledAt: by(order.fulfilledAt),
    deliveredAt: by(order.deliveredAt),
    canceledAt: by(order.canceledAt),
    refunds: order.refunds.filter((r) => Date.parse(r.at) <= t),
  };
}

/**
 * An order update's step: its order is made from the update's text when the step is applied
 * (updateOrder), not when steps are made. A class, its getter on the prototype: an object literal
 * with a getter of its own was slow to make, hundreds of thousands of times over.
 */
class UpdateStep {
  readonly kind = "order" as const;
  readonly at: Date;
  readonly wall: string;
  constructor(readonly order: HistoryOrder, private readonly update: HistoryOrderUpdate) {
    this.at = update.at;
    this.wall = update.wall;
  }

  get snapshot(): Order {
    const order = updateOrder(this.update);
    if (this.order instanceof LoggedOrder) this.order.adopt(this.update, order);
    return order;
  }
}

/**
 * The moments an order is replayed at: each update as it arrived when the store kept them (every
 * order recorded since it does). For older orders, rebuilt: when it was first recorded, each moment an update of it
 * moved points, each of its own timestamps after it was recorded (so a program awarding at
 * another stage sees that stage), and its last update, which sends the order as it is now.
 */
export function orderSteps(order: HistoryOrder): Step[] {
  // The updates as they arrived, when the store kept them: exactly what the store processed.
  // Each update's order is made when its step is applied (HistoryOrderUpdate): splitting a store reads only when and whose.
  if (order.updates.length > 0) return order.updates.map((u) => new UpdateStep(order, u));
  const created = order.createdAt.getTime();
  const last = Math.max(order.updatedAt.getTime(), created);
  const o = order.order;
  const stamps = [o.paidAt, o.fulfilledAt, o.deliveredAt, o.canceledAt, ...o.refunds.map((r) => r.at)]
    .flatMap((v) => (v ? [Date.parse(v)] : []))
    .filter((t) => t > created && t < last);
  const walls = new Map<number, string>();
  for (const m of order.moments) {
    const t = Math.min(Math.max(m.at.getTime(), created), last);
    const known = walls.get(t);
    if (known === undefined || m.wall < known) walls.set(t, m.wall);
  }
  const times = [...new Set([created, last, ...stamps, ...walls.keys()])].sort((a, b) => a - b);
  return times.map((t) => ({
    kind: "order" as const,
    at: new Date(t),
    wall: walls.get(t) ?? "",
    order,
    snapshot: t === last ? o : orderAsOf(o, new Date(t)),
  }));
}

/**
 * Every input of the history in the order the store processed it: by store time, then by the
 * wall-clock instant of the ledger entry it wrote (an input that wrote none goes first), then by
 * kind and id.
 */
export function timeline(history: StoreHistory): Step[] {
  const inputs = inputSteps(history);
  return sortSteps([...inputs, ...programSteps(history, inputs)]);
}

/** The history's inputs as steps, unsorted: events, order updates, redemptions (spent, then finished), adjustments and imports. */
export function inputSteps(history: Pick<StoreHistory, "events" | "orders" | "redemptions" | "credits">): Step[] {
  const steps: Step[] = [];
  for (const event of history.events) steps.push({ kind: "event", at: event.recordedAt, wall: event.wall ?? "", event });
  for (const order of history.orders) for (const step of orderSteps(order)) steps.push(step);
  for (const redemption of history.redemptions) {
    steps.push({ kind: "redeem", at: redemption.spentAt, wall: redemption.wall, redemption });
    if (redemption.finish) steps.push({ kind: "finish", at: redemption.finish.at, wall: redemption.finish.wall, redemption });
  }
  for (const credit of history.credits) steps.push({ kind: "credit", at: credit.at, wall: credit.wall, credit });
  return steps;
}

/**
 * The history's inputs, unsorted, as `visit(at, wall)` for each: what placing the program's
 * changes among them reads (programSteps), without making a step for each of hundreds of
 * thousands of inputs.
 */
export type InputMoments = (visit: (at: Date, wall: string) => void) => void;

export function inputMoments(history: Pick<StoreHistory, "events" | "orders" | "redemptions" | "credits">): InputMoments {
  return (visit) => {
    for (const event of history.events) visit(event.recordedAt, event.wall ?? "");
    for (const order of history.orders) {
      if (order.updates.length > 0) for (const u of order.updates) visit(u.at, u.wall);
      else for (const step of orderSteps(order)) visit(step.at, step.wall);
    }
    for (const redemption of history.redemptions) {
      visit(redemption.spentAt, redemption.wall);
      if (redemption.finish) visit(redemption.finish.at, redemption.finish.wall);
    }
    for (const credit of history.credits) visit(credit.at, credit.wall);
  };
}

/**
 * The program's changes as steps among `inputs` (all the store's): settings, and rule versions
 * made while inputs came in. Each goes where its audit record's wall-clock id puts it among the
 * inputs: its recorded time may be wall time while the inputs' is a sandbox store's clock. Rule
 * versions before the first input are there from the start.
 */
export function programSteps(
  history: Pick<StoreHistory, "ruleVersions" | "settingsChanges">, given: readonly Step[] | InputMoments, first?: number,
): Step[] {
  return programAmongInputs(history, given, first).program;
}

/**
 * The program's changes as steps (programSteps), and when the first input came in (+∞ without
 * any): one walk over the inputs finds both when the program has changes to place, the first
 * input and the earliest input after each change's wall. Walked once for each, a year's 450 000
 * inputs took two thirds of a second on the path before the first replay worker starts.
 */
export function programAmongInputs(
  history: Pick<StoreHistory, "ruleVersions" | "settingsChanges">, given: readonly Step[] | InputMoments, known?: number,
): { program: Step[]; first: number } {
  const inputs: InputMoments = typeof given === "function" ? given : (visit) => {
    for (const s of given) visit(s.at, s.wall);
  };
  // Every change's wall, those of versions before the first input too (not yet known): each
  // wall's earliest later input does not depend on which other walls are looked for.
  const walls = [...history.ruleVersions.map((v) => v.wall), ...history.settingsChanges.map((c) => c.wall)].filter((w): w is string => !!w);
  // Worked out when a change needs placing, which most histories never do.
  const found = walls.length > 0 ? firstInputsAfter(inputs, walls) : null;
  let first = known ?? found?.first;
  if (first === undefined) {
    let earliest = Number.POSITIVE_INFINITY;
    inputs((at) => (earliest = Math.min(earliest, at.getTime())));
    first = earliest;
  }
  const from = first;
  const after = found?.after ?? new Map<string, number | null>();
  const versions = history.ruleVersions.filter((v) => v.effectiveFrom.getTime() >= from);
  let latest: number | null = null;
  const placed = (at: Date, wall: string | null): Date => {
    if (!wall) return at;
    const next = after.get(wall);
    if (next !== null && next !== undefined) return new Date(next);
    if (latest === null) {
      let max = Number.NEGATIVE_INFINITY;
      inputs((when) => (max = Math.max(max, when.getTime())));
      latest = max;
    }
    return new Date(Math.max(at.getTime(), latest));
  };
  const program: Step[] = [];
  for (const version of versions) program.push({ kind: "rule", at: placed(version.effectiveFrom, version.wall), wall: version.wall ?? "", version });
  for (const change of history.settingsChanges) program.push({ kind: "settings", at: placed(change.at, change.wall), wall: change.wall, settings: change.settings });
  return { program, first };
}

/**
 * For each wall-clock id, the earliest input written after it (an input whose own wall is later):
 * a program change made at that wall comes just before it. One pass over the inputs, each placed
 * by binary search among the walls, then a running minimum from the latest wall down: a store's
 * history is hundreds of thousands of inputs, and sorting them all took a third of splitting one.
 */
function firstInputsAfter(inputs: InputMoments, walls: readonly string[]): { after: Map<string, number | null>; first: number } {
  const sorted = [...new Set(walls)].sort();
  // earliest[k]: when the earliest input later than exactly the first k walls came (NaN: none).
  const earliest = new Array<number>(sorted.length + 1).fill(Number.NaN);
  let first = Number.POSITIVE_INFINITY;
  inputs((date, wall) => {
    const at = date.getTime();
    if (at < first) first = at;
    if (wall === "") return;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < wall) lo = mid + 1;
      else hi = mid;
    }
    const known = earliest[lo]!;
    if (lo > 0 && (Number.isNaN(known) || at < known)) earliest[lo] = at;
  });
  const after = new Map<string, number | null>();
  let best = Number.NaN;
  for (let k = sorted.length; k >= 1; k--) {
    const e = earliest[k]!;
    if (!Number.isNaN(e) && (Number.isNaN(best) || e < best)) best = e;
    after.set(sorted[k - 1]!, Number.isNaN(best) ? null : best);
  }
  return { after, first };
}

const stepId = (s: Step) => (s.kind === "event" ? s.event.id : s.kind === "order" ? s.order.id : s.kind === "credit" ? s.credit.wall : s.kind === "rule" ? `${s.version.ruleId}:${s.version.version}` : s.kind === "settings" ? s.wall : s.redemption.id);

/**
 * Sorts steps, in place, into the order the store processed them. The order is total, so any
 * subset of a store's steps (one part of its members, and the program's changes) sorts into the
 * same order as it has among all of them.
 */
export function sortSteps(steps: Step[]): Step[] {
  // Each step's instant, wall and rank are read once into arrays, and positions are sorted by
  // them: a comparator reading them from steps of seven shapes (a part's 10 000 steps, some
  // 130 000 comparisons) was 4 % of a part's replay. Ids are made only to break full ties.
  const n = steps.length;
  const at = new Float64Array(n);
  const rank = new Uint8Array(n);
  const walls = new Array<string>(n);
  const positions = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const s = steps[i]!;
    at[i] = s.at.getTime();
    rank[i] = RANK[s.kind];
    walls[i] = s.wall;
    positions[i] = i;
  }
  positions.sort((i, j) => {
    const byTime = at[i]! - at[j]!;
    if (byTime !== 0) return byTime;
    const a = walls[i]!;
    const b = walls[j]!;
    if (a !== b) return a < b ? -1 : 1;
    return rank[i]! - rank[j]! || compareIds(stepId(steps[i]!), stepId(steps[j]!));
  });
  const sorted = positions.map((i) => steps[i]!);
  for (let i = 0; i < n; i++) steps[i] = sorted[i]!;
  return steps;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** When the first input came in (+∞ for a store without any). */
export function firstInputAt(steps: readonly Step[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const s of steps) if (s.kind !== "rule" && s.kind !== "settings" && s.at.getTime() < first) first = s.at.getTime();
  return first;
}

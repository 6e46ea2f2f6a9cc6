import type { Order } from "../orders/order.ts";
import type { HistoryOrderRow, HistoryRedemptionRow, InputEntry, OrderUpdate } from "../ports/history.ts";
import { LoggedOrder, type HistoryCredit, type HistoryEvent, type HistoryOrder, type HistoryRedemption } from "./history.ts";

/** The time-ordered part of an id (after its prefix): entries of one store sort by it as they were written. */
export const wallOf = (id: string) => id.slice(id.indexOf("_") + 1);

/**
 * Ties each recorded input to the ledger entries it wrote: an event's first entry orders it among
 * inputs of the same instant; the entries of an order recorded before updates were kept say when
 * its updates moved points (points given back on a refund included); a redemption's say when it was spent, and when captured or released
 * by a request (a hold timing out is due work and replays by itself). An order with logged updates
 * takes its document from the last of them (LoggedOrder); `documents` holds those of the others.
 */
export function assembleInputs(
  raw: { events: Array<Omit<HistoryEvent, "wall">>; orders: HistoryOrderRow[]; documents: ReadonlyMap<string, Order>; updates: OrderUpdate[]; redemptions: HistoryRedemptionRow[]; entries: InputEntry[] },
): { events: HistoryEvent[]; orders: HistoryOrder[]; redemptions: HistoryRedemption[]; credits: HistoryCredit[] } {
  const eventWall = new Map<string, string>();
  const orderMoments = new Map<string, Array<{ at: Date; wall: string }>>();
  const byRedemption = new Map<string, InputEntry[]>();
  const orderOfRedemption = new Map(raw.redemptions.map((r) => [r.id, r.orderId]));
  const credits: HistoryCredit[] = [];
  // Lists grown in place: a store's history is hundreds of thousands of rows.
  const push = <T>(map: Map<string, T[]>, key: string, item: T) => {
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  };
  const updates = new Map<string, HistoryOrder["updates"]>();
  for (const u of raw.updates) push(updates, u.orderId, { at: u.at, wall: wallOf(u.id), memberId: u.memberId, body: u.body });
  // An order's moments place the steps rebuilt for it, which an order with its updates kept never needs (timeline.ts orderSteps).
  const moment = (orderId: string, e: InputEntry) => {
    if (!updates.has(orderId)) push(orderMoments, orderId, { at: e.at, wall: wallOf(e.id) });
  };
  for (const e of raw.entries) {
    if (e.sourceType === "event" && e.sourceRef !== null) {
      const wall = wallOf(e.id);
      const known = eventWall.get(e.sourceRef);
      if (known === undefined || wall < known) eventWall.set(e.sourceRef, wall);
    } else if (e.sourceType === "order" && e.sourceRef !== null) {
      moment(e.sourceRef, e);
    } else if (e.sourceType === "redemption" && e.sourceRef !== null) {
      const orderId = orderOfRedemption.get(e.sourceRef);
      if (e.type === "return" && orderId) moment(orderId, e);
      else push(byRedemption, e.sourceRef, e);
    } else if ((e.type === "adjust" && e.sourceType === "adjustment") || (e.type === "import" && e.sourceType === "import")) {
      credits.push({ kind: e.type, memberId: e.memberId, points: e.points, reason: e.reason, actor: e.actor, at: e.at, wall: wallOf(e.id), lot: e.type === "import" ? e.lot : null });
    }
  }
  const redemptions: HistoryRedemption[] = [];
  for (const r of raw.redemptions) {
    const entries = byRedemption.get(r.id) ?? [];
    const spent = entries.find((e) => e.type === "redeem" || e.type === "hold");
    if (!spent) continue;
    const finished = entries.find((e) => e.type === "capture" || (e.type === "release" && e.actor !== "system"));
    redemptions.push({
      ...r,
      balanceBefore: spent.balanceAfter - spent.delta,
      spentAt: spent.at,
      wall: wallOf(spent.id),
      finish: finished ? { action: finished.type === "capture" ? "capture" : "release", at: finished.at, wall: wallOf(finished.id) } : null,
    });
  }
  return {
    events: raw.events.map((e) => ({ ...e, wall: eventWall.get(e.id) ?? null })),
    orders: raw.orders.map((o): HistoryOrder => {
      const logged = updates.get(o.id);
      if (logged !== undefined) return new LoggedOrder(o, logged);
      const order = raw.documents.get(o.id);
      if (order === undefined) throw new Error(`order ${o.id} was read without its document`);
      return { ...o, order, moments: orderMoments.get(o.id) ?? [], updates: [] };
    }),
    redemptions,
    credits,
  };
}

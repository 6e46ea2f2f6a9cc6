import type { MemberBook } from "../ledger/book.ts";
import { partsToReturn } from "../ledger/spending-order.ts";
import type { Hold } from "../ledger/types.ts";
import type { RedemptionRecord } from "../ports/records.ts";
import { refundedPerLine } from "./base.ts";
import type { Order } from "./order.ts";

/** How many of a captured spend's points the order's state gives back (never less than already given). */
export function returnTarget(order: Order, r: RedemptionRecord): number {
  if (order.canceledAt) return r.points;
  const subtotal = order.lines.reduce((s, l) => s + l.amount, 0);
  const refunded = refundedPerLine(order).reduce((s, x) => s + x, 0);
  const share = subtotal === 0 ? 0 : Math.floor((r.points * Math.min(refunded, subtotal)) / subtotal);
  return Math.max(r.returned, share);
}

/**
 * The money off that points spent on the order still give (cashback held or captured, less what
 * this update gives back): it reduces a net base.
 */
export function pointsDiscount(order: Order, spent: readonly RedemptionRecord[], books: ReadonlyMap<string, MemberBook>): number {
  return spent
    .filter((r) => r.status === "completed" || (r.status === "held" && books.get(r.memberId)?.hold(r.holdId!)?.status === "held"))
    .reduce((sum, r) => {
      const discount = r.discount ?? 0;
      const returned = r.status === "completed" ? returnTarget(order, r) : 0;
      return sum + discount - Math.floor((discount * returned) / r.points);
    }, 0);
}

/**
 * Points spent on the order come back: all of them on cancellation (a hold is released, a captured
 * spend returned), and on refunds in proportion to the refunded share of the order (floor), into
 * the lots they came from. Returns the redemptions as they now stand.
 */
export function returnSpentPoints(
  order: Order, orderId: string, spent: readonly RedemptionRecord[], holds: readonly Hold[], books: ReadonlyMap<string, MemberBook>, now: Date, actor: string,
): RedemptionRecord[] {
  const changed: RedemptionRecord[] = [];
  const subtotal = order.lines.reduce((s, l) => s + l.amount, 0);
  const refunded = refundedPerLine(order).reduce((s, r) => s + r, 0);
  const canceled = Boolean(order.canceledAt);
  for (const r of spent) {
    const book = books.get(r.memberId)!;
    const base = { at: now, actor, source: { type: "redemption" as const, ref: r.id } };
    if (r.status === "held" && canceled) {
      if (book.hold(r.holdId!)?.status === "held") book.release(r.holdId!, { ...base, reason: "order canceled" });
      changed.push({ ...r, status: "released", updatedAt: now });
      continue;
    }
    if (r.status !== "completed") continue;
    const target = returnTarget(order, r);
    if (target <= r.returned) continue;
    const hold = holds.find((h) => h.id === r.holdId)!;
    book.returnSpent({ ...base, reason: canceled ? "order canceled" : "order refunded", explanation: { orderId, share: canceled ? 1 : `${refunded}/${subtotal}` },
      parts: partsToReturn(hold.allocations, r.returned, target - r.returned) });
    changed.push({ ...r, returned: target, status: target === r.points ? "returned" : "completed", updatedAt: now });
  }
  return changed;
}

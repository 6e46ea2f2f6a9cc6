import { DomainError } from "../errors.ts";
import type { Order } from "./order.ts";

const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Refuses an order whose timestamps lie more than five minutes after the store's time. */
export function checkOrderTimestamps(order: Order, now: Date): void {
  const limit = now.getTime() + FUTURE_TOLERANCE_MS;
  // Every order update passes here (a replay sends hundreds of thousands): list only what is late.
  const late: Array<{ path: string; message: string }> = [];
  const check = (path: string, value: string | null | undefined) => {
    if (value && Date.parse(value) > limit) late.push({ path, message: "must not be in the future" });
  };
  check("placedAt", order.placedAt);
  check("paidAt", order.paidAt);
  check("fulfilledAt", order.fulfilledAt);
  check("deliveredAt", order.deliveredAt);
  check("canceledAt", order.canceledAt);
  order.refunds.forEach((r, i) => check(`refunds.${i}.at`, r.at));
  if (late.length > 0) throw new DomainError("occurred_in_future", `order timestamps more than 5 minutes after the store's time ${now.toISOString()}`, { errors: late });
}

/** An update the sender versioned older than the stored order changes nothing. */
export function isStaleUpdate(stored: Pick<Order, "updatedAt">, sent: Pick<Order, "updatedAt">, created: boolean): boolean {
  return !created && Boolean(sent.updatedAt && stored.updatedAt && Date.parse(sent.updatedAt) < Date.parse(stored.updatedAt));
}

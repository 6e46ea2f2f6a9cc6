import { DomainError } from "../errors.ts";
import type { Order } from "./order.ts";

const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Refuses an order whose timestamps lie more than five minutes after the store's time. */
export function checkOrderTimestamps(order: Order, now: Date): void {
  const limit = now.getTime() + FUTURE_TOLERANCE_MS;
  const stamps: Array<[string, string | null | undefined]> = [
    ["placedAt", order.placedAt], ["paidAt", order.paidAt], ["fulfilledAt", order.fulfilledAt],
    ["deliveredAt", order.deliveredAt], ["canceledAt", order.canceledAt],
    ...order.refunds.map((r, i): [string, string] => [`refunds.${i}.at`, r.at]),
  ];
  const late = stamps.filter(([, v]) => v && Date.parse(v) > limit).map(([path]) => ({ path, message: "must not be in the future" }));
  if (late.length > 0) throw new DomainError("occurred_in_future", `order timestamps more than 5 minutes after the store's time ${now.toISOString()}`, { errors: late });
}

/** An update the sender versioned older than the stored order changes nothing. */
export function isStaleUpdate(stored: Pick<Order, "updatedAt">, sent: Pick<Order, "updatedAt">, created: boolean): boolean {
  return !created && Boolean(sent.updatedAt && stored.updatedAt && Date.parse(sent.updatedAt) < Date.parse(stored.updatedAt));
}

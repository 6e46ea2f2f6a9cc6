import type { z } from "zod";
import type { orderSchema, refundSchema } from "../orders/order.ts";
import type { MemberAttributes } from "../ports/records.ts";

export type Platform = "shopify" | "woocommerce";
export const PLATFORMS: readonly Platform[] = ["shopify", "woocommerce"];

/** An order as a platform payload describes it, in Pointbook's terms, before validation. */
export type OrderInput = z.input<typeof orderSchema>;
export type RefundInput = z.input<typeof refundSchema>;

/** A customer as a platform describes them, with the platform's version of the record. */
export interface PlatformCustomer {
  memberId: string;
  /** The platform's updated-at; an older description than the one applied changes nothing. */
  version: string | null;
  attributes: MemberAttributes;
  /** Only fills what the member lacks (contact details an order happens to carry). */
  fillOnly?: boolean;
}

/** What one order payload says: the whole order (refunds it lists included) and its customer. */
export interface PlatformOrder {
  orderId: string;
  /** The platform's updated-at of the order; a payload older than the one kept changes nothing. */
  version: string | null;
  order: OrderInput;
  customer: PlatformCustomer | null;
}

/**
 * What Pointbook keeps of a platform order between deliveries, so that the order it reconciles
 * depends only on which deliveries arrived, never on their order: the newest snapshot, the
 * refunds announced on their own (a refund can arrive before its order), and a deletion.
 */
export interface PlatformOrderState {
  version: string | null;
  snapshot: OrderInput | null;
  refunds: RefundInput[];
  deletedAt: string | null;
}

export const emptyOrderState = (): PlatformOrderState => ({ version: null, snapshot: null, refunds: [], deletedAt: null });

/** Whether a description versioned `incoming` is older than the one kept (`kept`). */
export function isOlder(incoming: string | null, kept: string | null): boolean {
  return incoming !== null && kept !== null && Date.parse(incoming) < Date.parse(kept);
}

/** Keeps the newer of the kept snapshot and the incoming one (equal versions: the incoming). */
export function withSnapshot(state: PlatformOrderState, incoming: PlatformOrder): PlatformOrderState {
  if (state.snapshot !== null && isOlder(incoming.version, state.version)) return state;
  return { ...state, version: incoming.version, snapshot: incoming.order };
}

/** Adds a refund announced on its own; a refund seen before is kept as first seen. */
export function withRefund(state: PlatformOrderState, refund: RefundInput): PlatformOrderState {
  if (state.refunds.some((r) => r.id === refund.id)) return state;
  return { ...state, refunds: [...state.refunds, refund].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** A deleted order counts as canceled from its first deletion on; a later snapshot does not undo it. */
export function withDeletion(state: PlatformOrderState, at: string): PlatformOrderState {
  return state.deletedAt !== null ? state : { ...state, deletedAt: at };
}

/**
 * The order to reconcile: the newest snapshot, with the refunds it lists and those announced on
 * their own (by id; the refund's own announcement wins, it carries its lines), canceled when
 * deleted. Null while no snapshot has arrived: a refund alone is kept until its order comes.
 */
export function currentOrder(state: PlatformOrderState): OrderInput | null {
  if (state.snapshot === null) return null;
  const byId = new Map<string, RefundInput>();
  for (const r of state.snapshot.refunds ?? []) byId.set(r.id, r);
  for (const r of state.refunds) byId.set(r.id, r);
  const refunds = [...byId.values()];
  const canceledAt = state.snapshot.canceledAt ?? state.deletedAt ?? null;
  return { ...state.snapshot, refunds, canceledAt, ...(state.version !== null ? { updatedAt: state.version } : {}) };
}

import type { Entry, SourceType } from "../ledger/types.ts";
import type { Order } from "../orders/order.ts";
import type { Cart } from "../redemption/quote.ts";
import type { HistoryEvent, HistoryMember, HistoryOrder } from "../simulation/history.ts";

/**
 * A ledger entry an input wrote (due work's maturing and expiry left out), as the simulator reads
 * it: the entry's own fields, its source flattened, and for `import` entries the credited lot's dates.
 */
export type InputEntry = Pick<Entry, "id" | "memberId" | "type" | "points" | "delta" | "balanceAfter" | "at" | "actor" | "reason"> & {
  sourceType: SourceType;
  sourceRef: string | null;
  lot: { earnedAt: Date; availableAt: Date; expiresAt: Date | null } | null;
};

export interface HistoryRedemptionRow {
  id: string;
  memberId: string;
  methodId: string;
  type: string;
  points: number;
  orderId: string | null;
  /** The channel it came through; null when the store recorded it before channels were kept. */
  channel: string | null;
  /** The checkout cart it carried; null without one (or recorded before carts were kept). */
  cart: Cart | null;
}

/** One order update as it arrived: its id is time-ordered, like every id the store makes. */
export interface OrderUpdate {
  id: string;
  orderId: string;
  at: Date;
  /** The order's member as sent. */
  memberId: string | null;
  /** The order as sent, as its JSON text (core/simulation/history.ts HistoryOrderUpdate). */
  body: string;
}

/** An order as the history reads it, without its document. */
export type HistoryOrderRow = Omit<HistoryOrder, "moments" | "updates" | "order">;

/**
 * What a store recorded, read whole for a replay (off the request path), and the one record kept
 * for replays alone: each order update as it arrived.
 */
export interface HistoryRepository {
  /**
   * Makes every later read of the transaction see the store as it stood at the first: called first
   * in a transaction that only reads, so a history read in several statements is one picture of
   * the store while it keeps taking inputs.
   */
  snapshot(): Promise<void>;
  /** Keeps an order update as it arrived, under a new time-ordered id (`ou_…`) the adapter makes. */
  logOrderUpdate(storeId: string, update: { orderId: string; at: Date; order: Order }): Promise<void>;
  orderUpdates(storeId: string): Promise<OrderUpdate[]>;
  members(storeId: string): Promise<HistoryMember[]>;
  events(storeId: string): Promise<Array<Omit<HistoryEvent, "wall">>>;
  /** The store's orders without their documents, which a simulation takes from their updates (orderBodies). */
  orders(storeId: string): Promise<HistoryOrderRow[]>;
  /**
   * These orders' documents as stored. A simulation reads only those of orders without logged
   * updates (recorded before updates were kept): the one write path of orders (services/orders.ts)
   * stores an order's document and logs it as an update in the same transaction, so every other
   * order's document is its last logged update's, already read.
   */
  orderBodies(storeId: string, orderIds: readonly string[]): Promise<Map<string, Order>>;
  redemptions(storeId: string): Promise<HistoryRedemptionRow[]>;
  /**
   * Entries of every type but `mature` and `expire`, in id order, without those of orders whose
   * updates were logged: a replay sends those updates again, and their entries tell it nothing.
   */
  inputEntries(storeId: string): Promise<InputEntry[]>;
}

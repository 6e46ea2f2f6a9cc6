import type { Order } from "../orders/order.ts";
import type { Cart } from "../redemption/quote.ts";
import type { OrderEligibility } from "../orders/eligibility.ts";
import type { OrderOrigin } from "../orders/origin.ts";
import type { ProgramSettings } from "../program/settings.ts";
import type { EventMemberFacts } from "../rules/event.ts";
import type { EarnRule } from "../rules/schema.ts";
import type { Tier } from "../tiers/schema.ts";

/**
 * What a store recorded, as the simulator replays it: everything that came from outside (members,
 * events, orders, redemptions, manual adjustments, imported balances) and the program those inputs
 * met. What the program made of them (awards, expiries, tiers) is left out: the replay makes it
 * again. Times are the store's own (a sandbox store's clock). `wall` is the id of the first ledger
 * entry an input wrote, whose head is the wall-clock instant it was processed: it orders inputs
 * the store processed at the same store instant.
 */
export interface StoreHistory {
  /** `program`: the settings as they were before the first change the audit log recorded. */
  store: { id: string; name: string; currency: string; timezone: string; program: ProgramSettings; createdAt: Date };
  /** Each later change of the program's settings (from the audit log), oldest first. */
  settingsChanges: Array<{ at: Date; wall: string; settings: ProgramSettings }>;
  members: HistoryMember[];
  events: HistoryEvent[];
  orders: HistoryOrder[];
  redemptions: HistoryRedemption[];
  /** Points added or deducted by hand, and balances imported: replayed as they were. */
  credits: HistoryCredit[];
  /** `wall`: the id of the audit record of the change that made the version, when there is one. */
  ruleVersions: Array<{ ruleId: string; version: number; rule: EarnRule | null; effectiveFrom: Date; wall: string | null }>;
  tiers: Tier[];
  /** The methods the store has, and those it deleted (`deletedAt`), which redemptions made before may name. */
  redeemMethods: Array<{ id: string; type: string; config: Record<string, unknown>; createdAt: Date; deletedAt: Date | null }>;
}

export interface HistoryMember {
  memberId: string;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  tags: string[];
  isMember: boolean;
  language: string | null;
  manualTier: string | null;
  createdAt: Date;
}

export interface HistoryEvent {
  id: string;
  type: string;
  memberId: string;
  occurredAt: Date;
  channel: string;
  properties: Record<string, unknown>;
  recordedAt: Date;
  /** The member as the event's rules saw them (member or not, tags); null for events recorded before this was kept. */
  member: EventMemberFacts | null;
  wall: string | null;
}

export interface HistoryOrder {
  id: string;
  order: Order;
  eligibility: OrderEligibility | null;
  origin: OrderOrigin | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * For an order recorded before updates were kept, the store instants at which an update of it
   * moved points, each with its first entry's id; empty for an order with its updates.
   */
  moments: Array<{ at: Date; wall: string }>;
  /** Each update as it arrived, oldest first (empty for orders recorded before updates were kept). */
  updates: HistoryOrderUpdate[];
}

/**
 * An order update as it arrived: the order as sent is kept as its JSON text, and made an object
 * only where the update is replayed (`updateOrder`). A year's updates are hundreds of megabytes of
 * documents, read once and handed to the replay workers: as text they cross to a worker as one
 * copy of their characters, not object by object, and are parsed there, on every core at once.
 */
export interface HistoryOrderUpdate {
  at: Date;
  wall: string;
  /** The order's member as sent (what splitting a store into parts reads). */
  memberId: string | null;
  /** The order as sent, as JSON. */
  body: string;
}

/** The order an update sent. */
export function updateOrder(update: Pick<HistoryOrderUpdate, "body">): Order {
  return JSON.parse(update.body) as Order;
}

/**
 * An order whose updates were logged: its document is its last update's, made from that text
 * when first read, not when the history is read. A store's history holds hundreds of thousands of
 * them, and splitting it for the replay workers reads only the updates' members (each worker
 * makes the orders it replays from the updates' text, and keeps each order's last: `adopt`). The
 * document is a getter of the class, not an own property: spreading such an order (`{ ...o }`)
 * leaves it behind.
 */
export class LoggedOrder implements HistoryOrder {
  readonly moments: HistoryOrder["moments"] = [];
  #order: Order | undefined;
  readonly id: string;
  readonly eligibility: OrderEligibility | null;
  readonly origin: OrderOrigin | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  constructor(row: Omit<HistoryOrder, "order" | "moments" | "updates">, readonly updates: HistoryOrderUpdate[]) {
    if (updates.length === 0) throw new Error(`order ${row.id}: an order without logged updates holds its document`);
    this.id = row.id;
    this.eligibility = row.eligibility;
    this.origin = row.origin;
    this.createdAt = row.createdAt;
    this.updatedAt = row.updatedAt;
  }

  get order(): Order {
    return (this.#order ??= updateOrder(this.updates.at(-1)!));
  }

  /**
   * Keeps the document a replay made of one of this order's updates, when it is the last: the
   * order's own, which the replay's revenue then reads without parsing that text again.
   */
  adopt(update: HistoryOrderUpdate, order: Order): void {
    if (update === this.updates.at(-1)) this.#order ??= order;
  }
}

/** A redemption and the moments it moved points: spent (or held), then captured or released. */
export interface HistoryRedemption {
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
  /** The member's spendable balance just before spending. */
  balanceBefore: number;
  spentAt: Date;
  wall: string;
  finish: { action: "capture" | "release"; at: Date; wall: string } | null;
}

export interface HistoryCredit {
  kind: "adjust" | "import";
  memberId: string;
  /** Signed: a deduction is negative. */
  points: number;
  reason: string | null;
  actor: string;
  at: Date;
  wall: string;
  /** The lot an import credited, for its dates; adjustments take the program's validity. */
  lot: { earnedAt: Date; availableAt: Date; expiresAt: Date | null } | null;
}

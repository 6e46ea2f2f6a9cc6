import type { OrderUpdate } from "../core/orders/reconcile.ts";
import type { Order } from "../core/orders/order.ts";
import { orderLots, orderMembers, orderTerms, ruleStateScope } from "../core/orders/terms.ts";
import type { OrderRecord, Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { ORDER_EVENT } from "../core/rules/schema.ts";
import type { Tier } from "../core/tiers/schema.ts";
import { tierMultipliers } from "./tiers.ts";
import { settledBooks } from "./member-book.ts";
import { versionsFor, type ProgramSnapshot } from "./program-snapshot.ts";

export type LoadedOrder = Omit<OrderUpdate, "actor"> & { tiers: Tier[] };

/**
 * Loads what reconciling an order update needs, taking the locks in the write path's order: the
 * members' rows in sorted order (the order's row is locked already), then the store-wide once keys
 * of its rules. Null when the order touches no member, so there is nothing to reconcile.
 */
export async function loadOrderUpdate(
  repos: Repositories, program: ProgramSnapshot, store: StoreRecord, orderId: string, stored: OrderRecord, order: Order, now: Date,
): Promise<LoadedOrder | null> {
  const { awards, redemptions, holds: spentHolds } = await repos.orders.awardsAndSpends(store.id, orderId);
  const spent = redemptions.filter((r) => r.type === "cashback" && r.holdId !== null);
  const memberIds = orderMembers(order, awards, spent);
  if (memberIds.length === 0) return null;

  const loaded = await repos.members.createAndLockBooks(store.id, memberIds, now, orderLots(awards, spentHolds));
  const books = settledBooks(loaded, store, now);
  const member = order.memberId ? loaded.get(order.memberId)?.member : undefined;

  const versions = versionsFor(program, [ORDER_EVENT]);
  const terms = orderTerms(stored, order, member, { program: store.program, versions });
  const scope = ruleStateScope(orderId, order, terms.rules, store.timezone);
  await repos.ruleState.lockKeys(store.id, scope.storeKeys);
  const state = await repos.ruleState.load(store.id, memberIds, scope.ruleIds, scope.periods, scope.onceKeys);
  const tiers = [...program.tiers];
  return {
    orderId, order, stored, member, snapshot: { timezone: store.timezone, program: store.program, versions, tierMultipliers: tierMultipliers(tiers) },
    awards, books, state, spent, spentHolds, now, tiers, terms,
  };
}

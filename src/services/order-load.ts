import { recordAfter, type OrderUpdate } from "../core/orders/reconcile.ts";
import type { Order } from "../core/orders/order.ts";
import { movesNoPoints, orderLots, orderMembers, orderRulesInForce, orderTerms, ruleStateScope } from "../core/orders/terms.ts";
import type { OrderRecord, Repositories } from "../core/ports/repositories.ts";
import type { MemberRecord, StoreRecord } from "../core/ports/records.ts";
import { ORDER_EVENT } from "../core/rules/schema.ts";
import type { Tier } from "../core/tiers/schema.ts";
import { tierMultipliers } from "./tiers.ts";
import { settledBooks } from "./member-book.ts";
import { versionsFor, type ProgramSnapshot } from "./program-snapshot.ts";

export type LoadedOrder = Omit<OrderUpdate, "actor"> & { tiers: Tier[] };

/**
 * What an order update needs: nothing when it touches no member; only the order as it will be
 * stored when it can move no points (core/orders/terms.ts `movesNoPoints`: no ledger is opened,
 * no member locked); else everything reconciling reads.
 */
export type OrderUpdateLoad =
  | { kind: "no-member" }
  | { kind: "moves-nothing"; record: OrderRecord; tiers: Tier[] }
  | ({ kind: "reconcile" } & LoadedOrder);

/**
 * Loads what reconciling an order update needs, taking the locks in the write path's order: the
 * members' rows in sorted order (the order's row is locked already), then the store-wide once keys
 * of its rules.
 */
export async function loadOrderUpdate(
  repos: Repositories, program: ProgramSnapshot, store: StoreRecord, orderId: string, stored: OrderRecord, order: Order, now: Date,
): Promise<OrderUpdateLoad> {
  const { awards, redemptions, holds: spentHolds } = await repos.orders.awardsAndSpends(store.id, orderId);
  const spent = redemptions.filter((r) => r.type === "cashback" && r.holdId !== null);
  const memberIds = orderMembers(order, awards, spent);
  if (memberIds.length === 0) return { kind: "no-member" };

  const versions = versionsFor(program, [ORDER_EVENT]);
  const inForce = orderRulesInForce(order, versions);
  const tiers = [...program.tiers];
  if (movesNoPoints(order, awards, spent, inForce)) {
    // Its member is made when first seen, as for any update; their ledger stays as it is.
    const member = await memberAsNow(repos, store.id, memberIds[0]!, now);
    const terms = orderTerms(stored, order, member, { program: store.program, versions }, inForce);
    return { kind: "moves-nothing", record: recordAfter(stored, order, now, terms), tiers };
  }

  const loaded = await repos.members.createAndLockBooks(store.id, memberIds, now, orderLots(awards, spentHolds));
  const books = settledBooks(loaded, store, now);
  const member = order.memberId ? loaded.get(order.memberId)?.member : undefined;

  const terms = orderTerms(stored, order, member, { program: store.program, versions }, inForce);
  const scope = ruleStateScope(orderId, order, terms.rules, store.timezone);
  await repos.ruleState.lockKeys(store.id, scope.storeKeys);
  const state = await repos.ruleState.load(store.id, memberIds, scope.ruleIds, scope.periods, scope.onceKeys);
  return {
    kind: "reconcile", orderId, order, stored, member, snapshot: { timezone: store.timezone, program: store.program, versions, tierMultipliers: tierMultipliers(tiers) },
    awards, books, state, spent, spentHolds, now, tiers, terms,
  };
}

/** A member as an order's terms read them, made first if the store has not seen them yet. */
async function memberAsNow(repos: Repositories, storeId: string, memberId: string, now: Date): Promise<MemberRecord> {
  const found = await repos.members.get(storeId, memberId);
  if (found) return found;
  await repos.members.ensure(storeId, memberId, now);
  const made = await repos.members.get(storeId, memberId);
  if (!made) throw new Error(`member ${memberId} was not made`);
  return made;
}

import { notFound } from "../core/errors.ts";
import type { Order } from "../core/orders/order.ts";
import type { OrderEligibility } from "../core/orders/eligibility.ts";
import type { OrderOrigin } from "../core/orders/origin.ts";
import { reconcileOrder } from "../core/orders/reconcile.ts";
import { checkOrderTimestamps, isStaleUpdate } from "../core/orders/timestamps.ts";
import { orderView, type OrderView } from "../core/orders/view.ts";
import type { OrderRecord, Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { saveBooks } from "./member-book.ts";
import { loadOrderUpdate } from "./order-load.ts";
import { programSnapshot } from "./program-snapshot.ts";
import { requalify } from "./tiers.ts";
import { outgoing } from "../core/outgoing/events.ts";

export type { OrderView } from "../core/orders/view.ts";

/**
 * Upserts the whole order and reconciles its points to its current state, in the caller's
 * transaction: load under the order's and its members' locks, reconcile (in core), save.
 * `origin` (imports) is kept by an order recorded now; an order already known keeps its own.
 * Announces `order.points_updated` when the update moved points, and returns the order's view.
 */
export async function upsertOrder(repos: Repositories, services: Services, storeId: string, orderId: string, order: Order, actor: Actor, origin?: OrderOrigin): Promise<OrderView> {
  const { store, record, now, moved } = await reconcileOrderUpdate(repos, services, storeId, orderId, order, actor, { origin });
  const view = await readOrderView(repos, store, record, now);
  if (moved()) {
    await repos.outbox.add(storeId, [{ ...outgoing("order.points_updated", order.memberId, { orderId, ...view.points }), occurredAt: now }]);
  }
  return view;
}

/** What an order update did: the order as stored after it, and whether it moved points. */
export interface OrderUpdateDone {
  store: StoreRecord;
  record: OrderRecord;
  now: Date;
  /** Whether it moved points: an award, a reversal, or spent points given back (asked only by those who announce it). */
  moved(): boolean;
}

/** What an order recorded now starts with besides its body: where it came from, and (replays) who its member was when the store first saw it. */
export interface FirstRecord {
  origin?: OrderOrigin | undefined;
  eligibility?: OrderEligibility | undefined;
}

/**
 * The order update's work, without its view or announcement: what `upsertOrder` does first, and
 * all a replay needs (it reads the ledger, not views, and announces nothing). An order recorded
 * now takes `first`; an order already known keeps its own.
 */
export async function reconcileOrderUpdate(
  repos: Repositories, services: Services, storeId: string, orderId: string, order: Order, actor: Actor, first: FirstRecord = {},
): Promise<OrderUpdateDone> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  checkOrderTimestamps(order, now);
  const locked = await repos.orders.lock(storeId, orderId, { memberId: order.memberId, order, at: now });
  const { created } = locked;
  const record: OrderRecord = created
    ? { ...locked.record, origin: first.origin ?? locked.record.origin, eligibility: first.eligibility ?? locked.record.eligibility }
    : locked.record;
  if (isStaleUpdate(record.order, order, created)) return { store, record, now, moved: () => false };
  // Kept as it arrived, for the simulator to send again in the same order (SPEC §8).
  await repos.history.logOrderUpdate(storeId, { orderId, at: now, order });

  // A member first seen on a guest checkout is created as a guest, not a registered member.
  if (order.memberId && order.guest && (await repos.members.ensure(storeId, order.memberId, now))) {
    await repos.members.upsert(storeId, order.memberId, { isMember: false }, now);
  }
  const loaded = await loadOrderUpdate(repos, await programSnapshot(services, repos, store), store, orderId, record, order, now);
  if (loaded.kind === "no-member") {
    const next: OrderRecord = { ...record, memberId: order.memberId, order, updatedAt: now };
    await repos.orders.save(storeId, next);
    return { store, record: next, now, moved: () => false };
  }
  if (loaded.kind === "moves-nothing") {
    await repos.orders.save(storeId, loaded.record);
    if (order.memberId) await requalify(repos, store, [order.memberId], now, undefined, loaded.tiers);
    return { store, record: loaded.record, now, moved: () => false };
  }

  const changes = reconcileOrder({ ...loaded, actor: actor.id });
  await repos.orders.save(storeId, changes.record);
  await saveBooks(repos, storeId, [...loaded.books.values()], now);
  for (const r of changes.redemptions) await repos.redemptions.updateRedemption(storeId, r);
  await repos.ruleState.save(storeId, loaded.state, orderId);
  await repos.orders.saveAwards(storeId, changes.awards, now);
  // Money spent counts for tiers too, so every order update of a member may move their tier.
  if (order.memberId) await requalify(repos, store, [order.memberId], now, undefined, loaded.tiers);
  const moved = () => {
    const returned = new Set(changes.redemptions.map((r) => r.id));
    return [...loaded.books.values()].some((b) => b.changes().entries.some((e) =>
      (e.source.type === "order" && e.source.ref === orderId) || (e.source.type === "redemption" && e.source.ref !== null && returned.has(e.source.ref))));
  };
  return { store, record: changes.record, now, moved };
}

/** The view is read back from what was stored, the same way for every caller. */
async function readOrderView(repos: Repositories, store: StoreRecord, record: OrderRecord, now: Date): Promise<OrderView> {
  const awards = await repos.orders.awards(store.id, record.id);
  return orderView(record, awards, await repos.redemptions.pointsForOrder(store.id, record.id), now);
}

export async function getOrder(services: Services, storeId: string, orderId: string): Promise<OrderView> {
  return services.tx.run(async (repos) => {
    const store = await requireStore(repos, storeId);
    const record = await repos.orders.get(storeId, orderId);
    if (!record) throw notFound("order");
    return readOrderView(repos, store, record, storeNow(store, services.clock));
  });
}

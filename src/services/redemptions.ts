import { newId } from "../core/ids.ts";
import { DomainError, invalid, notFound } from "../core/errors.ts";
import type { CouponRecord, EntitlementRecord, Page, RedemptionRecord, StoreRecord } from "../core/ports/records.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { addLocalDays, addLocalMonths, addMinutes } from "../core/time/zone.ts";
import { cashbackDiscount, redeemMethodSchema, type CashbackMethod, type CatalogMethod, type CouponMethod, type ProductMethod, type RedeemMethod } from "../core/redemption/methods.ts";
import { orderCashbackAllowance, type Cart } from "../core/redemption/quote.ts";
import { cartForOrder, cashbackUsedOnOrder } from "./order-cashback.ts";
import { newCouponCode } from "../core/redemption/coupon-code.ts";
import { couponView } from "./coupons.ts";
import { upsertOrder } from "./orders.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { withMemberBook } from "./member-book.ts";
import type { MemberBook } from "../core/ledger/book.ts";
import { redemptionMessage } from "../core/outgoing/redemption.ts";

export interface RedeemInput {
  memberId: string;
  methodId: string;
  points?: number;
  orderId?: string;
  channel?: string;
  /** The checkout cart: cashback then obeys the same caps as the quote. */
  cart?: Cart;
}

export interface RedemptionView {
  id: string;
  memberId: string;
  methodId: string;
  type: string;
  status: RedemptionRecord["status"];
  points: number;
  discount?: number;
  orderId?: string;
  code?: string;
  /** Points given back after completion (order refunded or canceled). */
  returned?: number;
  entitlement?: EntitlementView;
  createdAt: Date;
  updatedAt: Date;
}

export interface EntitlementView {
  id: string;
  sku: string;
  units: number;
  unitsRemaining: number;
  expiresAt: Date | null;
  createdAt: Date;
}

export const entitlementView = (e: EntitlementRecord): EntitlementView => ({
  id: e.id, sku: e.sku, units: e.units, unitsRemaining: e.unitsRemaining, expiresAt: e.expiresAt, createdAt: e.createdAt,
});

function redemptionView(r: RedemptionRecord, entitlement?: EntitlementRecord | null): RedemptionView {
  return {
    id: r.id, memberId: r.memberId, methodId: r.methodId, type: r.type, status: r.status, points: r.points,
    ...(r.discount !== null ? { discount: r.discount } : {}),
    ...(r.orderId !== null ? { orderId: r.orderId } : {}),
    ...(r.code !== null ? { code: r.code } : {}),
    ...(r.returned > 0 ? { returned: r.returned } : {}),
    ...(entitlement ? { entitlement: entitlementView(entitlement) } : {}),
    createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

function insufficient(available: number, wanted: number): DomainError {
  return new DomainError("insufficient_points", `the member has ${available} spendable points; ${wanted} are needed`, { available });
}

/** The channel of a redemption that names none: a checkout online. */
const DEFAULT_CHANNEL = "online";

/**
 * A method's settings as the schema reads them, parsed once per stored document: an adapter that
 * hands out the stored document itself (the memory adapter's, frozen) is read once per method,
 * not at every redemption (a replay makes thousands).
 */
function methodOf(config: Record<string, unknown>): RedeemMethod {
  const known = parsedMethods.get(config);
  if (known) return known;
  const method = redeemMethodSchema.parse(config);
  parsedMethods.set(config, method);
  return method;
}

const parsedMethods = new WeakMap<Record<string, unknown>, RedeemMethod>();

/** Spends points on a redeem method: catalogue items complete at once, cashback is held until capture. */
export async function redeem(repos: Repositories, services: Services, storeId: string, input: RedeemInput, actor: Actor): Promise<RedemptionView> {
  const store = await requireStore(repos, storeId);
  if (!store.program.enabled) throw new DomainError("program_disabled", "the points program is disabled");
  const record = await repos.redemptions.getMethod(storeId, input.methodId);
  if (!record) throw invalid("methodId", "no such redeem method");
  const method = methodOf(record.config);
  if (!method.enabled) throw invalid("methodId", "this redeem method is disabled");
  const channel = input.channel ?? DEFAULT_CHANNEL;
  if (!method.channels.includes(channel)) throw invalid("channel", `this redeem method is not offered on channel ${channel}`);
  if (!(await repos.members.get(storeId, input.memberId))) throw notFound("member");
  const now = storeNow(store, services.clock);
  switch (method.type) {
    case "catalog":
      return redeemCatalog(repos, store, method, record.id, input, actor, now);
    case "cashback":
      return holdCashback(repos, store, method, record.id, input, actor, now);
    case "coupon":
    case "product":
      return redeemCoupon(repos, store, method, record.id, input, actor, now);
  }
}

/** What a redemption was judged on, kept so a replay judges it the same way (simulator.md). */
function judgedOn(input: RedeemInput): Pick<RedemptionRecord, "channel" | "cart"> {
  return { channel: input.channel ?? DEFAULT_CHANNEL, cart: input.cart ?? null };
}

/** Points for a code: the coupon (or free product) is issued at once with an unguessable code. */
async function redeemCoupon(repos: Repositories, store: StoreRecord, method: CouponMethod | ProductMethod, methodId: string, input: RedeemInput, actor: Actor, now: Date) {
  if (input.points !== undefined && input.points !== method.points) throw invalid("points", `this reward costs exactly ${method.points} points`);
  const redemptionId = newId("red");
  const code = newCouponCode();
  await withMemberBook(repos, store, input.memberId, now, (book) => {
    const result = book.debit({
      type: "redeem", points: method.points, at: now, actor: actor.id, source: { type: "redemption", ref: redemptionId },
      reason: method.name, explanation: { methodId, type: method.type },
    });
    if (!result.ok) throw insufficient(result.available, method.points);
  }, { create: false });
  const coupon: CouponRecord = {
    code, memberId: input.memberId, methodId, redemptionId, kind: method.type,
    discount: method.type === "coupon" ? method.discount : { type: "product", sku: method.product.sku },
    conditions: method.conditions, usableBy: method.usableBy,
    products: method.type === "coupon" ? (method.products ?? null) : [method.product.sku],
    stackable: method.stackable,
    expiresAt: method.validDays === null ? null : addLocalDays(now, method.validDays, store.timezone),
    usedAt: null, usedOrderId: null, usedBy: null, createdAt: now,
  };
  const redemption: RedemptionRecord = {
    id: redemptionId, memberId: input.memberId, methodId, type: method.type, status: "completed", points: method.points,
    discount: null, orderId: input.orderId ?? null, holdId: null, entitlementId: null, code, returned: 0, ...judgedOn(input), createdAt: now, updatedAt: now,
  };
  await repos.redemptions.insertRedemption(store.id, redemption);
  await repos.redemptions.insertCoupon(store.id, coupon);
  await repos.outbox.add(store.id, [{ ...redemptionMessage("redemption.completed", redemption), occurredAt: now }]);
  return { ...redemptionView(redemption), coupon: couponView(coupon) };
}

/** Calendar months or days from the redemption, in the store's zone; never when neither is set. */
function entitlementExpiry(grant: CatalogMethod["grant"], now: Date, timezone: string): Date | null {
  if (grant.validMonths !== undefined) return addLocalMonths(now, grant.validMonths, timezone);
  return grant.validDays === null ? null : addLocalDays(now, grant.validDays, timezone);
}

async function redeemCatalog(repos: Repositories, store: StoreRecord, method: CatalogMethod, methodId: string, input: RedeemInput, actor: Actor, now: Date) {
  if (input.points !== undefined && input.points !== method.points) {
    throw invalid("points", `this catalogue item costs exactly ${method.points} points`);
  }
  const redemptionId = newId("red");
  await withMemberBook(repos, store, input.memberId, now, (book) => {
    const result = book.debit({
      type: "redeem", points: method.points, at: now, actor: actor.id, source: { type: "redemption", ref: redemptionId },
      reason: method.name, explanation: { methodId, sku: method.grant.sku, units: method.grant.units },
    });
    if (!result.ok) throw insufficient(result.available, method.points);
  }, { create: false });
  const entitlement: EntitlementRecord = {
    id: newId("etl"), memberId: input.memberId, redemptionId, sku: method.grant.sku, units: method.grant.units,
    unitsRemaining: method.grant.units,
    expiresAt: entitlementExpiry(method.grant, now, store.timezone),
    createdAt: now,
  };
  const redemption: RedemptionRecord = {
    id: redemptionId, memberId: input.memberId, methodId, type: "catalog", status: "completed", points: method.points,
    discount: null, orderId: input.orderId ?? null, holdId: null, entitlementId: entitlement.id, code: null, returned: 0, ...judgedOn(input),
    createdAt: now, updatedAt: now,
  };
  await repos.redemptions.insertRedemption(store.id, redemption);
  await repos.redemptions.insertEntitlement(store.id, entitlement);
  await repos.outbox.add(store.id, [{ ...redemptionMessage("redemption.completed", redemption), occurredAt: now }]);
  return redemptionView(redemption, entitlement);
}

async function holdCashback(repos: Repositories, store: StoreRecord, method: CashbackMethod, methodId: string, input: RedeemInput, actor: Actor, now: Date) {
  const points = input.points;
  if (points === undefined) throw invalid("points", "cashback needs the number of points to spend");
  if (points % method.points !== 0) throw invalid("points", `spend cashback points in steps of ${method.points}`);
  if (input.orderId === undefined) throw invalid("orderId", "cashback is spent on an order: name its orderId");
  const orderId = input.orderId;
  const cart = await cartForOrder(repos, store.id, orderId, input.cart);
  if (!cart) throw invalid("cart", "send the cart, or record the order first (PUT /v1/orders/{orderId}), so the order's limits can be checked");
  const redemptionId = newId("red");
  const hold = await withMemberBook(repos, store, input.memberId, now, async (book: MemberBook) => {
    if (method.minBalance !== undefined && book.balance.balance < method.minBalance) {
      throw new DomainError("insufficient_points", `cashback needs a balance of at least ${method.minBalance} points`, { available: book.balance.balance });
    }
    // Holds on one order wait for each other, so two at once can never pass a limit together.
    await repos.ruleState.lockKeys(store.id, [`cashback-order:${orderId}`]);
    const allowance = orderCashbackAllowance(method, cart, await cashbackUsedOnOrder(repos, store.id, orderId, methodId, { id: input.memberId, book }, true));
    if (points > allowance.maxPoints) {
      throw new DomainError("exceeds_order_limit", `at most ${allowance.maxPoints} more points can be used on order ${orderId}${allowance.reason ? `: ${allowance.reason.message}` : ""}`, {
        maxPoints: allowance.maxPoints,
        ...(allowance.reason ? { reason: allowance.reason.code } : {}),
      });
    }
    const result = book.placeHold({
      points, expiresAt: addMinutes(now, store.program.holdTtlMinutes), at: now, actor: actor.id,
      source: { type: "redemption", ref: redemptionId }, reason: method.name, explanation: { methodId, orderId: input.orderId ?? null },
    });
    if (!result.ok) throw insufficient(result.available, points);
    return result.hold;
  }, { create: false });
  const redemption: RedemptionRecord = {
    id: redemptionId, memberId: input.memberId, methodId, type: "cashback", status: "held", points,
    discount: cashbackDiscount(method, points), orderId: input.orderId ?? null, holdId: hold.id, entitlementId: null,
    code: null, returned: 0, ...judgedOn(input), createdAt: now, updatedAt: now,
  };
  await repos.redemptions.insertRedemption(store.id, redemption);
  await repos.outbox.add(store.id, [{ ...redemptionMessage("redemption.held", redemption), occurredAt: now }]);
  return redemptionView(redemption);
}

/** Capture (order paid) or release (order canceled) a held cashback redemption. */
export async function finishRedemption(
  repos: Repositories,
  services: Services,
  storeId: string,
  redemptionId: string,
  action: "capture" | "release",
  actor: Actor,
): Promise<RedemptionView> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  const existing = await repos.redemptions.getRedemption(storeId, redemptionId, false);
  if (!existing) throw notFound("redemption");
  // The order first, then the member: the same lock order as order updates, so the two never deadlock.
  const order = existing.orderId ? await repos.orders.get(storeId, existing.orderId, true) : null;
  if (action === "capture" && order?.order.canceledAt) {
    throw new DomainError("invalid_state", `order ${order.id} was canceled; release the redemption instead of capturing it`);
  }
  const updated = await withMemberBook(repos, store, existing.memberId, now, async (book) => {
    // Re-read under the member lock: the hold may have timed out or been finished meanwhile.
    const r = (await repos.redemptions.getRedemption(storeId, redemptionId, true))!;
    const hold = r.holdId ? book.hold(r.holdId) : undefined;
    if (!hold || hold.status !== "held") {
      const state = r.status === "held" ? "released (the hold timed out)" : r.status;
      throw new DomainError("invalid_state", `redemption is ${state}; it can no longer be ${action === "capture" ? "captured" : "released"}`);
    }
    const base = { at: now, actor: actor.id, source: { type: "redemption" as const, ref: r.id }, reason: action === "capture" ? "order paid" : "order canceled" };
    if (action === "capture") book.capture(hold.id, base);
    else book.release(hold.id, base);
    return { ...r, status: action === "capture" ? ("completed" as const) : ("released" as const), updatedAt: now };
  }, { create: false });
  await repos.redemptions.updateRedemption(storeId, updated);
  if (action === "capture") {
    await repos.outbox.add(storeId, [{ ...redemptionMessage("redemption.completed", updated), occurredAt: now }]);
    // Captured after the order was partly refunded: the refunded share comes back at once.
    if (order && order.order.refunds.length > 0) {
      await upsertOrder(repos, services, storeId, order.id, order.order, actor);
      return redemptionView((await repos.redemptions.getRedemption(storeId, redemptionId, false))!);
    }
  }
  return redemptionView(updated);
}

export async function getRedemption(services: Services, storeId: string, id: string): Promise<RedemptionView> {
  return services.tx.run(async (repos) => {
    const r = await repos.redemptions.getRedemption(storeId, id, false);
    if (!r) throw notFound("redemption");
    const e = r.entitlementId ? await repos.redemptions.getEntitlement(storeId, r.entitlementId, false) : null;
    return redemptionView(r, e);
  });
}

export async function listEntitlements(services: Services, storeId: string, memberId: string, page: { limit: number; cursor: string | null }): Promise<Page<EntitlementView>> {
  return services.tx.run(async (repos) => {
    if (!(await repos.members.get(storeId, memberId))) throw notFound("member");
    const result = await repos.redemptions.listEntitlements(storeId, memberId, page.limit, page.cursor);
    return { data: result.data.map(entitlementView), nextCursor: result.nextCursor };
  });
}

/** Uses units of an entitlement; expired or exhausted entitlements refuse. */
export async function consumeEntitlement(repos: Repositories, services: Services, storeId: string, id: string, units: number, actor: Actor): Promise<EntitlementView> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  const e = await repos.redemptions.getEntitlement(storeId, id, true);
  if (!e) throw notFound("entitlement");
  if (e.expiresAt && e.expiresAt.getTime() <= now.getTime()) throw new DomainError("expired", "this entitlement has expired");
  if (units > e.unitsRemaining) {
    throw new DomainError("insufficient_units", `only ${e.unitsRemaining} units remain`, { errors: [{ path: "units", message: `only ${e.unitsRemaining} units remain` }] });
  }
  await repos.redemptions.consumeEntitlement(storeId, id, units, actor.id, now);
  return entitlementView({ ...e, unitsRemaining: e.unitsRemaining - units });
}

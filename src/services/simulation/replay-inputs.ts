import { DomainError } from "../../core/errors.ts";
import { computeExpiresAt } from "../../core/expiry/validity.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import type { Cart } from "../../core/redemption/quote.ts";
import type { HistoryCredit, HistoryEvent, HistoryOrder, HistoryRedemption, StoreHistory } from "../../core/simulation/history.ts";
import type { Step } from "../../core/simulation/timeline.ts";
import { adjustMember } from "../adjustments.ts";
import type { Actor, Services } from "../context.ts";
import { settledBook, withMemberBook } from "../member-book.ts";
import { reconcileOrderUpdate } from "../orders.ts";
import { recordEvents } from "../record-events.ts";
import { redeem } from "../redemptions.ts";
import type { ReplayOptions, ReplayResult } from "./replay-options.ts";

/** Who the replay acts as: recorded on the scratch ledger's entries, never on the store's. */
export const SYSTEM: Actor = { id: "simulator", role: "system" };

/** Each kind of recorded input, sent again through the service that took it in the store. */

/**
 * An event, evaluated with its member as the store's rules saw them then (member or not, tags),
 * where the store kept that: their attributes now may differ. Tiers are the replay's own.
 */
export async function replayEvent(repos: Repositories, services: Services, storeId: string, e: HistoryEvent, result: ReplayResult) {
  if (e.member) {
    const member = await repos.members.get(storeId, e.memberId);
    const sameTags = member !== null && member.tags.length === e.member.tags.length && member.tags.every((t, i) => t === e.member!.tags[i]);
    if (!member || member.isMember !== e.member.isMember || !sameTags) {
      await repos.members.upsert(storeId, e.memberId, { isMember: e.member.isMember, tags: e.member.tags }, services.clock.now());
    }
  }
  const [outcome] = await recordEvents(repos, services, storeId, [{
    event: { id: e.id, type: e.type, memberId: e.memberId, occurredAt: e.occurredAt, channel: e.channel, properties: e.properties },
    fingerprint: "replay",
  }], SYSTEM);
  if (outcome?.kind === "refused") result.skipped.events++;
}

/**
 * An order update. Its first one records who the member was when the store first saw the order
 * (rule audiences and tier multipliers read that) as the store recorded it: tiers set by hand
 * included, which the replay cannot know. A candidate without the recorded tier takes the tier the
 * member holds in the replay.
 */
export async function replayOrder(repos: Repositories, services: Services, storeId: string, step: Extract<Step, { kind: "order" }>, options: ReplayOptions) {
  const { order, snapshot } = step;
  let eligibility = order.createdAt.getTime() === step.at.getTime() ? order.eligibility : null;
  const tiers = options.candidate?.tiers;
  if (eligibility && tiers && eligibility.tier !== null && !tiers.some((t) => t.code === eligibility!.tier)) {
    const state = (await repos.tiers.tierState(storeId, [eligibility.memberId])).get(eligibility.memberId);
    eligibility = { ...eligibility, tier: state?.tier ?? null };
  }
  await reconcileOrderUpdate(repos, services, storeId, order.id, snapshot, SYSTEM, { origin: order.origin ?? undefined, eligibility: eligibility ?? undefined });
}

/**
 * A recorded redemption, spent again. Cashback (any amount, in the method's steps) is scaled to the
 * member's balance in the replay: the same share of it as they spent in the store, times the
 * spending scale, within the order's limits; a fixed-price reward is redeemed again when the
 * member can afford it. For the store's own program the balance is the same, so the spending is.
 */
export async function replayRedemption(repos: Repositories, services: Services, storeId: string, r: HistoryRedemption, options: ReplayOptions, ids: Map<string, string>, result: ReplayResult, orders: ReadonlyMap<string, HistoryOrder>) {
  const store = (await repos.stores.get(storeId))!;
  const method = await repos.redemptions.getMethod(storeId, r.methodId);
  if (!method) {
    result.skipped.redemptions++;
    return;
  }
  let points: number | undefined = r.type === "cashback" ? r.points : undefined;
  if (r.type === "cashback") {
    const step = Math.max(1, Number(method.config.points) || 1);
    const loaded = await repos.members.readBook(storeId, r.memberId);
    const balance = loaded ? settledBook(loaded, store, services.clock.now()).balance.balance : 0;
    if (balance !== r.balanceBefore || options.spendingScale !== 1) {
      const share = r.balanceBefore > 0 ? r.points / r.balanceBefore : 0;
      points = Math.floor((Math.max(0, balance) * share * options.spendingScale) / step) * step;
    }
    if (points === undefined || points <= 0) {
      result.skipped.redemptions++;
      return;
    }
  }
  const cart = r.orderId ? await orderCart(repos, storeId, r.orderId, r.cart, options.candidate ? orders.get(r.orderId) : undefined, method.config) : undefined;
  // The channel it came through; for one recorded before channels were kept, online where the method is offered online, else its first channel.
  const channels = Array.isArray(method.config.channels) ? (method.config.channels as string[]) : ["online"];
  const channel = r.channel ?? (channels.includes("online") ? "online" : (channels[0] ?? "online"));
  const input = { memberId: r.memberId, methodId: r.methodId, channel, ...(points !== undefined ? { points } : {}), ...(r.orderId ? { orderId: r.orderId } : {}), ...(cart ? { cart } : {}) };
  try {
    const view = await repos.savepoint(() => redeem(repos, services, storeId, input, SYSTEM));
    ids.set(r.id, view.id);
  } catch (error) {
    // An order's limit is lower for this program: spend what it allows.
    const max = error instanceof DomainError && error.code === "exceeds_order_limit" ? Number(error.details.maxPoints) : 0;
    const step = Math.max(1, Number(method.config.points) || 1);
    const allowed = Math.floor(max / step) * step;
    if (r.type !== "cashback" || allowed <= 0) throw error;
    const view = await redeem(repos, services, storeId, { ...input, points: allowed }, SYSTEM);
    ids.set(r.id, view.id);
  }
}

/**
 * The cart a checkout redemption is judged on: the order as recorded in the replay when it is (the
 * store judged on it too), else the cart the checkout sent, which the store keeps. A redemption
 * recorded before carts were kept was judged on a cart the store did not keep but accepted: the
 * store's own program gets a cart that sets no limit of its own; a candidate, the order as the
 * store has it now.
 */
async function orderCart(
  repos: Repositories, storeId: string, orderId: string, sent: Cart | null, recorded: HistoryOrder | undefined, method: Record<string, unknown>,
): Promise<Cart> {
  const inReplay = (await repos.orders.get(storeId, orderId))?.order;
  if (!inReplay && sent) return sent;
  const order = inReplay ?? recorded?.order;
  const sku = Array.isArray(method.eligibleProducts) && typeof method.eligibleProducts[0] === "string" ? method.eligibleProducts[0] : "checkout";
  if (!order) return { lines: [{ sku, quantity: 1, amount: Number.MAX_SAFE_INTEGER }], discounts: 0, credits: 0, shipping: 0 };
  const { lines, discounts, credits, shipping } = order;
  return { lines, discounts, credits, shipping };
}

/** A manual adjustment or an imported balance, as it was; a deduction takes what the member has. */
export async function replayCredit(repos: Repositories, services: Services, storeId: string, c: HistoryCredit, result: ReplayResult) {
  const actor: Actor = { id: c.actor, role: "system" };
  const now = services.clock.now();
  if (c.kind === "adjust") {
    try {
      await repos.savepoint(() => adjustMember(repos, services, storeId, c.memberId, { points: c.points, reason: c.reason ?? "" }, actor));
    } catch (error) {
      const available = error instanceof DomainError && error.code === "insufficient_points" ? Number(error.details.available) : 0;
      if (c.points >= 0 || available <= 0) throw error;
      await adjustMember(repos, services, storeId, c.memberId, { points: -available, reason: c.reason ?? "" }, actor);
      result.skipped.deductions++;
    }
    return;
  }
  const store = (await repos.stores.get(storeId))!;
  const lot = c.lot ?? { earnedAt: now, availableAt: now, expiresAt: computeExpiresAt(store.program.validity, { earnedAt: now, availableAt: now }, store.timezone) };
  await withMemberBook(repos, store, c.memberId, now, (book) => {
    book.credit({ type: "import", points: c.points, ...lot, at: now, actor: c.actor, reason: c.reason, source: { type: "import", ref: null } });
  });
}

/** A version of a rule as the store made it: the rule's first creates it. */
export async function addRuleVersion(repos: Repositories, storeId: string, v: StoreHistory["ruleVersions"][number]): Promise<void> {
  const existing = await repos.rules.get(storeId, v.ruleId, false);
  if (!existing) {
    if (!v.rule) return;
    await repos.rules.create(storeId, { id: v.ruleId, version: v.version, rule: v.rule, createdAt: v.effectiveFrom, updatedAt: v.effectiveFrom }, v.effectiveFrom, SYSTEM.id);
    return;
  }
  const previous = (await repos.rules.versionsFor(storeId)).filter((x) => x.ruleId === v.ruleId && x.rule !== null).at(-1);
  await repos.rules.addVersion(storeId, v.ruleId, v.version, v.rule, v.rule?.event ?? previous?.rule?.event ?? existing.rule.event, v.effectiveFrom, SYSTEM.id, v.effectiveFrom);
}

import { DateTime } from "luxon";
import { DomainError } from "../../core/errors.ts";
import type { MonthFlow } from "../../core/ports/reports.ts";
import type { Repositories, Transactor } from "../../core/ports/repositories.ts";
import type { StoreRecord } from "../../core/ports/records.ts";
import type { ProgramDocument } from "../../core/program/document.ts";
import type { HistoryCredit, HistoryOrder, HistoryRedemption, StoreHistory } from "../../core/simulation/history.ts";
import type { Cart } from "../../core/redemption/quote.ts";
import { firstInputAt, timeline, type Step } from "../../core/simulation/timeline.ts";
import { computeExpiresAt } from "../../core/expiry/validity.ts";
import { adjustMember } from "../adjustments.ts";
import { runDueWork } from "../due-work.ts";
import type { Actor, Services } from "../context.ts";
import { settledBook, withMemberBook } from "../member-book.ts";
import { upsertOrder } from "../orders.ts";
import { importProgram } from "../program-document.ts";
import { recordEvents } from "../record-events.ts";
import { finishRedemption, redeem } from "../redemptions.ts";

/** What the replay runs: the store's program as it was, or from `from` on, another document. */
export interface ReplayProgram {
  candidate: ProgramDocument | null;
  from: Date;
}

export interface ReplayOptions extends ReplayProgram {
  /** The last instant replayed. */
  to: Date;
  /** How much of their recorded spending members repeat (1: as recorded), as a share of their balance. */
  spendingScale: number;
  /** A fresh in-memory database (the caller chooses the adapter; the store's own is never written). */
  tx: Transactor;
}

/** How the replay went: the ledger's monthly flows, tiers held at each month's end, inputs it could not repeat. */
export interface ReplayResult {
  flows: MonthFlow[];
  tiers: Map<string, Record<string, number>>;
  skipped: { redemptions: number; deductions: number; events: number; orders: number };
}

const SYSTEM: Actor = { id: "simulator", role: "system" };

/** A clock the replay moves: every service reads the store's time from it. */
class ReplayClock {
  current: Date;
  constructor(at: Date) {
    this.current = at;
  }
  now(): Date {
    return this.current;
  }
}

/**
 * Replays a store's history on a scratch database, through the same services the store's inputs
 * went through (events, order updates, redemptions, adjustments), with the clock moved to each
 * input's instant and due work (maturing, hold time-outs, expiry, the daily tier check) run at
 * each store-local day and month boundary on the way. The scratch store is an ordinary (not
 * sandbox) store whose time is the replay clock.
 */
export async function replayHistory(history: StoreHistory, options: ReplayOptions): Promise<ReplayResult> {
  const steps = timeline(history).filter((s) => s.at.getTime() <= options.to.getTime());
  const start = steps[0]?.at ?? options.from;
  const clock = new ReplayClock(new Date(Math.min(start.getTime(), options.from.getTime(), history.store.createdAt.getTime())));
  const services: Services = { tx: options.tx, clock };
  const zone = history.store.timezone;
  const storeId = history.store.id;
  await services.tx.run((repos) => seed(repos, history, clock.now()));

  const result: ReplayResult = { flows: [], tiers: new Map(), skipped: { redemptions: 0, deductions: 0, events: 0, orders: 0 } };
  const redemptionIds = new Map<string, string>();
  const orders = new Map(history.orders.map((o) => [o.id, o]));
  let candidatePending = options.candidate !== null;
  let day = DateTime.fromJSDate(clock.now(), { zone }).startOf("day");

  /** Moves the clock to `to`, running due work at every day boundary passed (and taking tier counts at month ends). */
  const advance = async (to: Date) => {
    for (let next = day.plus({ days: 1 }); next.toMillis() <= to.getTime(); next = next.plus({ days: 1 })) {
      clock.current = next.toJSDate();
      await services.tx.run(async (repos) => {
        const store = (await repos.stores.get(storeId))!;
        await runDueWork(repos, store, clock.current);
        if (next.day === 1) result.tiers.set(next.minus({ days: 1 }).toFormat("yyyy-MM"), await tierCounts(repos, storeId));
      });
      day = next;
    }
    if (to.getTime() > clock.current.getTime()) clock.current = to;
  };

  for (const step of steps) {
    if (candidatePending && step.at.getTime() >= options.from.getTime()) {
      await advance(options.from);
      await services.tx.run((repos) => importProgram(repos, services, storeId, options.candidate, { dryRun: false }, SYSTEM));
      candidatePending = false;
    }
    await advance(step.at);
    await apply(services, storeId, step, options, redemptionIds, result, orders);
  }
  if (candidatePending) {
    await advance(options.from);
    await services.tx.run((repos) => importProgram(repos, services, storeId, options.candidate, { dryRun: false }, SYSTEM));
  }
  await advance(options.to);
  await services.tx.run(async (repos) => {
    const store = (await repos.stores.get(storeId))!;
    await runDueWork(repos, store, options.to);
    result.flows = await repos.reports.monthlyFlows(storeId, zone);
    result.tiers.set(DateTime.fromJSDate(options.to, { zone }).toFormat("yyyy-MM"), await tierCounts(repos, storeId));
  });
  return result;
}

/** The scratch store: the store's settings, redeem methods, tiers, every version of its rules, and its members. */
async function seed(repos: Repositories, history: StoreHistory, at: Date): Promise<void> {
  const s = history.store;
  const store: StoreRecord = { id: s.id, name: s.name, currency: s.currency, timezone: s.timezone, sandbox: false, clockNow: null, program: s.program, createdAt: s.createdAt };
  await repos.stores.insert(store);
  for (const m of history.redeemMethods) await repos.redemptions.insertMethod(s.id, { ...m, updatedAt: m.createdAt });
  for (const t of history.tiers) await repos.tiers.upsert(s.id, t, at);
  const first = firstInputAt(timeline(history));
  for (const v of history.ruleVersions) if (v.effectiveFrom.getTime() < first) await addRuleVersion(repos, s.id, v);
  for (const m of history.members) {
    await repos.members.upsert(s.id, m.memberId, {
      email: m.email, phone: m.phone, birthday: m.birthday, tags: m.tags, isMember: m.isMember, language: m.language,
    }, m.createdAt);
    if (m.manualTier) await repos.tiers.setTier(s.id, m.memberId, m.manualTier, m.manualTier, m.createdAt);
  }
}

async function tierCounts(repos: Repositories, storeId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cursor: string | null = null;
  do {
    const page = await repos.reports.searchMembers(storeId, "", 1_000, cursor);
    for (const m of page.data) if (m.tier) counts[m.tier] = (counts[m.tier] ?? 0) + 1;
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

/** One input, in its own transaction as it was in the store; a refusal skips it and is counted. */
async function apply(services: Services, storeId: string, step: Step, options: ReplayOptions, redemptionIds: Map<string, string>, result: ReplayResult, orders: ReadonlyMap<string, HistoryOrder>): Promise<void> {
  try {
    await services.tx.run(async (repos) => {
      switch (step.kind) {
        case "event": {
          const e = step.event;
          const [outcome] = await recordEvents(repos, services, storeId, [{
            event: { id: e.id, type: e.type, memberId: e.memberId, occurredAt: e.occurredAt, channel: e.channel, properties: e.properties },
            fingerprint: "replay",
          }], SYSTEM);
          if (outcome?.kind === "refused") result.skipped.events++;
          return;
        }
        case "order":
          await replayOrder(repos, services, storeId, step, options);
          return;
        case "redeem":
          await replayRedemption(repos, services, storeId, step.redemption, options, redemptionIds, result, orders);
          return;
        case "finish": {
          const id = redemptionIds.get(step.redemption.id);
          if (!id || !step.redemption.finish) return;
          await finishRedemption(repos, services, storeId, id, step.redemption.finish.action, SYSTEM);
          return;
        }
        case "credit":
          await replayCredit(repos, services, storeId, step.credit, result);
          return;
        case "settings":
          if (!options.candidate || step.at.getTime() < options.from.getTime()) {
            const store = (await repos.stores.get(storeId))!;
            await repos.stores.update({ ...store, program: step.settings });
          }
          return;
        case "rule":
          // For a candidate, the store's own later edits give way to the candidate once it is in force.
          if (!options.candidate || step.at.getTime() < options.from.getTime()) await addRuleVersion(repos, storeId, step.version);
          return;
      }
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (process.env.POINTBOOK_REPLAY_DEBUG) console.error(`replay: ${step.kind} at ${step.at.toISOString()} refused: ${error.code} ${error.message}`);
    if (step.kind === "order") result.skipped.orders++;
    else if (step.kind === "event") result.skipped.events++;
    else if (step.kind === "credit") result.skipped.deductions++;
    // A capture or release of a hold that timed out in the replay is not a redemption skipped.
    else if (step.kind === "redeem") result.skipped.redemptions++;
  }
}

/**
 * An order update. Its first one records who the member was when the store first saw the order
 * (rule audiences and tier multipliers read that) as the store recorded it: tiers set by hand
 * included, which the replay cannot know. A candidate without the recorded tier takes the tier the
 * member holds in the replay.
 */
async function replayOrder(repos: Repositories, services: Services, storeId: string, step: Extract<Step, { kind: "order" }>, options: ReplayOptions) {
  const { order, snapshot } = step;
  const now = services.clock.now();
  if (order.createdAt.getTime() === step.at.getTime() && (order.eligibility || order.origin)) {
    const { record, created } = await repos.orders.lock(storeId, order.id, { memberId: snapshot.memberId, order: snapshot, at: now });
    if (created) {
      let eligibility = order.eligibility;
      const tiers = options.candidate?.tiers;
      if (eligibility && tiers && eligibility.tier !== null && !tiers.some((t) => t.code === eligibility!.tier)) {
        const state = (await repos.tiers.tierState(storeId, [eligibility.memberId])).get(eligibility.memberId);
        eligibility = { ...eligibility, tier: state?.tier ?? null };
      }
      await repos.orders.save(storeId, { ...record, eligibility, origin: order.origin });
    }
  }
  await upsertOrder(repos, services, storeId, order.id, snapshot, SYSTEM, order.origin ?? undefined);
}

/**
 * A recorded redemption, spent again. Cashback (any amount, in the method's steps) is scaled to the
 * member's balance in the replay: the same share of it as they spent in the store, times the
 * spending scale, within the order's limits; a fixed-price reward is redeemed again when the
 * member can afford it. For the store's own program the balance is the same, so the spending is.
 */
async function replayRedemption(repos: Repositories, services: Services, storeId: string, r: HistoryRedemption, options: ReplayOptions, ids: Map<string, string>, result: ReplayResult, orders: ReadonlyMap<string, HistoryOrder>) {
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
  const cart = r.orderId ? await orderCart(repos, storeId, r.orderId, options.candidate ? orders.get(r.orderId) : undefined, method.config) : undefined;
  // The channel a redemption came through is not kept: online where the method is offered online, else its first channel.
  const channels = Array.isArray(method.config.channels) ? (method.config.channels as string[]) : ["online"];
  const channel = channels.includes("online") ? "online" : (channels[0] ?? "online");
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
 * The cart a checkout redemption was judged on. The store keeps the order, not the cart its
 * checkout sent: the order as recorded in the replay when it is (the store judged on it too).
 * Before that, the store judged on a cart it did not keep but accepted: the store's own program
 * gets a cart that sets no limit of its own; a candidate, the order as the store has it now.
 */
async function orderCart(repos: Repositories, storeId: string, orderId: string, recorded: HistoryOrder | undefined, method: Record<string, unknown>): Promise<Cart> {
  const order = (await repos.orders.get(storeId, orderId))?.order ?? recorded?.order;
  const sku = Array.isArray(method.eligibleProducts) && typeof method.eligibleProducts[0] === "string" ? method.eligibleProducts[0] : "checkout";
  if (!order) return { lines: [{ sku, quantity: 1, amount: Number.MAX_SAFE_INTEGER }], discounts: 0, credits: 0, shipping: 0 };
  const { lines, discounts, credits, shipping } = order;
  return { lines, discounts, credits, shipping };
}

/** A manual adjustment or an imported balance, as it was; a deduction takes what the member has. */
async function replayCredit(repos: Repositories, services: Services, storeId: string, c: HistoryCredit, result: ReplayResult) {
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
async function addRuleVersion(repos: Repositories, storeId: string, v: StoreHistory["ruleVersions"][number]): Promise<void> {
  const existing = await repos.rules.get(storeId, v.ruleId, false);
  if (!existing) {
    if (!v.rule) return;
    await repos.rules.create(storeId, { id: v.ruleId, version: v.version, rule: v.rule, createdAt: v.effectiveFrom, updatedAt: v.effectiveFrom }, v.effectiveFrom, SYSTEM.id);
    return;
  }
  const previous = (await repos.rules.versionsFor(storeId)).filter((x) => x.ruleId === v.ruleId && x.rule !== null).at(-1);
  await repos.rules.addVersion(storeId, v.ruleId, v.version, v.rule, v.rule?.event ?? previous?.rule?.event ?? existing.rule.event, v.effectiveFrom, SYSTEM.id, v.effectiveFrom);
}

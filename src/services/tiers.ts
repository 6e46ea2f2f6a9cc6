import { DateTime } from "luxon";
import { DomainError, notFound } from "../core/errors.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { sameJson } from "../core/program/document.ts";
import { effectiveTier, type Qualification, type Tier } from "../core/tiers/schema.ts";
import { recordChange } from "./audit.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { outgoing } from "../core/outgoing/events.ts";

/** Earn multipliers by tier code. */
export function tierMultipliers(tiers: readonly Tier[]): Map<string, number> {
  return new Map(tiers.map((t) => [t.code, t.multiplier]));
}

export async function listTiers(services: Services, storeId: string): Promise<Tier[]> {
  return services.tx.run((repos) => repos.tiers.list(storeId));
}

export async function getTier(services: Services, storeId: string, code: string): Promise<Tier> {
  return services.tx.run(async (repos) => {
    const tier = await repos.tiers.get(storeId, code);
    if (!tier) throw notFound("tier");
    return tier;
  });
}

/** Creates or replaces a tier definition (audited). */
export async function saveTier(repos: Repositories, services: Services, storeId: string, tier: Tier, actor: Actor, mustExist: boolean): Promise<Tier> {
  const store = await requireStore(repos, storeId);
  const before = await repos.tiers.get(storeId, tier.code);
  if (mustExist && !before) throw notFound("tier");
  if (!mustExist && before) throw new DomainError("conflict", `tier ${tier.code} already exists`, { errors: [{ path: "code", message: "already exists" }] });
  const now = storeNow(store, services.clock);
  await repos.tiers.upsert(storeId, tier, now);
  await repos.tiers.setLastCheck(storeId, null);
  await recordChange(repos, storeId, actor, { action: before ? "tier.updated" : "tier.created", entityType: "tier", entityId: tier.code, before, after: tier }, now);
  return tier;
}

export async function deleteTier(repos: Repositories, services: Services, storeId: string, code: string, actor: Actor): Promise<void> {
  const store = await requireStore(repos, storeId);
  const before = await repos.tiers.get(storeId, code);
  if (!before) throw notFound("tier");
  const now = storeNow(store, services.clock);
  await repos.tiers.remove(storeId, code);
  await repos.tiers.setLastCheck(storeId, null);
  await recordChange(repos, storeId, actor, { action: "tier.deleted", entityType: "tier", entityId: code, before, after: null }, now);
}

/** Sets members' manual tier (a floor; null removes it) and recomputes their effective tier. */
export async function assignTier(repos: Repositories, services: Services, storeId: string, memberIds: readonly string[], code: string | null, actor: Actor): Promise<{ count: number }> {
  const store = await requireStore(repos, storeId);
  if (code !== null && !(await repos.tiers.get(storeId, code))) throw notFound("tier");
  const now = storeNow(store, services.clock);
  const ids = [...new Set(memberIds)];
  await repos.members.ensureMany(storeId, ids, now);
  await requalify(repos, store, ids, now, { manualTier: code, actor });
  return { count: ids.length };
}

/**
 * Qualification windows roll on: once per store-local day (and at once after tier definitions
 * change) every member holding a tier is re-checked, so members drop when their window no longer
 * qualifies them; after a definition change, every member is. Returned as a step the caller calls
 * until done, one chunk of at most `limit` members per call (see `DueStep` in due-work.ts).
 */
export function tierRecheck(store: StoreRecord, now: Date, limit: number) {
  let plan: RecheckPlan | null | undefined;
  let after: string | null = null;
  let finishing = false;
  return async (repos: Repositories): Promise<{ done: boolean; size: number; apply(): void }> => {
    const p = plan === undefined ? await recheckPlan(repos, store, now) : plan;
    if (p === null) return { done: true, size: 0, apply: () => void (plan = null) };
    if (finishing) {
      await finishRecheck(repos, store, p, now);
      return { done: true, size: 0, apply: () => undefined };
    }
    const ids = await repos.tiers.membersToCheck(store.id, p.last === null, after, limit);
    if (ids.length === 0) await finishRecheck(repos, store, p, now);
    else {
      // Under the members' row locks, requalify re-reads their tiers: a second run of the same
      // check (another process, a lease that ran out) waits here, then finds nothing to change.
      await repos.members.lockBooks(store.id, ids);
      await requalify(repos, store, ids, now, undefined, p.tiers);
    }
    return {
      // The last chunk's member locks are released before the store row is locked to finish.
      done: ids.length === 0,
      size: ids.length,
      apply: () => {
        plan = p;
        after = ids.at(-1) ?? after;
        finishing = ids.length > 0 && ids.length < limit;
      },
    };
  };
}

interface RecheckPlan {
  tiers: Tier[];
  /** The last check as it stood when this one began (null: everyone is to be checked). */
  last: Date | null;
}

async function recheckPlan(repos: Repositories, store: StoreRecord, now: Date): Promise<RecheckPlan | null> {
  const tiers = await repos.tiers.list(store.id);
  if (!tiers.some((t) => t.qualification !== null)) return null;
  const last = await repos.tiers.lastCheck(store.id);
  const day = (d: Date) => DateTime.fromJSDate(d, { zone: store.timezone }).toISODate();
  if (last !== null && day(last) === day(now) && last.getTime() <= now.getTime()) return null;
  return { tiers, last };
}

/**
 * Records the check as done, unless definitions changed while its chunks ran (each in its own
 * transaction): then the mark stays as the change left it and the next run checks everyone again.
 */
async function finishRecheck(repos: Repositories, store: StoreRecord, plan: RecheckPlan, now: Date): Promise<void> {
  await repos.stores.lock(store.id);
  const last = await repos.tiers.lastCheck(store.id);
  if ((last?.getTime() ?? null) !== (plan.last?.getTime() ?? null)) return;
  if (!sameJson(await repos.tiers.list(store.id), plan.tiers)) return;
  await repos.tiers.setLastCheck(store.id, now);
}

function windowStart(q: Qualification, now: Date, zone: string): Date {
  const local = DateTime.fromJSDate(now, { zone });
  if (q.window.type === "calendar_year") return local.startOf("year").toJSDate();
  return (q.window.months !== undefined ? local.minus({ months: q.window.months }) : local.minus({ days: q.window.days ?? 0 })).toJSDate();
}

/**
 * Recomputes members' effective tiers from the store's qualification rules and their manual floor,
 * writes changes and queues `member.tier_changed` in the same transaction.
 */
export async function requalify(
  repos: Repositories,
  store: StoreRecord,
  memberIds: readonly string[],
  now: Date,
  manual?: { manualTier: string | null; actor: Actor },
  /** The store's tier definitions, when the caller has them already. */
  known?: readonly Tier[],
): Promise<void> {
  const tiers = known ?? (await repos.tiers.list(store.id));
  if (tiers.length === 0 && manual === undefined) return;
  const current = await repos.tiers.tierState(store.id, memberIds);
  for (const memberId of memberIds) {
    const state = current.get(memberId);
    if (!state) continue;
    const manualTier = manual ? manual.manualTier : state.manualTier;
    const earned = new Map<string, boolean>();
    for (const t of tiers) {
      if (!t.qualification) continue;
      const from = windowStart(t.qualification, now, store.timezone);
      const value = t.qualification.metric === "amount_spent"
        ? await repos.tiers.amountSpent(store.id, memberId, from, now)
        : await repos.tiers.pointsEarned(store.id, memberId, from, now);
      earned.set(t.code, value >= t.qualification.threshold);
    }
    const tier = effectiveTier(tiers, manualTier, (t) => earned.get(t.code) ?? false);
    if (tier === state.tier && manualTier === state.manualTier) continue;
    await repos.tiers.setTier(store.id, memberId, tier, manual ? manualTier : undefined, now);
    if (tier !== state.tier) {
      await repos.outbox.add(store.id, [{ ...outgoing("member.tier_changed", memberId, { from: state.tier, to: tier, by: manual ? manual.actor.id : "qualification" }), occurredAt: now }]);
    }
  }
}

import { newId } from "../core/ids.ts";
import { notFound } from "../core/errors.ts";
import type { EarnRuleRecord, Repositories } from "../core/ports/repositories.ts";
import type { Page } from "../core/ports/records.ts";
import { earnRuleSchema, type EarnRule } from "../core/rules/schema.ts";
import { recordChange } from "./audit.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";

/** Rules apply to events from before they were created too (backfill); edits only to later ones. */
const BEGINNING = new Date(0);

export function ruleView(r: EarnRuleRecord) {
  return { id: r.id, version: r.version, ...r.rule, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

export async function createRule(repos: Repositories, services: Services, storeId: string, rule: EarnRule, actor: Actor) {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  const record: EarnRuleRecord = { id: newId("rule"), version: 1, rule, createdAt: now, updatedAt: now };
  await repos.rules.create(storeId, record, BEGINNING, actor.id);
  await recordChange(repos, storeId, actor, { action: "earn_rule.created", entityType: "earn_rule", entityId: record.id, before: null, after: rule }, now);
  return ruleView(record);
}

export async function getRule(services: Services, storeId: string, id: string) {
  return services.tx.run(async (repos) => {
    const r = await repos.rules.get(storeId, id, false);
    if (!r) throw notFound("earn rule");
    return ruleView(r);
  });
}

export async function listRules(services: Services, storeId: string, page: { limit: number; cursor: string | null }): Promise<Page<ReturnType<typeof ruleView>>> {
  return services.tx.run(async (repos) => {
    const result = await repos.rules.list(storeId, page.limit, page.cursor);
    return { data: result.data.map(ruleView), nextCursor: result.nextCursor };
  });
}

/**
 * A PATCH merges into the current definition (top-level fields replace), is validated whole, and
 * becomes a new version in force from now: events that occurred earlier keep the old version.
 */
export async function updateRule(repos: Repositories, services: Services, storeId: string, id: string, patch: Record<string, unknown>, actor: Actor, options: { replace?: boolean } = {}) {
  const store = await requireStore(repos, storeId);
  const current = await repos.rules.get(storeId, id, true);
  if (!current) throw notFound("earn rule");
  const { id: _id, version: _version, createdAt: _c, updatedAt: _u, ...changes } = patch;
  const next = earnRuleSchema.parse(options.replace ? changes : { ...current.rule, ...changes });
  const now = storeNow(store, services.clock);
  const version = current.version + 1;
  await repos.rules.addVersion(storeId, id, version, next, next.event, now, actor.id, now);
  await recordChange(repos, storeId, actor, { action: "earn_rule.updated", entityType: "earn_rule", entityId: id, before: { version: current.version, ...current.rule }, after: { version, ...next } }, now);
  return ruleView({ ...current, version, rule: next, updatedAt: now });
}

/** Deleting stops the rule for events from now on; points it already awarded stay. */
export async function deleteRule(repos: Repositories, services: Services, storeId: string, id: string, actor: Actor): Promise<void> {
  const store = await requireStore(repos, storeId);
  const current = await repos.rules.get(storeId, id, true);
  if (!current) throw notFound("earn rule");
  const now = storeNow(store, services.clock);
  await repos.rules.addVersion(storeId, id, current.version + 1, null, current.rule.event, now, actor.id, now);
  await recordChange(repos, storeId, actor, { action: "earn_rule.deleted", entityType: "earn_rule", entityId: id, before: { version: current.version, ...current.rule }, after: null }, now);
}

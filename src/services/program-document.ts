import { notFound } from "../core/errors.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { programDocumentSchema, sameJson, type ItemDiff, type ProgramDiff, type ProgramDocument } from "../core/program/document.ts";
import type { ProgramSettings } from "../core/program/settings.ts";
import { redeemMethodSchema } from "../core/redemption/methods.ts";
import { recordChange } from "./audit.ts";
import { storeNow, type Actor, type Services } from "./context.ts";
import { createRule, deleteRule, updateRule } from "./earn-rules.ts";
import { createMethod } from "./redeem-methods.ts";
import { saveTier, deleteTier } from "./tiers.ts";

export { programDocumentSchema };

async function allPages<T>(fetch: (cursor: string | null) => Promise<{ data: T[]; nextCursor: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await fetch(cursor);
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

async function currentDocument(repos: Repositories, storeId: string, lock = false) {
  const store = lock ? await repos.stores.lock(storeId) : await repos.stores.get(storeId);
  if (!store) throw notFound("store");
  const rules = await allPages((c) => repos.rules.list(storeId, 500, c));
  const methods = await allPages((c) => repos.redemptions.listMethods(storeId, 500, c));
  return {
    store,
    document: {
      settings: store.program,
      tiers: await repos.tiers.list(storeId),
      earnRules: rules.map((r) => ({ id: r.id, ...r.rule })),
      redeemMethods: methods.map((m) => ({ id: m.id, ...redeemMethodSchema.parse(m.config) })),
    } satisfies Omit<ProgramDocument, "$schema" | "name" | "description">,
  };
}

export async function exportProgram(services: Services, storeId: string) {
  return services.tx.run(async (repos) => (await currentDocument(repos, storeId)).document);
}

function diffItems<T, C>(wanted: T[], current: C[], keyOf: (item: T, current: C[]) => C | undefined, same: (a: T, b: C) => boolean, label: (x: T | C) => string): ItemDiff & { matches: Array<[T, C | undefined]>; gone: C[] } {
  const matches: Array<[T, C | undefined]> = wanted.map((w) => [w, keyOf(w, current)]);
  const matched = new Set<C>(matches.flatMap(([, c]) => (c === undefined ? [] : [c])));
  const gone = current.filter((c) => !matched.has(c));
  return {
    matches,
    gone,
    added: matches.filter(([, c]) => c === undefined).map(([w]) => label(w)),
    changed: matches.filter(([w, c]) => c !== undefined && !same(w, c)).map(([w]) => label(w)),
    removed: gone.map(label),
    unchanged: matches.filter(([w, c]) => c !== undefined && same(w, c)).length,
  };
}

const strip = <T extends { id?: string }>(x: T) => {
  const { id: _id, ...rest } = x;
  return rest;
};

/**
 * Replaces the store's program with the document, in the caller's transaction: all of it applies
 * or none. With `dryRun` only the diff is computed. Items are matched by id, else by name.
 */
export async function importProgram(repos: Repositories, services: Services, storeId: string, raw: unknown, options: { dryRun: boolean }, actor: Actor): Promise<{ dryRun: boolean; diff: ProgramDiff }> {
  const doc = programDocumentSchema.parse(raw);
  // The store row is written back whole: locked, so a clock advance committing meanwhile is not undone.
  const { store, document: before } = await currentDocument(repos, storeId, !options.dryRun);
  const byIdOrName = <X extends { id?: string; name: string }, Y extends { id: string; name: string }>(w: X, current: Y[]) =>
    current.find((c) => c.id === w.id) ?? (w.id === undefined ? current.find((c) => c.name === w.name) : undefined);

  const settingsChanged = (Object.keys(doc.settings) as Array<keyof ProgramSettings>).filter((k) => !sameJson(doc.settings[k], before.settings[k]));
  const tiers = diffItems(doc.tiers, before.tiers, (w, cur) => cur.find((c) => c.code === w.code), (a, b) => sameJson(a, b), (x) => x.code);
  const rules = diffItems(doc.earnRules, before.earnRules, byIdOrName, (a, b) => sameJson(strip(a), strip(b)), (x) => x.name);
  const methods = diffItems(doc.redeemMethods, before.redeemMethods, byIdOrName, (a, b) => sameJson(strip(a), strip(b)), (x) => x.name);
  const diff: ProgramDiff = {
    settings: settingsChanged,
    tiers: { added: tiers.added, changed: tiers.changed, removed: tiers.removed, unchanged: tiers.unchanged },
    earnRules: { added: rules.added, changed: rules.changed, removed: rules.removed, unchanged: rules.unchanged },
    redeemMethods: { added: methods.added, changed: methods.changed, removed: methods.removed, unchanged: methods.unchanged },
  };
  if (options.dryRun) return { dryRun: true, diff };

  const now = storeNow(store, services.clock);
  if (settingsChanged.length > 0) {
    await repos.stores.update({ ...store, program: doc.settings });
    await recordChange(repos, storeId, actor, { action: "program.updated", entityType: "program", entityId: storeId, before: before.settings, after: doc.settings }, now);
  }
  for (const [w, c] of tiers.matches) if (!c || !sameJson(w, c)) await saveTier(repos, services, storeId, w, actor, c !== undefined);
  for (const c of tiers.gone) await deleteTier(repos, services, storeId, c.code, actor);
  for (const [w, c] of rules.matches) {
    if (!c) await createRule(repos, services, storeId, strip(w), actor);
    else if (!sameJson(strip(w), strip(c))) await updateRule(repos, services, storeId, c.id, strip(w), actor, { replace: true });
  }
  for (const c of rules.gone) await deleteRule(repos, services, storeId, c.id, actor);
  for (const [w, c] of methods.matches) {
    if (!c) await createMethod(repos, services, storeId, redeemMethodSchema.parse(strip(w)), actor);
    else if (!sameJson(strip(w), strip(c))) await replaceMethod(repos, storeId, c.id, strip(w), actor, now);
  }
  for (const c of methods.gone) await removeMethod(repos, storeId, c.id, actor, now);
  await recordChange(repos, storeId, actor, { action: "program.imported", entityType: "program", entityId: storeId, before: null, after: diff }, now);
  return { dryRun: false, diff };
}

async function replaceMethod(repos: Repositories, storeId: string, id: string, config: Record<string, unknown>, actor: Actor, now: Date) {
  const m = (await repos.redemptions.getMethod(storeId, id))!;
  await repos.redemptions.updateMethod(storeId, { ...m, config, updatedAt: now });
  await recordChange(repos, storeId, actor, { action: "redeem_method.updated", entityType: "redeem_method", entityId: id, before: m.config, after: config }, now);
}

async function removeMethod(repos: Repositories, storeId: string, id: string, actor: Actor, now: Date) {
  const m = (await repos.redemptions.getMethod(storeId, id))!;
  await repos.redemptions.deleteMethod(storeId, id, now);
  await recordChange(repos, storeId, actor, { action: "redeem_method.deleted", entityType: "redeem_method", entityId: id, before: m.config, after: null }, now);
}

import type { Repositories, RuleVersionRow } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import type { Tier } from "../core/tiers/schema.ts";
import type { Services } from "./context.ts";

/** A store's earn rules (every version) and tiers, as of one program version. */
export interface ProgramSnapshot {
  version: number | undefined;
  versions: readonly RuleVersionRow[];
  tiers: readonly Tier[];
}

/** How many stores' programs one server keeps; the least recently used is dropped first. */
const MAX_STORES = 1_000;

/**
 * Programs in memory, per database (one cache per transactor, so two databases in one process
 * never share entries). A command reads the store row anyway; when its `programVersion` is the
 * cached one, the rules and tiers are not read again. A change raises the version in the same
 * transaction as the change, so a command that sees the old version started before the change
 * committed, and one that starts after sees the new version and reloads. Loading reads the
 * version first and the program after, so an entry is never older than its version.
 */
const caches = new WeakMap<object, Map<string, ProgramSnapshot>>();

export async function programSnapshot(services: Services, repos: Repositories, store: StoreRecord): Promise<ProgramSnapshot> {
  const version = store.programVersion;
  if (version === undefined) return load(repos, store, version);
  let cache = caches.get(services.tx);
  if (!cache) caches.set(services.tx, (cache = new Map()));
  const cached = cache.get(store.id);
  if (cached && cached.version === version) {
    cache.delete(store.id);
    cache.set(store.id, cached); // most recently used last
    return cached;
  }
  const fresh = await load(repos, store, version);
  // Another command may have cached a newer version meanwhile; never replace it with an older one.
  if (!cached || (cached.version ?? -1) < version) {
    cache.delete(store.id);
    cache.set(store.id, fresh);
    if (cache.size > MAX_STORES) cache.delete(cache.keys().next().value!);
  }
  return fresh;
}

/** The rule versions of rules that ever listened to one of these event types. */
export function versionsFor(snapshot: ProgramSnapshot, eventTypes: readonly string[]): RuleVersionRow[] {
  const types = new Set(eventTypes);
  const rules = new Set(snapshot.versions.filter((v) => v.rule !== null && types.has(v.rule.event)).map((v) => v.ruleId));
  return snapshot.versions.filter((v) => rules.has(v.ruleId));
}

async function load(repos: Repositories, store: StoreRecord, version: number | undefined): Promise<ProgramSnapshot> {
  const [versions, tiers] = [await repos.rules.versionsFor(store.id), await repos.tiers.list(store.id)];
  return { version, versions, tiers };
}

import type { Repositories } from "../../core/ports/repositories.ts";

/**
 * The scratch database's repositories without the records only the store's own life needs:
 * outgoing events and their messages, the audit log, the log of order updates, idempotency keys
 * (every replayed input is new). Nothing in a replay reads them, and writing them was a fifth of
 * its time. Made once per batch of inputs (batched.ts).
 */
export function quietRepositories(repos: Repositories): Repositories {
  const quiet: Partial<Repositories> = {
    outbox: { ...repos.outbox, add: async () => undefined, discards: true },
    audit: { ...repos.audit, insert: async () => undefined },
    history: { ...repos.history, logOrderUpdate: async () => undefined },
    idempotency: {
      ...repos.idempotency,
      claimMany: async (_storeId, _scope, items) => new Map(items.map((i) => [i.key, "claimed" as const])),
      completeMany: async () => undefined,
      releaseMany: async () => undefined,
    },
  };
  // The other repositories as the adapter's own properties, not their values: one that makes a
  // repository on first use (the memory adapter) then makes only those a batch uses, not twenty.
  const descriptors = Object.getOwnPropertyDescriptors(repos) as PropertyDescriptorMap;
  for (const [name, repo] of Object.entries(quiet)) descriptors[name] = { value: repo, enumerable: true, writable: true, configurable: true };
  return Object.defineProperties({}, descriptors) as Repositories;
}

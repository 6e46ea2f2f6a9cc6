import type { Repositories } from "../../core/ports/repositories.ts";

/**
 * The scratch database's repositories without the records only the store's own life needs:
 * outgoing events and their messages, the audit log, the log of order updates, idempotency keys
 * (every replayed input is new). Nothing in a replay reads them, and writing them was a fifth of
 * its time. Made once per batch of inputs (batched.ts), so a plain copy costs nothing per input.
 */
export function quietRepositories(repos: Repositories): Repositories {
  return {
    ...repos,
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
}

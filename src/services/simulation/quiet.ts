import type { Repositories, Transactor } from "../../core/ports/repositories.ts";

/**
 * The scratch database without the records only the store's own life needs: outgoing events and
 * their messages, the audit log, the log of order updates, idempotency keys (every replayed input
 * is new). Nothing in a replay reads them, and writing them was a fifth of its time.
 */
export function quietTransactor(tx: Transactor): Transactor {
  return {
    run: (fn) => tx.run((repos) => fn(quiet(repos))),
  };
}

function quiet(repos: Repositories): Repositories {
  return {
    ...repos,
    savepoint: (fn) => repos.savepoint(fn),
    outbox: { ...repos.outbox, add: async () => undefined },
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

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

/**
 * A view of the transaction's repositories with those writes dropped. Everything else is read
 * through to the repositories as they are, when it is used: an adapter may build them lazily.
 */
function quiet(repos: Repositories): Repositories {
  const overrides: Partial<Repositories> = {};
  const override = <K extends keyof Repositories>(key: K, make: () => Repositories[K]): Repositories[K] => (overrides[key] ??= make()) as Repositories[K];
  return new Proxy(repos, {
    get(target, key) {
      switch (key) {
        case "outbox":
          return override("outbox", () => ({ ...target.outbox, add: async () => undefined }));
        case "audit":
          return override("audit", () => ({ ...target.audit, insert: async () => undefined }));
        case "history":
          return override("history", () => ({ ...target.history, logOrderUpdate: async () => undefined }));
        case "idempotency":
          return override("idempotency", () => ({
            ...target.idempotency,
            claimMany: async (_storeId, _scope, items) => new Map(items.map((i) => [i.key, "claimed" as const])),
            completeMany: async () => undefined,
            releaseMany: async () => undefined,
          }));
        default:
          return Reflect.get(target, key);
      }
    },
  });
}

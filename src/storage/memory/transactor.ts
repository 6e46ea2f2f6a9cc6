import { integrationRepository } from "./integrations.ts";
import { reportRepository } from "./reports.ts";
import { memberTokenRepository } from "./member-tokens.ts";
import { importRepository } from "./imports.ts";
import type { Repositories, Transactor } from "../../core/ports/repositories.ts";
import { auditRepository } from "./audit.ts";
import { exportRepository } from "./exports.ts";
import { idempotencyRepository } from "./idempotency.ts";
import { keyRepository } from "./keys.ts";
import { ledgerRepository } from "./ledger.ts";
import { memberRepository } from "./members.ts";
import { notificationRepository } from "./notifications.ts";
import { orderRepository } from "./orders.ts";
import { outboxRepository } from "./outbox.ts";
import { redemptionRepository } from "./redemptions.ts";
import { ruleStateRepository } from "./rule-state.ts";
import { ruleRepository } from "./rules.ts";
import { emptyState, type MemoryState } from "./state.ts";
import { storeRepository } from "./stores.ts";
import { tierRepository } from "./tiers.ts";
import { MemoryTx } from "./transaction.ts";
import { webhookRepository } from "./webhooks.ts";

/** Every method of a repository run as one statement of `tx`. */
function statements<T extends object>(tx: MemoryTx, repo: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(repo)) {
    wrapped[name] = typeof method === "function" ? (...args: unknown[]) => tx.statement(() => method(...args)) : method;
  }
  return wrapped as T;
}

export function memoryRepositories(tx: MemoryTx): Repositories {
  return {
    stores: statements(tx, storeRepository(tx)),
    keys: statements(tx, keyRepository(tx)),
    members: statements(tx, memberRepository(tx)),
    ledger: statements(tx, ledgerRepository(tx)),
    redemptions: statements(tx, redemptionRepository(tx)),
    audit: statements(tx, auditRepository(tx)),
    idempotency: statements(tx, idempotencyRepository(tx)),
    outbox: statements(tx, outboxRepository(tx)),
    rules: statements(tx, ruleRepository(tx)),
    ruleState: statements(tx, ruleStateRepository(tx)),
    tiers: statements(tx, tierRepository(tx)),
    orders: statements(tx, orderRepository(tx)),
    exports: statements(tx, exportRepository(tx)),
    webhooks: statements(tx, webhookRepository(tx)),
    notifications: statements(tx, notificationRepository(tx)),
    integrations: statements(tx, integrationRepository(tx)),
    reports: statements(tx, reportRepository(tx)),
    memberTokens: statements(tx, memberTokenRepository(tx)),
    imports: statements(tx, importRepository(tx)),
    savepoint: (fn) => tx.savepoint(fn),
  };
}

export interface MemoryTransactor extends Transactor {
  /** The database: committed rows, and while a transaction runs, its writes too. */
  readonly state: MemoryState;
  read<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}

/**
 * The storage ports without a database, for the simulator and for tests. Transactions and reads
 * run one at a time, in the order they were asked for, so each sees only committed work and row
 * locks have nothing to wait for; a `run` or `read` started inside another would wait for it
 * forever, which is why services never nest them. A transaction that throws leaves no trace.
 */
export function memoryTransactor(state: MemoryState = emptyState()): MemoryTransactor {
  let tail: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work);
    tail = result.catch(() => undefined);
    return result;
  };
  return {
    state,
    run: (fn) =>
      serially(async () => {
        const tx = new MemoryTx(state);
        try {
          const result = await fn(memoryRepositories(tx));
          // A transaction whose statement failed (the error caught and not rethrown) commits
          // nothing, as COMMIT of a failed transaction is a ROLLBACK in PostgreSQL.
          tx.end(false);
          return result;
        } catch (error) {
          tx.end(true);
          throw error;
        }
      }),
    // Outside a transaction each statement commits on its own.
    read: (fn) =>
      serially(async () => {
        const tx = new MemoryTx(state, true);
        try {
          return await fn(memoryRepositories(tx));
        } finally {
          tx.end(false);
        }
      }),
  };
}

import { integrationRepository } from "./integrations.ts";
import { reportRepository } from "./reports.ts";
import { memberTokenRepository } from "./member-tokens.ts";
import { importRepository } from "./imports.ts";
import { historyRepository } from "./history.ts";
import { simulationRepository } from "./simulations.ts";
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
import { CurrentTx, MemoryTransaction, type MemoryTx } from "./transaction.ts";
import { webhookRepository } from "./webhooks.ts";

/** How each repository is made: once per transactor, over the transaction running now. */
const factories = {
  stores: storeRepository,
  keys: keyRepository,
  members: memberRepository,
  ledger: ledgerRepository,
  redemptions: redemptionRepository,
  audit: auditRepository,
  idempotency: idempotencyRepository,
  outbox: outboxRepository,
  rules: ruleRepository,
  ruleState: ruleStateRepository,
  tiers: tierRepository,
  orders: orderRepository,
  exports: exportRepository,
  webhooks: webhookRepository,
  notifications: notificationRepository,
  integrations: integrationRepository,
  reports: reportRepository,
  memberTokens: memberTokenRepository,
  imports: importRepository,
  history: historyRepository,
  simulations: simulationRepository,
} satisfies { [K in keyof Omit<Repositories, "savepoint">]: (tx: MemoryTx) => Repositories[K] };

type Shared = { [K in keyof typeof factories]: ReturnType<(typeof factories)[K]> };
type Method = (...args: unknown[]) => Promise<unknown>;
type Methods = Record<string, Method>;

/** Where a transaction's repositories keep their transaction (see `SharedRepositories.for`). */
const TX = Symbol("transaction");
const MADE = Symbol("repositories made");
type TxRepositories = Record<string, unknown> & { [TX]: MemoryTransaction; [MADE]: Record<string, unknown> };

/**
 * The repositories of one transactor. Building them for every transaction cost more than many
 * transactions' work; what a transaction gets is a thin layer that runs each call as one of its
 * statements, with it current. That layer is made per repository on first use (a transaction
 * uses a few of twenty), behind own enumerable properties so a spread `{ ...repos }` still copies
 * every repository.
 */
class SharedRepositories {
  readonly current: CurrentTx;
  private readonly repos: Shared;
  private readonly lazy: PropertyDescriptorMap = {};

  constructor(state: MemoryState) {
    this.current = new CurrentTx(state);
    this.repos = Object.fromEntries(Object.entries(factories).map(([name, make]) => [name, make(this.current)])) as Shared;
    for (const [name, repo] of Object.entries(this.repos)) {
      const methods: Methods = Object.fromEntries(Object.entries(repo).filter((entry): entry is [string, Method] => typeof entry[1] === "function"));
      const wrap = (tx: MemoryTransaction) => this.statements(tx, methods);
      this.lazy[name] = {
        enumerable: true,
        get(this: TxRepositories) {
          return (this[MADE][name] ??= wrap(this[TX]));
        },
        set(this: TxRepositories, value: unknown) {
          this[MADE][name] = value;
        },
      };
    }
  }

  for(tx: MemoryTransaction): Repositories {
    const repos: TxRepositories = { [TX]: tx, [MADE]: {}, savepoint: <T>(fn: () => Promise<T>) => tx.savepoint(fn) };
    // Every repository is a property now (a getter), which the type of `repos` cannot say.
    const made: object = Object.defineProperties(repos, this.lazy);
    return made as Repositories;
  }

  /** Every method of `repo` as one statement of `tx`, which it makes current. */
  private statements(tx: MemoryTransaction, methods: Methods): Methods {
    const current = this.current;
    const wrapped: Methods = {};
    for (const [method, run] of Object.entries(methods)) {
      wrapped[method] = (...args) => tx.statement(() => {
        current.current = tx;
        return run(...args);
      });
    }
    return wrapped;
  }
}

/** Repositories for one transaction of `state` (tests and tools; a transactor shares its own). */
export function memoryRepositories(tx: MemoryTransaction): Repositories {
  return new SharedRepositories(tx.state).for(tx);
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
  const repositories = new SharedRepositories(state);
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
        const tx = new MemoryTransaction(state);
        try {
          const result = await fn(repositories.for(tx));
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
        const tx = new MemoryTransaction(state, true);
        try {
          return await fn(repositories.for(tx));
        } finally {
          tx.end(false);
        }
      }),
  };
}

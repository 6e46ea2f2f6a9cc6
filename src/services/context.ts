import type { Clock, Repositories, Transactor } from "../core/ports/repositories.ts";
import type { Role, StoreRecord } from "../core/ports/records.ts";
import { notFound } from "../core/errors.ts";

/** What every service needs: a way to run a transaction, and wall time. */
export interface Services {
  tx: Transactor;
  clock: Clock;
  /** How long a request's Idempotency-Key is kept (default 24 h). */
  idempotencyTtlMs?: number;
}

/** Who is acting: recorded on every entry and audit record. */
export interface Actor {
  id: string;
  role: Role | "operator" | "system";
}


/** A sandbox store lives on its own clock; every other store on wall time. */
export function storeNow(store: StoreRecord, clock: Clock): Date {
  return store.sandbox && store.clockNow ? store.clockNow : clock.now();
}

export async function requireStore(repos: Repositories, storeId: string): Promise<StoreRecord> {
  const store = await repos.stores.get(storeId);
  if (!store) throw notFound("store");
  return store;
}

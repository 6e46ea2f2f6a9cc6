import type { StoreRecord } from "../core/ports/records.ts";
import { storeNow, type Services } from "../services/context.ts";
import { CHUNK, dueWorkSteps, noDueWork, type DueWorkCounts } from "../services/due-work.ts";

export interface LeaseOptions {
  /** Who runs the work: unique per process. */
  holder: string;
  /** How long the lease lasts without renewal; a crashed holder's stores wait this long. */
  ttlMs: number;
  /** Asked between chunks; true ends the run early (shutdown). */
  stopping?: () => boolean;
  chunk?: number;
}

export type StoreRun =
  | { status: "done"; counts: DueWorkCounts }
  /** Another process holds the store's lease; it does the work. */
  | { status: "busy"; counts: DueWorkCounts }
  /** The lease passed to another process mid-way (it ran out); that one carries on. */
  | { status: "lost"; counts: DueWorkCounts }
  | { status: "stopped"; counts: DueWorkCounts };

/**
 * One store's due work on wall time, in chunks, each in its own transaction that first renews the
 * store's lease: only one process works on a store at a time, and no transaction locks more than a
 * chunk of members. Chunks that found nothing share a transaction, so an idle store costs one.
 */
export async function runStoreDueWork(services: Services, store: StoreRecord, options: LeaseOptions): Promise<StoreRun> {
  const counts = noDueWork();
  const now = storeNow(store, services.clock);
  const steps = dueWorkSteps(store, now, counts, options.chunk ?? CHUNK);
  let next = 0;
  let holding = false;
  try {
    while (next < steps.length) {
      if (options.stopping?.()) return { status: "stopped", counts };
      const result = await services.tx.run(async (repos) => {
        if (!(await repos.stores.claimDueWork(store.id, options.holder, options.ttlMs))) return null;
        const applied: Array<() => void> = [];
        let i = next;
        let touched = 0;
        while (i < steps.length && touched === 0) {
          const chunk = await steps[i]!(repos);
          applied.push(chunk.apply);
          touched += chunk.size;
          if (!chunk.done) break;
          i++;
        }
        if (i === steps.length) await repos.stores.releaseDueWork(store.id, options.holder);
        return { applied, next: i };
      });
      if (result === null) return { status: holding ? "lost" : "busy", counts };
      holding = result.next < steps.length;
      for (const apply of result.applied) apply();
      next = result.next;
    }
    return { status: "done", counts };
  } finally {
    // Best effort: a lease that could not be given back runs out by itself.
    if (holding) await services.tx.run((repos) => repos.stores.releaseDueWork(store.id, options.holder)).catch(() => undefined);
  }
}

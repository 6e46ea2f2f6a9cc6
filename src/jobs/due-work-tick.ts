import type { Services } from "../services/context.ts";
import { noDueWork, type DueWorkCounts } from "../services/due-work.ts";
import { forgetExpiredKeys } from "../services/idempotency.ts";
import { forgetOldDeliveries } from "../services/integrations/receive.ts";
import { runStoreDueWork, type LeaseOptions } from "./store-due-work.ts";

export interface TickReport {
  counts: DueWorkCounts;
  /** Stores this process worked on to the end. */
  done: number;
  /** Stores left to another process (its lease), or to the next tick (stopping, lease lost). */
  skipped: number;
  /** Stores whose run threw; the others went on. */
  failed: Array<{ storeId: string; error: unknown }>;
  /** Expired Idempotency-Keys forgotten this tick. */
  forgottenKeys: number;
  /** Platform delivery ids past their retention, forgotten this tick. */
  forgottenDeliveries: number;
}

/**
 * The scheduler's tick: due work for every store on wall time. A store that fails is reported and
 * the next one runs; it is retried at the next tick, and since what is due is read from the ledger,
 * nothing is lost or done twice.
 */
export async function runScheduledWork(services: Services, options: LeaseOptions): Promise<TickReport> {
  const report: TickReport = { counts: noDueWork(), done: 0, skipped: 0, failed: [], forgottenKeys: 0, forgottenDeliveries: 0 };
  const stores = (await services.tx.run((repos) => repos.stores.list())).filter((s) => !s.sandbox);
  // Each process starts at a different store, so processes ticking together mostly work apart.
  const start = Math.floor(Math.random() * stores.length);
  for (let k = 0; k < stores.length; k++) {
    if (options.stopping?.()) break;
    const store = stores[(start + k) % stores.length]!;
    try {
      const run = await runStoreDueWork(services, store, options);
      for (const key of Object.keys(report.counts) as Array<keyof DueWorkCounts>) report.counts[key] += run.counts[key];
      if (run.status === "done") report.done++;
      else report.skipped++;
    } catch (error) {
      report.failed.push({ storeId: store.id, error });
    }
  }
  if (!options.stopping?.()) report.forgottenKeys = await forgetExpiredKeys(services);
  if (!options.stopping?.()) report.forgottenDeliveries = await forgetOldDeliveries(services);
  return report;
}

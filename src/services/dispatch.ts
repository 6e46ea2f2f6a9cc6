import type { OutgoingEvent } from "../core/outgoing/events.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import type { Services } from "./context.ts";

/**
 * What an outgoing event becomes on its way out: webhook deliveries, member messages. Called in the
 * dispatching transaction with the store's next events, oldest first; it writes rows of its own
 * (what to send), never sends anything itself, and must not fail for one bad event.
 */
export type FanOut = (repos: Repositories, store: StoreRecord, events: readonly OutgoingEvent[], now: Date) => Promise<void>;

export interface DispatchReport {
  stores: number;
  events: number;
}

/**
 * Hands outgoing events on to every fan-out, a chunk per transaction, and marks them dispatched
 * in the same transaction: an event is handed on once, whatever crashes, and a store's events in
 * the order they happened (one dispatcher per store at a time; the others skip it).
 */
export async function dispatchOutgoing(
  services: Services,
  fanOuts: readonly FanOut[],
  /** `storeIds`: only these stores (tests, a sandbox store's clock); otherwise every store with events waiting. */
  options: { chunk?: number; maxStores?: number; storeIds?: readonly string[] } = {},
): Promise<DispatchReport> {
  const chunk = options.chunk ?? 500;
  const report: DispatchReport = { stores: 0, events: 0 };
  const storeIds = options.storeIds ?? await services.tx.run((repos) => repos.outbox.storesWithUndispatched(options.maxStores ?? 1_000));
  for (const storeId of storeIds) {
    report.stores++;
    for (;;) {
      const handed = await services.tx.run(async (repos) => {
        const store = await repos.stores.get(storeId);
        const events = await repos.outbox.claimUndispatched(storeId, chunk);
        if (!store || events.length === 0) return 0;
        const now = services.clock.now();
        for (const fanOut of fanOuts) await fanOut(repos, store, events, now);
        await repos.outbox.markDispatched(storeId, events.map((e) => e.id), now);
        return events.length;
      });
      report.events += handed;
      if (handed < chunk) break;
    }
  }
  return report;
}

import type { Services } from "../services/context.ts";
import { runScheduledWork, type DueWorkCounts } from "../services/due-work.ts";

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Runs due work (maturing, timed-out holds, expiry, reminders) for stores on wall time. Ticks never
 * overlap; a failed tick is logged and the next one retries, and since due work is derived from
 * the ledger's state, nothing is lost or done twice.
 */
export function startScheduler(services: Services, intervalMs: number, log: { error: (o: object, m: string) => void; info: (o: object, m: string) => void }): Scheduler {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = runScheduledWork(services)
      .then((counts: DueWorkCounts) => {
        if (counts.matured + counts.released + counts.expired + counts.reminded > 0) log.info({ counts }, "due work done");
      })
      .catch((err: unknown) => log.error({ err }, "due work failed; will retry"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

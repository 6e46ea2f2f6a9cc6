import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Services } from "../services/context.ts";
import { runScheduledWork, type TickReport } from "./due-work-tick.ts";

export interface Scheduler {
  /** Ends the current tick after its current chunk, and waits for it. */
  stop(): Promise<void>;
  stats(): SchedulerStats;
}

/** Running totals, for logs and metrics. */
export interface SchedulerStats {
  ticks: number;
  /** Ticks that could not run at all (e.g. the database was unreachable). */
  failedTicks: number;
  storeFailures: number;
  lastTickSeconds: number | null;
}

export interface SchedulerLog {
  error: (o: object, m: string) => void;
  info: (o: object, m: string) => void;
}

export interface SchedulerOptions {
  /** Names this process on the leases it holds; random per process by default. */
  holder?: string;
  leaseMs?: number;
  /** Called after every tick, e.g. to feed a metrics histogram. */
  onTick?: (tick: { seconds: number; report: TickReport | null }) => void;
}

/**
 * Runs due work (maturing, timed-out holds, expiry, reminders, tier re-checks) for stores on wall
 * time. Ticks never overlap; a store that fails is logged and retried at the next tick.
 */
export function startScheduler(services: Services, intervalMs: number, log: SchedulerLog, options: SchedulerOptions = {}): Scheduler {
  const holder = options.holder ?? `${hostname()}/${process.pid}/${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const stats: SchedulerStats = { ticks: 0, failedTicks: 0, storeFailures: 0, lastTickSeconds: null };
  let running: Promise<void> | null = null;
  let stopped = false;

  const tick = () => {
    if (running || stopped) return;
    const started = performance.now();
    running = runScheduledWork(services, { holder, ttlMs: leaseMs, stopping: () => stopped })
      .then((report): TickReport => {
        for (const f of report.failed) log.error({ err: f.error, storeId: f.storeId }, "due work failed for a store; will retry");
        const c = report.counts;
        if (c.matured + c.released + c.expired + c.reminded > 0) log.info({ counts: c }, "due work done");
        stats.storeFailures += report.failed.length;
        return report;
      })
      .catch((err: unknown) => {
        log.error({ err }, "due work failed; will retry");
        stats.failedTicks++;
        return null;
      })
      .then((report) => {
        const seconds = (performance.now() - started) / 1000;
        stats.ticks++;
        stats.lastTickSeconds = seconds;
        try {
          options.onTick?.({ seconds, report });
        } catch (err) {
          log.error({ err }, "due work tick hook failed");
        }
      })
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
    stats: () => ({ ...stats }),
  };
}

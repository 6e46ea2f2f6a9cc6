import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Services } from "../services/context.ts";
import { runWaitingImports } from "../services/imports/worker.ts";

export interface ImportWorker {
  /** Stops after the batch in flight and gives the lease up, so another process may resume at once. */
  stop(): Promise<void>;
}

/** Long enough that a live process always commits a batch before it runs out. */
export const DEFAULT_IMPORT_LEASE_MS = 60_000;

/**
 * Runs uploaded imports in the server process, outside any request: every `intervalMs` a pass
 * claims waiting imports (one at a time, under a lease) and runs each to its end. Passes never
 * overlap; a failed pass is logged and tried again at the next interval.
 */
export function startImportWorker(
  services: Services,
  options: { intervalMs: number; leaseMs?: number; batchRows?: number },
  log: { error: (o: object, m: string) => void },
): ImportWorker {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const abort = new AbortController();
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running || abort.signal.aborted) return;
    running = runWaitingImports(services, { holder, leaseMs: options.leaseMs ?? DEFAULT_IMPORT_LEASE_MS, batchRows: options.batchRows, signal: abort.signal })
      .then(() => undefined, (err: unknown) => log.error({ err }, "import worker failed; will retry"))
      .finally(() => void (running = null));
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      abort.abort();
      clearInterval(timer);
      await running;
    },
  };
}

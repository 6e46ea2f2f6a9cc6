import type { Services } from "../context.ts";
import { ImportTakenOver, runImport, type RunOptions } from "./run.ts";
import { uploadBytes } from "./sources.ts";

/** Uploads never turned into an import (a client gone mid-upload, a server killed) are dropped after this long. */
export const STALE_UPLOAD_MS = 24 * 3_600_000;

export interface ImportWorkOptions extends Pick<RunOptions, "batchRows" | "signal" | "faults"> {
  /** Who holds the lease: one name per server process. */
  holder: string;
  /** How long a claimed import stays with this process without a committed batch (each batch renews it). */
  leaseMs: number;
  /** Only this store's imports (tests sharing a database); every store's otherwise. */
  storeId?: string;
}

export interface ImportWorkReport {
  /** Imports this pass worked on. */
  claimed: number;
  /** Of those, imports it ran to their end (done or failed). */
  finished: number;
}

/**
 * One pass of the server's import worker: takes uploaded imports one at a time under a lease
 * (another process skips them; a dead process's lease runs out and the next claim resumes the
 * import after its last committed batch) and runs each to its end, or until `signal` stops it,
 * when the lease is given up at once for another process to take over.
 */
export async function runWaitingImports(services: Services, o: ImportWorkOptions): Promise<ImportWorkReport> {
  const report: ImportWorkReport = { claimed: 0, finished: 0 };
  await services.tx.run((repos) => repos.imports.sweepChunks(new Date(services.clock.now().getTime() - STALE_UPLOAD_MS), 1_000));
  while (!o.signal?.aborted) {
    const now = services.clock.now();
    const claimed = await services.tx.run((repos) => repos.imports.claim(now, o.holder, new Date(now.getTime() + o.leaseMs), o.storeId));
    if (!claimed) break;
    report.claimed++;
    const { storeId, record } = claimed;
    try {
      const ended = await runImport(services, storeId, record.id, uploadBytes(services, storeId, record.id), {
        batchRows: o.batchRows, signal: o.signal, faults: o.faults, lease: { holder: o.holder, ms: o.leaseMs },
      });
      if (ended.status === "running") await releaseLease(services, storeId, record.id, o.holder);
      else report.finished++;
    } catch (error) {
      // Another process took the import over after this one's lease ran out: it is theirs now.
      if (!(error instanceof ImportTakenOver)) throw error;
    }
  }
  return report;
}

async function releaseLease(services: Services, storeId: string, id: string, holder: string): Promise<void> {
  await services.tx.run(async (repos) => {
    const current = await repos.imports.get(storeId, id, true);
    if (current?.lease?.holder !== holder) return;
    await repos.imports.update(storeId, { ...current, lease: null, updatedAt: services.clock.now() }, { firstError: current.progress.errors, rows: [] });
  });
}

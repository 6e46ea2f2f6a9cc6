import { performance } from "node:perf_hooks";

export interface LoadLimits {
  /** Callers running at once; each waits for its previous operation before starting the next. */
  concurrency: number;
  /** Stop starting new operations after this long... */
  maxMs: number;
  /** ...or after this many, whichever comes first. */
  maxOps: number;
}

export interface LoadResult {
  ops: number;
  elapsedMs: number;
  /** One latency per completed operation, in milliseconds, sorted ascending. */
  latencies: number[];
}

/**
 * Closed-loop load: `concurrency` callers each run `op(i)` back to back until the time or count
 * limit is reached. `i` is a global, increasing operation number (callers use it to pick members).
 */
export async function runLoad(limits: LoadLimits, op: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const caller = async () => {
    while (next < limits.maxOps && performance.now() - start < limits.maxMs) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency }, caller));
  const elapsedMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length, elapsedMs, latencies };
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

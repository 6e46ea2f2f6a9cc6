import cliProgress from "cli-progress";
import type { ImportRecord } from "../core/ports/imports.ts";

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ImportProgress {
  update(record: ImportRecord): void;
  stop(): void;
}

/** Plain lines while no terminal reads the output (a log, a pipe): after the first batch, then one every few seconds. */
export const PLAIN_EVERY_MS = 5_000;

/**
 * Progress of a CLI import. Rows are unknown up front, so percent and ETA are measured in bytes
 * of the file; rows and rows/s count this run's rows. A terminal gets a bar, anything else a line
 * every few seconds.
 */
export function importProgress(out: Output, start: ImportRecord, totalBytes: number, now: () => number = Date.now): ImportProgress {
  const startedAt = now();
  const first = start.progress.processed;
  const payload = (r: ImportRecord) => {
    const rows = r.progress.processed - first;
    const seconds = Math.max(0.001, (now() - startedAt) / 1000);
    return { rows: r.progress.processed, rate: Math.round(rows / seconds), rejected: r.progress.rejected };
  };
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: " {bar} {percentage}% | {rows} rows | {rate} rows/s | {rejected} rejected | ETA {eta_formatted}",
      stream: out as NodeJS.WritableStream, hideCursor: true, etaBuffer: 20, fps: 5,
    }, cliProgress.Presets.shades_classic);
    bar.start(Math.max(1, totalBytes), start.progress.offset, payload(start));
    return {
      update: (r) => bar.update(r.progress.offset, payload(r)),
      stop: () => bar.stop(),
    };
  }
  // The first batch is reported at once, so a log shows early that rows are going in.
  let printedAt = Number.NEGATIVE_INFINITY;
  return {
    update(r) {
      if (now() - printedAt < PLAIN_EVERY_MS) return;
      printedAt = now();
      const p = payload(r);
      out.write(`processed ${p.rows} rows (${p.rate} rows/s), ${p.rejected} rejected\n`);
    },
    stop: () => undefined,
  };
}

import cliProgress from "cli-progress";
import type { ReplayProgress } from "../services/simulation/report.ts";
import type { Output } from "./import-progress.ts";

export interface SimulateProgress {
  told: ReplayProgress;
  stop(): void;
}

/**
 * How far `pointbook simulate` has got, on a terminal: a bar of the share replayed, with an ETA (a
 * big store replays for a minute). Anything else (a log, a pipe) gets nothing but the report and
 * the closing line with the time it took.
 */
export function simulateProgress(out: Output): SimulateProgress {
  if (!out.isTTY) return { told: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({
    format: " replaying {bar} {percentage}% | ETA {eta_formatted}",
    stream: out as NodeJS.WritableStream, hideCursor: true, etaBuffer: 20, fps: 5,
  }, cliProgress.Presets.shades_classic);
  bar.start(1000, 0);
  return {
    told: (share) => bar.update(Math.round(share * 1000)),
    stop: () => bar.stop(),
  };
}

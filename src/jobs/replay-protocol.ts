import type { ReplayResult } from "../services/simulation/replay.ts";

/** One part of one run, as the pool hands it to a replay worker. */
export interface ReplayTask {
  run: number;
  part: number;
}

/**
 * What a replay worker answers: ready for a task (after reading the history), a task's result
 * (null for a part the history did not split into), or what went wrong.
 */
export type WorkerReply =
  | { kind: "ready" }
  | { kind: "result"; result: ReplayResult | null }
  | { kind: "failed"; message: string };

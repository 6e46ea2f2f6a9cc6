import type { ReplayResult } from "../services/simulation/replay.ts";

/** One part of one run, as the pool hands it to a replay worker: the part (a serialised HistoryPart, parts.ts) shared, not copied. */
export interface ReplayTask {
  run: number;
  part: number;
  history: SharedArrayBuffer;
}

/** What a replay worker answers: ready for a task, a task's result, or what went wrong. */
export type WorkerReply =
  | { kind: "ready" }
  | { kind: "result"; result: ReplayResult }
  | { kind: "failed"; message: string };

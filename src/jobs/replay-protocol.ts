import type { ReplayOptions, ReplayResult } from "../services/simulation/replay.ts";

/**
 * One part of the store, as the pool hands it to a replay worker: the part (a serialised
 * HistoryPart, parts.ts) shared, not copied, and the runs to replay it for (a worker kept between
 * simulations replays other runs each time).
 */
export interface ReplayTask {
  part: number;
  history: SharedArrayBuffer;
  runs: ReadonlyArray<Omit<ReplayOptions, "tx">>;
}

/** What a replay worker answers: ready for a task, how many more inputs it replayed, a task's results (one per run), or what went wrong. */
export type WorkerReply =
  | { kind: "ready" }
  | { kind: "replayed"; inputs: number }
  | { kind: "result"; results: ReplayResult[] }
  | { kind: "failed"; message: string };

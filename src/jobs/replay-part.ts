import type { HistoryPart } from "../services/simulation/parts.ts";
import { replayHistory, type InputsReplayed, type ReplayOptions, type ReplayResult } from "../services/simulation/replay.ts";
import { memoryTransactor } from "../storage/memory/transactor.ts";

/**
 * One part of a store replayed for every run (the current program, a candidate), each on a fresh
 * in-memory database: a result per run. `replayed` is told of the inputs replayed, run after run.
 */
export async function replayPart({ history, part }: HistoryPart, runs: ReadonlyArray<Omit<ReplayOptions, "tx">>, replayed?: InputsReplayed): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const run of runs) results.push(await replayHistory(history, { ...run, tx: memoryTransactor() }, part, replayed));
  return results;
}

import type { HistoryPart } from "../services/simulation/parts.ts";
import { replayHistory, type InputsReplayed, type ReplayOptions, type ReplayResult } from "../services/simulation/replay.ts";
import { emptyState } from "../storage/memory/state.ts";
import { memoryTransactor } from "../storage/memory/transactor.ts";
import { givenDocuments, type Documents } from "../storage/memory/values.ts";

/**
 * One part of a store replayed for every run (the current program, a candidate), each on a fresh
 * in-memory database: a result per run. `replayed` is told of the inputs replayed, run after run.
 * The scratch database keeps documents as the replay's services hand them over (values.ts
 * `givenDocuments`): they alone write and read it. Tests replay with `jsonbDocuments` too, to see
 * that keeping them so changes no figure. It tallies its ledger entries (tally.ts): the replay
 * reads nothing of them but its monthly flows.
 */
export async function replayPart(
  { history, part }: HistoryPart, runs: ReadonlyArray<Omit<ReplayOptions, "tx">>, replayed?: InputsReplayed, documents: Documents = givenDocuments,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const run of runs) results.push(await replayHistory(history, { ...run, tx: memoryTransactor(emptyState(documents, "tallied")) }, part, replayed));
  return results;
}

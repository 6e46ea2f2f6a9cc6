import type { Entry, EntryType } from "../../core/ledger/types.ts";
import type { MemoryState, Tenant } from "./state.ts";
import type { MemoryTx } from "./transaction.ts";
import { integer, timestamp } from "./values.ts";

/**
 * Ledger entries kept as a tally (MemoryState.entries "tallied"): a replay's scratch database
 * reads nothing of its entries but its monthly flows at the end, so it keeps three numbers an
 * entry (its instant, type and points) in one flat array instead of a row each with its indexes,
 * and no allocations. Rows of every entry were a sixth of a replay's CPU, most of it making and
 * collecting objects that lived as long as the replay.
 */
const ENTRY_TYPES = ["earn", "pending", "mature", "redeem", "hold", "release", "capture", "expire", "reverse", "adjust", "import", "write_off", "return"] as const;

// Every entry type has its code: adding one to EntryType without listing it here fails to compile.
const everyType: Exclude<EntryType, (typeof ENTRY_TYPES)[number]> extends never ? true : never = true;
void everyType;

const CODES = new Map<EntryType, number>(ENTRY_TYPES.map((type, code) => [type, code]));

/** Tallies entries in the transaction, one undo step for all of them (a rollback takes them out again). */
export function tallyEntries(tx: MemoryTx, t: Tenant, entries: readonly Entry[]): void {
  const numbers: number[] = [];
  for (const e of entries) numbers.push(timestamp(e.at, "at").getTime(), CODES.get(e.type)!, integer(e.points, "points"));
  tx.extend(t.tally, numbers);
}

/** Each tallied entry's instant (epoch ms), type and points, in the order they were written. */
export function forEachTallied(t: Tenant, visit: (at: number, type: EntryType, points: number) => void): void {
  const tally = t.tally;
  for (let i = 0; i < tally.length; i += 3) visit(tally[i]!, ENTRY_TYPES[tally[i + 1]!]!, tally[i + 2]!);
}

/** The entries' rows, for the reads that need them: a database that only tallies them cannot answer those. */
export function entryRows(state: MemoryState, t: Tenant): Tenant["entries"] {
  if (state.entries === "tallied") throw new Error("this database keeps its ledger entries only as a tally (a replay's scratch ledger): their rows cannot be read");
  return t.entries;
}

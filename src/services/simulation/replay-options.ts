import type { MonthFlow } from "../../core/ports/reports.ts";
import type { Transactor } from "../../core/ports/repositories.ts";
import type { ProgramDocument } from "../../core/program/document.ts";
import type { Skipped } from "../../core/simulation/figures.ts";

/** What the replay runs: the store's program as it was, or from `from` on, another document. */
export interface ReplayProgram {
  candidate: ProgramDocument | null;
  from: Date;
}

export interface ReplayOptions extends ReplayProgram {
  /** The last instant replayed. */
  to: Date;
  /** How much of their recorded spending members repeat (1: as recorded), as a share of their balance. */
  spendingScale: number;
  /** A fresh in-memory database (the caller chooses the adapter; the store's own is never written). */
  tx: Transactor;
}

/** How the replay went: the ledger's monthly flows, tiers held at each month's end, inputs it could not repeat. */
export interface ReplayResult {
  flows: MonthFlow[];
  tiers: Map<string, Record<string, number>>;
  skipped: Skipped;
}

import type { MonthFlow } from "../../core/ports/reports.ts";
import type { Transactor } from "../../core/ports/repositories.ts";
import type { ProgramDocument } from "../../core/program/document.ts";
import type { Skipped } from "../../core/simulation/figures.ts";
import type { Step } from "../../core/simulation/timeline.ts";

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
  /**
   * Due work at every store-local day boundary, as the store's scheduler ran it, even where
   * nothing reads what it does (replay.ts dueWorkEveryDay); tests hold both ways to the same figures.
   */
  dueWorkEveryDay?: boolean;
}

/** A program's points over time: the ledger's monthly flows, tiers held at each month's end, inputs it could not repeat. */
export interface ReplayFlows {
  flows: MonthFlow[];
  tiers: Map<string, Record<string, number>>;
  skipped: Skipped;
}

/**
 * How a replay went: its flows, and the revenue of the orders it was given by store month
 * (figures.ts revenueByMonth), the same for every program. Each worker adds up its part's orders
 * from the documents its replay made of their last updates; made on the main thread after the
 * replays, it was a serial second and more of parsing every order's last update again.
 */
export interface ReplayResult extends ReplayFlows {
  revenue: Map<string, number>;
}

/**
 * What a replay of a store's history, or of one part of its members (core/simulation/partition.ts),
 * takes from the whole store: a part makes every change of the program where it came among all
 * the store's inputs, walks the same days from the whole timeline's first step, and starts with
 * the rule versions the whole store started with.
 */
export interface ReplayPart {
  /** The program's changes, placed among all the store's inputs (timeline.ts programSteps): every part makes them all. */
  program: readonly Step[];
  /** The whole timeline's first step: where the replay's clock starts (null: no steps). */
  start: Date | null;
  /** The whole store's first input (+∞ for none): rule versions before it are there from the start. */
  firstInputAt: number;
}

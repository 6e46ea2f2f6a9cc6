import type { SimulationReport } from "../simulation/figures.ts";
import type { Page } from "./records.ts";

export type SimulationStatus = "running" | "done" | "failed";

/** A simulation asked for: its input as given, and once it ran, its report (or why it failed). */
export interface SimulationRecord {
  id: string;
  status: SimulationStatus;
  input: { candidate: unknown; from: string; to: string; redemptionRate: number | null };
  /** The report; null while running or when it failed. */
  result: SimulationReport | null;
  error: string | null;
  /** The share of its replays' inputs replayed so far, 0 to 1 (1 once done). */
  progress: number;
  createdBy: string;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A program the assistant proposed, with the simulation that backs it. */
export interface ProposalRecord {
  id: string;
  summary: string;
  explanation: string;
  document: Record<string, unknown>;
  simulation: Record<string, unknown>;
  targetCostShare: number;
  createdBy: string;
  createdAt: Date;
  appliedAt: Date | null;
  appliedBy: string | null;
}

export interface SimulationRepository {
  insert(storeId: string, record: SimulationRecord): Promise<void>;
  get(storeId: string, id: string): Promise<SimulationRecord | null>;
  /** Newest first; the cursor is the last id seen. */
  list(storeId: string, limit: number, cursor: string | null): Promise<Page<SimulationRecord>>;
  /** Records how far a running simulation has got (a share from 0 to 1); never moves it back, nor changes a finished one. */
  progress(storeId: string, id: string, share: number): Promise<void>;
  finish(storeId: string, id: string, outcome: { status: "done" | "failed"; result: SimulationReport | null; error: string | null; at: Date }): Promise<void>;
  /** Simulations left running by a process that stopped (every store): marked failed. */
  abandonRunning(before: Date, at: Date): Promise<number>;
  insertProposals(storeId: string, proposals: readonly ProposalRecord[]): Promise<void>;
  getProposal(storeId: string, id: string): Promise<ProposalRecord | null>;
  markApplied(storeId: string, id: string, actor: string, at: Date): Promise<void>;
  /** When a proposal of the store was last applied (null: never). */
  lastApplied(storeId: string): Promise<Date | null>;
}

import { notFound } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import type { Page } from "../../core/ports/records.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import type { SimulationRecord } from "../../core/ports/simulations.ts";
import { programDocumentSchema, type ProgramDocument } from "../../core/program/document.ts";
import { simulationPeriod } from "../../core/simulation/period.ts";
import { requireStore, type Actor, type Services } from "../context.ts";
import { loadHistory, type LoadedHistory } from "./load.ts";
import { simulateAll, type ReplayProgress, type ReplayRunner, type SimulationReport } from "./report.ts";

export interface SimulationInput {
  candidate: ProgramDocument;
  from: string;
  to: string;
  redemptionRate?: number;
}

/** What a simulation looks like from outside: its status, and once done, both programs' figures. */
export interface SimulationView {
  id: string;
  status: SimulationRecord["status"];
  from: string;
  to: string;
  createdAt: Date;
  finishedAt: Date | null;
  error?: string;
  /** The share of its replays' inputs replayed so far, 0 to 1 (1 once done). */
  progress: number;
  /** What was asked: the candidate document, the period and the rate as sent. */
  input: SimulationRecord["input"];
  report?: SimulationReport;
}

export function simulationView(r: SimulationRecord): SimulationView {
  return {
    id: r.id, status: r.status, from: r.input.from, to: r.input.to, createdAt: r.createdAt, finishedAt: r.finishedAt, input: r.input,
    // Simulations finished before progress was recorded kept the column's default, 0.
    progress: r.status === "done" ? 1 : r.progress,
    ...(r.error !== null ? { error: r.error } : {}),
    // Reports made before `currentFrom` was recorded replayed the current program.
    ...(r.result ? { report: { ...r.result, currentFrom: r.result.currentFrom ?? "replay" } } : {}),
  };
}

/** A simulation as the API shows it: its status and, once done, its report beside it (the period as it was asked). */
export type SimulationOut = Omit<SimulationView, "report"> & Partial<SimulationReport>;

export function simulationOut(view: SimulationView): SimulationOut {
  const { report, ...rest } = view;
  // The report's own from/to are the instants replayed; the simulation keeps them as sent.
  return report ? { ...rest, ...report, from: rest.from, to: rest.to } : rest;
}

/**
 * Records a simulation to run (in the caller's transaction); it is run once committed, off the
 * request. A simulation is a run of the server, not a fact of the store's ledger: it is started
 * and finished on the server's clock, a sandbox store's too (its own clock says which days the
 * store has lived, not when a replay ran), so a server that starts again can tell which runs it
 * left behind.
 */
export async function createSimulation(repos: Repositories, services: Services, storeId: string, input: SimulationInput, actor: Actor): Promise<{ id: string; status: "running" }> {
  const store = await requireStore(repos, storeId);
  simulationPeriod(input.from, input.to, store.timezone);
  const id = newId("sim");
  await repos.simulations.insert(storeId, {
    id, status: "running", input: { candidate: input.candidate, from: input.from, to: input.to, redemptionRate: input.redemptionRate ?? null },
    result: null, error: null, progress: 0, createdBy: actor.id, createdAt: services.clock.now(), finishedAt: null,
  });
  return { id, status: "running" };
}

export async function getSimulation(services: Services, storeId: string, id: string): Promise<SimulationView> {
  return services.tx.run(async (repos) => {
    const record = await repos.simulations.get(storeId, id);
    if (!record) throw notFound("simulation");
    return simulationView(record);
  });
}

export async function listSimulations(services: Services, storeId: string, limit: number, cursor: string | null): Promise<Page<Omit<SimulationView, "input" | "report">>> {
  return services.tx.run(async (repos) => {
    const page = await repos.simulations.list(storeId, limit, cursor);
    // The list says what ran; each simulation's figures are read one at a time.
    return {
      data: page.data.map((r) => {
        const { report: _report, input: _input, ...summary } = simulationView(r);
        return summary;
      }),
      nextCursor: page.nextCursor,
    };
  });
}

/**
 * How often a running simulation's progress is written at most: often enough for a screen polling
 * every half second to move, rarely enough to cost nothing beside the replay.
 */
export const PROGRESS_WRITE_MS = 1_000;

/**
 * Runs recorded simulations of one store together (the assistant's proposals): the history read
 * once (or the one given, already read), their replays given to the runner at once, so each part
 * of the store is read once by a worker for all of them. Each stores its report, or why they
 * failed; on the way, each is told how far the replays have got.
 */
export async function runSimulations(services: Services, storeId: string, ids: readonly string[], run: ReplayRunner, loaded?: LoadedHistory): Promise<void> {
  const found = await services.tx.run((repos) => Promise.all(ids.map((id) => repos.simulations.get(storeId, id))));
  const records = found.filter((r): r is SimulationRecord => r !== null && r.status === "running");
  if (records.length === 0) return;
  const writers = records.map((r) => progressWriter(services, storeId, r.id));
  let outcomes: Array<{ status: "done" | "failed"; result: SimulationReport | null; error: string | null }>;
  try {
    const reports = await simulateRecorded(services, storeId, records.map((r) => r.input), run, (share) => writers.forEach((w) => w.told(share)), loaded);
    outcomes = reports.map((report) => ({ status: "done", result: report, error: null }));
  } catch (error) {
    const failed = { status: "failed" as const, result: null, error: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
    outcomes = records.map(() => failed);
  }
  // A progress write still under way lands first: the finished record is the last word.
  await Promise.all(writers.map((w) => w.settled()));
  await services.tx.run(async (repos) => {
    for (const [i, r] of records.entries()) await repos.simulations.finish(storeId, r.id, { ...outcomes[i]!, at: services.clock.now() });
  });
}

/**
 * Writes a simulation's progress as the replay reports it, one write at a time and at most once
 * per PROGRESS_WRITE_MS (the latest share then), on the wall clock. Progress is a courtesy: a write
 * that fails is dropped, and never fails the simulation.
 */
function progressWriter(services: Services, storeId: string, id: string): { told: ReplayProgress; settled: () => Promise<void> } {
  let latest = 0;
  let written = 0;
  let lastWrite = -Infinity;
  let writing: Promise<void> = Promise.resolve();
  let queued = false;
  const write = () => {
    queued = false;
    if (latest <= written) return Promise.resolve();
    const share = latest;
    lastWrite = Date.now();
    return services.tx.run((repos) => repos.simulations.progress(storeId, id, share)).then(() => void (written = share), () => undefined);
  };
  return {
    told(share) {
      latest = Math.max(latest, Math.min(1, Math.max(0, share)));
      if (queued || Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
      queued = true;
      writing = writing.then(write);
    },
    settled: () => writing,
  };
}

/** A simulation run now, without recording it (the CLI); `progress` follows its replays. */
export async function simulate(services: Services, storeId: string, input: SimulationRecord["input"], run: ReplayRunner, progress?: ReplayProgress): Promise<SimulationReport> {
  return (await simulateRecorded(services, storeId, [input], run, progress))[0]!;
}

/** Simulations as asked (a candidate document, a period as sent, a rate), over one read of the store's history. */
async function simulateRecorded(
  services: Services, storeId: string, inputs: ReadonlyArray<SimulationRecord["input"]>, run: ReplayRunner, progress?: ReplayProgress, read?: LoadedHistory,
): Promise<SimulationReport[]> {
  const loaded = read ?? await loadHistory(services, storeId);
  const zone = loaded.history.store.timezone;
  const requests = inputs.map((input) => ({
    candidate: programDocumentSchema.parse(input.candidate), ...simulationPeriod(input.from, input.to, zone), redemptionRate: input.redemptionRate,
  }));
  return simulateAll(loaded, requests, run, progress);
}

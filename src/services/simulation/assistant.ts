import { DateTime } from "luxon";
import { DomainError, notFound } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import { programDocumentSchema, type ProgramDiff } from "../../core/program/document.ts";
import { draftProposals } from "../../core/simulation/assistant.ts";
import { simulationPeriod } from "../../core/simulation/period.ts";
import { recordChange } from "../audit.ts";
import { requireStore, storeNow, type Actor, type Services } from "../context.ts";
import { exportProgram, importProgram } from "../program-document.ts";
import { loadHistory, type LoadedHistory } from "./load.ts";
import { ledgerBaseline } from "./report.ts";
import { getSimulation, simulationOut, type SimulationOut } from "./simulations.ts";

/** Seven days between two applies (the source's rule): a program needs time to show its effect. */
export const ASSISTANT_COOLDOWN_MS = 7 * 24 * 3_600_000;

export interface ProposalView {
  id: string;
  summary: string;
  explanation: string;
  document: Record<string, unknown>;
  /** The simulation that backs it, as GET /v1/simulations/{id} shows it (less its input: the document above). */
  simulation: Omit<SimulationOut, "input">;
}

/** How proposals' simulations run: recorded simulations run together in the background. */
export interface ProposalRuns {
  /** Resolves once the recorded simulations are finished, run over the history given. */
  launchAll(storeId: string, ids: readonly string[], loaded: LoadedHistory): Promise<void>;
}

/** How long proposing waits for the proposals' simulations by default before answering with those still running. */
const ASSISTANT_WAIT_MS = 20_000;

/**
 * Proposals toward a target cost share, each simulated over the period (by default the last twelve
 * months) against the current program, and kept so one can be applied by id. Each proposal's
 * simulation is a recorded simulation, run in the background with the others (on one read of the
 * history); proposing waits up to `waitMs` for them, and those still running by then come back
 * running, to follow at GET /v1/simulations/{id}: a small store's come back done, a year of a
 * large store's (minutes) do not hold the request.
 */
export async function proposePrograms(
  services: Services,
  storeId: string,
  input: { targetCostShare: number; from?: string; to?: string },
  actor: Actor,
  jobs: ProposalRuns,
  waitMs = ASSISTANT_WAIT_MS,
): Promise<ProposalView[]> {
  const loaded = await loadHistory(services, storeId);
  const zone = loaded.history.store.timezone;
  const today = DateTime.fromJSDate(loaded.now, { zone });
  const asked = { from: input.from ?? today.minus({ months: 12 }).plus({ days: 1 }).toISODate()!, to: input.to ?? today.toISODate()! };
  const period = simulationPeriod(asked.from, asked.to, zone);
  const current = programDocumentSchema.parse(await exportProgram(services, storeId));
  // The current program's own figures (its ledger's: drafting replays nothing), and what the store's orders look like, feed the drafts.
  const baseline = ledgerBaseline(loaded, period);
  const inPeriod = loaded.history.orders.filter((o) => o.order.memberId && !o.order.canceledAt
    && Date.parse(o.order.placedAt) >= period.from.getTime() && Date.parse(o.order.placedAt) <= period.to.getTime());
  const members = new Set(inPeriod.map((o) => o.order.memberId)).size;
  const total = inPeriod.reduce((s, o) => s + o.order.lines.reduce((t, l) => t + l.amount, 0) - o.order.discounts, 0);
  const years = Math.max(1 / 12, (period.to.getTime() - period.from.getTime()) / (365.25 * 86_400_000));
  const drafts = draftProposals({
    document: current,
    costShare: baseline.figures.totals.costShare,
    target: input.targetCostShare,
    orders: { count: inPeriod.length, members, averageValue: inPeriod.length ? Math.round(total / inPeriod.length) : 0, perMemberPerYear: members ? inPeriod.length / members / years : 0 },
    redemptionRate: baseline.redemptionRate,
    currency: loaded.history.store.currency,
  });
  const proposals = drafts.map((draft) => ({
    id: newId("prp"), simulationId: newId("sim"), summary: draft.summary, explanation: draft.explanation,
    document: programDocumentSchema.parse(draft.document) as Record<string, unknown>,
  }));
  const at = services.clock.now();
  await services.tx.run(async (repos) => {
    await requireStore(repos, storeId);
    for (const p of proposals) {
      await repos.simulations.insert(storeId, {
        id: p.simulationId, status: "running", input: { candidate: p.document, ...asked, redemptionRate: null },
        result: null, error: null, progress: 0, createdBy: actor.id, createdAt: at, finishedAt: null,
      });
    }
    // A proposal keeps the id of its simulation, which holds the figures.
    await repos.simulations.insertProposals(storeId, proposals.map((p) => ({
      id: p.id, summary: p.summary, explanation: p.explanation, document: p.document, simulation: { id: p.simulationId },
      targetCostShare: input.targetCostShare, createdBy: actor.id, createdAt: at, appliedAt: null, appliedBy: null,
    })));
  });
  // The history just read is the one simulated: the workers take their parts of it without reading the store again.
  const finished = jobs.launchAll(storeId, proposals.map((p) => p.simulationId), loaded);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
  return Promise.all(proposals.map(async (p) => {
    const { input: _input, ...simulation } = simulationOut(await getSimulation(services, storeId, p.simulationId));
    return { id: p.id, summary: p.summary, explanation: p.explanation, document: p.document, simulation };
  }));
}

/**
 * Replaces the program with a proposal's document, audited as the actor who applied it; refused
 * within seven days of the last apply (`assistant_cooldown`, with when it can be used again).
 */
export async function applyProposal(repos: Repositories, services: Services, storeId: string, id: string, actor: Actor): Promise<{ proposalId: string; appliedAt: Date; diff: ProgramDiff }> {
  // The store row lock makes two applies of one store wait for each other, so the second sees the first.
  const store = await repos.stores.lock(storeId);
  if (!store) throw notFound("store");
  const proposal = await repos.simulations.getProposal(storeId, id);
  if (!proposal) throw notFound("proposal");
  const now = storeNow(store, services.clock);
  const last = await repos.simulations.lastApplied(storeId);
  if (last && now.getTime() - last.getTime() < ASSISTANT_COOLDOWN_MS) {
    const availableAt = new Date(last.getTime() + ASSISTANT_COOLDOWN_MS);
    const retryAfter = Math.ceil((availableAt.getTime() - now.getTime()) / 1000);
    throw new DomainError("assistant_cooldown", `the assistant's proposals can be applied again from ${availableAt.toISOString()} (seven days after the last one)`, {
      retryAfter, availableAt: availableAt.toISOString(),
    });
  }
  const { diff } = await importProgram(repos, services, storeId, proposal.document, { dryRun: false }, actor);
  await repos.simulations.markApplied(storeId, id, actor.id, now);
  await recordChange(repos, storeId, actor, { action: "assistant.applied", entityType: "program", entityId: storeId, before: null, after: { proposalId: id, summary: proposal.summary, diff } }, now);
  return { proposalId: id, appliedAt: now, diff };
}

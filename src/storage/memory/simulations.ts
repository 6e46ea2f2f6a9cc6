import type { ProposalRecord, SimulationRecord, SimulationRepository } from "../../core/ports/simulations.ts";
import type { MemoryState } from "./state.ts";
import { checkViolation } from "./errors.ts";
import { requireStoreRow } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText } from "./values.ts";

interface Tables {
  simulations: Map<string, SimulationRecord & { storeId: string }>;
  proposals: Map<string, ProposalRecord & { storeId: string }>;
}

/** The simulator's tables, beside the state's own (writes still go through the transaction's undo log). */
const tables = new WeakMap<MemoryState, Tables>();
function tablesOf(state: MemoryState): Tables {
  let t = tables.get(state);
  if (!t) tables.set(state, (t = { simulations: new Map(), proposals: new Map() }));
  return t;
}

const key = (storeId: string, id: string) => `${storeId}\u0000${id}`;

export function simulationRepository(tx: MemoryTx): SimulationRepository {
  const t = () => tablesOf(tx.state);
  const strip = <T extends { storeId: string }>(row: T): Omit<T, "storeId"> => {
    const { storeId: _s, ...rest } = structuredClone(row);
    return rest;
  };
  return {
    async insert(storeId, s) {
      requireStoreRow(tx, storeId, "simulations");
      tx.put(t().simulations, key(storeId, s.id), structuredClone({ ...s, storeId }));
    },
    async get(storeId, id) {
      const row = t().simulations.get(key(storeId, id));
      return row ? strip(row) : null;
    },
    async list(storeId, limit, cursor) {
      const rows = [...t().simulations.values()].filter((r) => r.storeId === storeId && (cursor === null || compareText(r.id, cursor) < 0))
        .sort((a, b) => compareText(b.id, a.id)).slice(0, limit + 1);
      const data = rows.slice(0, limit).map(strip);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async progress(storeId, id, share) {
      const row = t().simulations.get(key(storeId, id));
      if (!row || row.status !== "running" || !(row.progress < share)) return;
      if (!(share >= 0 && share <= 1)) throw checkViolation("simulations", "progress >= 0 AND progress <= 1");
      tx.put(t().simulations, key(storeId, id), { ...row, progress: share });
    },
    async finish(storeId, id, o) {
      const row = t().simulations.get(key(storeId, id));
      if (!row || row.status !== "running") return;
      tx.put(t().simulations, key(storeId, id), {
        ...row, status: o.status, result: structuredClone(o.result), error: o.error, finishedAt: new Date(o.at), progress: o.status === "done" ? 1 : row.progress,
      });
    },
    async abandonRunning(before, at) {
      let n = 0;
      for (const [k, row] of t().simulations) {
        if (row.status === "running" && row.createdAt.getTime() < before.getTime()) {
          tx.put(t().simulations, k, { ...row, status: "failed", error: "the server stopped while it ran", finishedAt: new Date(at) });
          n++;
        }
      }
      return n;
    },
    async insertProposals(storeId, proposals) {
      requireStoreRow(tx, storeId, "assistant_proposals");
      for (const p of proposals) tx.put(t().proposals, key(storeId, p.id), structuredClone({ ...p, storeId }));
    },
    async getProposal(storeId, id) {
      const row = t().proposals.get(key(storeId, id));
      return row ? strip(row) : null;
    },
    async markApplied(storeId, id, actor, at) {
      const row = t().proposals.get(key(storeId, id));
      if (row) tx.put(t().proposals, key(storeId, id), { ...row, appliedAt: new Date(at), appliedBy: actor });
    },
    async lastApplied(storeId) {
      let last: Date | null = null;
      for (const row of t().proposals.values()) {
        if (row.storeId === storeId && row.appliedAt && (!last || row.appliedAt > last)) last = row.appliedAt;
      }
      return last ? new Date(last) : null;
    },
  };
}

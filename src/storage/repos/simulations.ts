import type { ProposalRecord, SimulationRecord, SimulationRepository } from "../../core/ports/simulations.ts";
import { json, write, type Sql } from "../sql.ts";

interface SimulationRow {
  id: string; status: SimulationRecord["status"]; input: SimulationRecord["input"]; result: SimulationRecord["result"]; error: string | null;
  progress: number | string; created_by: string; created_at: Date; finished_at: Date | null;
}
const toSimulation = (r: SimulationRow): SimulationRecord => ({
  id: r.id, status: r.status, input: r.input, result: r.result, error: r.error, progress: Number(r.progress), createdBy: r.created_by, createdAt: r.created_at, finishedAt: r.finished_at,
});

interface ProposalRow {
  id: string; summary: string; explanation: string; document: Record<string, unknown>; simulation: Record<string, unknown>; target_cost_share: number;
  created_by: string; created_at: Date; applied_at: Date | null; applied_by: string | null;
}
const toProposal = (r: ProposalRow): ProposalRecord => ({
  id: r.id, summary: r.summary, explanation: r.explanation, document: r.document, simulation: r.simulation, targetCostShare: Number(r.target_cost_share),
  createdBy: r.created_by, createdAt: r.created_at, appliedAt: r.applied_at, appliedBy: r.applied_by,
});

export function simulationRepository(sql: Sql): SimulationRepository {
  return {
    async insert(storeId, s) {
      await write(sql,
        `INSERT INTO simulations (store_id, id, status, input, result, error, progress, created_by, created_at, finished_at) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10)`,
        [storeId, s.id, s.status, json(s.input), json(s.result), s.error, s.progress, s.createdBy, s.createdAt, s.finishedAt]);
    },
    async get(storeId, id) {
      const [row] = await sql.query<SimulationRow>("SELECT * FROM simulations WHERE store_id = $1 AND id = $2", [storeId, id]);
      return row ? toSimulation(row) : null;
    },
    async list(storeId, limit, cursor) {
      const rows = await sql.query<SimulationRow>(
        "SELECT * FROM simulations WHERE store_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3", [storeId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toSimulation);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async progress(storeId, id, share) {
      await write(sql, "UPDATE simulations SET progress = $3 WHERE store_id = $1 AND id = $2 AND status = 'running' AND progress < $3", [storeId, id, share]);
    },
    async finish(storeId, id, o) {
      // Done is all of it; a failure keeps how far it got.
      await write(sql, "UPDATE simulations SET status = $3, result = $4::jsonb, error = $5, finished_at = $6, progress = CASE WHEN $3 = 'done' THEN 1 ELSE progress END WHERE store_id = $1 AND id = $2 AND status = 'running'",
        [storeId, id, o.status, json(o.result), o.error, o.at]);
    },
    async abandonRunning(before, at) {
      const rows = await sql.query(
        "UPDATE simulations SET status = 'failed', error = 'the server stopped while it ran', finished_at = $2 WHERE status = 'running' AND created_at < $1 RETURNING id",
        [before, at]);
      return rows.length;
    },
    async insertProposals(storeId, proposals) {
      for (const p of proposals) {
        await write(sql,
          `INSERT INTO assistant_proposals (store_id, id, summary, explanation, document, simulation, target_cost_share, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9)`,
          [storeId, p.id, p.summary, p.explanation, json(p.document), json(p.simulation), p.targetCostShare, p.createdBy, p.createdAt]);
      }
    },
    async getProposal(storeId, id) {
      const [row] = await sql.query<ProposalRow>("SELECT * FROM assistant_proposals WHERE store_id = $1 AND id = $2", [storeId, id]);
      return row ? toProposal(row) : null;
    },
    async markApplied(storeId, id, actor, at) {
      await write(sql, "UPDATE assistant_proposals SET applied_at = $3, applied_by = $4 WHERE store_id = $1 AND id = $2", [storeId, id, at, actor]);
    },
    async lastApplied(storeId) {
      const [row] = await sql.query<{ at: Date | null }>("SELECT max(applied_at) AS at FROM assistant_proposals WHERE store_id = $1 AND applied_at IS NOT NULL", [storeId]);
      return row?.at ? new Date(row.at) : null;
    },
  };
}

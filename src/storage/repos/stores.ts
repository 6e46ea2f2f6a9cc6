import type { StoreRepository } from "../../core/ports/repositories.ts";
import type { StoreRecord } from "../../core/ports/records.ts";
import { withProgramDefaults, type ProgramSettings } from "../../core/program/settings.ts";
import { json, type Sql } from "../sql.ts";

export interface StoreRow {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  sandbox: boolean;
  clock_now: Date | null;
  program: ProgramSettings;
  created_at: Date;
  program_version: string | number;
}

export const toStore = (r: StoreRow): StoreRecord => ({
  id: r.id,
  name: r.name,
  currency: r.currency,
  timezone: r.timezone,
  sandbox: r.sandbox,
  clockNow: r.clock_now,
  program: withProgramDefaults(r.program),
  createdAt: r.created_at,
  programVersion: Number(r.program_version),
});

/** Marks the store's earn rules or tiers changed, so cached copies of its program are read afresh. */
export async function programChanged(sql: Sql, storeId: string): Promise<void> {
  await sql.query("UPDATE stores SET program_version = program_version + 1 WHERE id = $1", [storeId]);
}

export function storeRepository(sql: Sql): StoreRepository {
  return {
    async insert(s) {
      await sql.query(
        `INSERT INTO stores (id, name, currency, timezone, sandbox, clock_now, program, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
        [s.id, s.name, s.currency, s.timezone, s.sandbox, s.clockNow, json(s.program), s.createdAt],
      );
    },
    async get(storeId) {
      const [row] = await sql.query<StoreRow>("SELECT * FROM stores WHERE id = $1", [storeId]);
      return row ? toStore(row) : null;
    },
    async lock(storeId) {
      const [row] = await sql.query<StoreRow>("SELECT * FROM stores WHERE id = $1 FOR UPDATE", [storeId]);
      return row ? toStore(row) : null;
    },
    async update(s) {
      await sql.query(
        "UPDATE stores SET name = $2, clock_now = $3, program = $4::jsonb WHERE id = $1",
        [s.id, s.name, s.clockNow, json(s.program)],
      );
    },
    async list() {
      return (await sql.query<StoreRow>("SELECT * FROM stores ORDER BY id")).map(toStore);
    },
    async claimDueWork(storeId, holder, ttlMs) {
      // SKIP LOCKED: a lease row another process is renewing right now is theirs; skip, don't wait.
      // `store_id = $1` outside the subquery too, so a sharded database sees one store's row.
      const renewed = await sql.query(
        `UPDATE due_work_leases SET holder = $2, expires_at = statement_timestamp() + $3::double precision * interval '1 millisecond'
         WHERE store_id = $1 AND store_id = (SELECT store_id FROM due_work_leases WHERE store_id = $1
           AND (holder = $2 OR expires_at <= statement_timestamp()) FOR UPDATE SKIP LOCKED)
         RETURNING store_id`,
        [storeId, holder, ttlMs],
      );
      if (renewed.length > 0) return true;
      // No row yet (the store's first run): one inserter wins, the others see a conflict. NOT EXISTS
      // keeps the insert from waiting on a row that exists and is being renewed.
      const inserted = await sql.query(
        `INSERT INTO due_work_leases (store_id, holder, expires_at)
         SELECT $1, $2, statement_timestamp() + $3::double precision * interval '1 millisecond'
         WHERE NOT EXISTS (SELECT 1 FROM due_work_leases WHERE store_id = $1)
         ON CONFLICT (store_id) DO NOTHING RETURNING store_id`,
        [storeId, holder, ttlMs],
      );
      return inserted.length > 0;
    },
    async releaseDueWork(storeId, holder) {
      await sql.query("UPDATE due_work_leases SET expires_at = '-infinity' WHERE store_id = $1 AND holder = $2", [storeId, holder]);
    },
  };
}

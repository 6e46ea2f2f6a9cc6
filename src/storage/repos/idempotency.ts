import type { IdempotencyRepository, StoredCommand, StoredOutcome } from "../../core/ports/repositories.ts";
import { json, type Sql, write } from "../sql.ts";

export function idempotencyRepository(sql: Sql): IdempotencyRepository {
  return {
    async claim(storeId, scope, key, fingerprint, now, reuseBefore) {
      // A concurrent claimant of the same key blocks on the unique index until the first commits;
      // an expired key is taken over in place, under the same row lock.
      const inserted = await sql.query(
        `INSERT INTO idempotency (store_id, scope, key, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (store_id, scope, key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at, response = NULL
           WHERE $6::timestamptz IS NOT NULL AND idempotency.created_at < $6::timestamptz
         RETURNING key`,
        [storeId, scope, key, fingerprint, now, reuseBefore],
      );
      if (inserted.length > 0) return "claimed";
      const [row] = await sql.query<{ fingerprint: string; response: StoredOutcome }>(
        "SELECT fingerprint, response FROM idempotency WHERE store_id = $1 AND scope = $2 AND key = $3",
        [storeId, scope, key],
      );
      return { fingerprint: row!.fingerprint, outcome: row!.response };
    },
    async releaseMany(storeId, scope, keys) {
      if (keys.length === 0) return;
      await sql.query("DELETE FROM idempotency WHERE store_id = $1 AND scope = $2 AND key = ANY($3::text[])", [storeId, scope, keys]);
    },
    async purge(scope, before, limit) {
      const rows = await sql.query(
        `DELETE FROM idempotency WHERE (store_id, scope, key) IN (
           SELECT store_id, scope, key FROM idempotency WHERE scope = $1 AND created_at < $2 LIMIT $3)
         RETURNING key`,
        [scope, before, limit],
      );
      return rows.length;
    },
    async claimMany(storeId, scope, items) {
      const result = new Map<string, StoredCommand | "claimed">();
      if (items.length === 0) return result;
      // Sorted, so two batches sharing keys wait for each other instead of deadlocking.
      const sorted = [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const inserted = await sql.query<{ key: string }>(
        `INSERT INTO idempotency (store_id, scope, key, fingerprint)
         SELECT $1, $2, x.key, x.fingerprint FROM jsonb_to_recordset($3::jsonb) AS x(key text, fingerprint text) ORDER BY x.key
         ON CONFLICT (store_id, scope, key) DO NOTHING RETURNING key`,
        [storeId, scope, json(sorted)],
      );
      for (const r of inserted) result.set(r.key, "claimed");
      const others = sorted.filter((i) => !result.has(i.key)).map((i) => i.key);
      if (others.length > 0) {
        const rows = await sql.query<{ key: string; fingerprint: string; response: StoredOutcome }>(
          "SELECT key, fingerprint, response FROM idempotency WHERE store_id = $1 AND scope = $2 AND key = ANY($3::text[])",
          [storeId, scope, others],
        );
        for (const r of rows) result.set(r.key, { fingerprint: r.fingerprint, outcome: r.response });
      }
      return result;
    },
    async completeMany(storeId, scope, items) {
      if (items.length === 0) return;
      // Every row was claimed earlier in this transaction, so each one conflicts and is updated.
      // ON CONFLICT finds each row by the primary key, whatever the planner knows about the table
      // (an UPDATE … FROM joined by a plan of its choosing, and without statistics it filtered
      // the batch's keys over every key of the store).
      await write(sql, 
        `INSERT INTO idempotency (store_id, scope, key, fingerprint, response)
         SELECT $1, $2, x.key, '', x.response
         FROM jsonb_to_recordset($3::jsonb) AS x(key text, response jsonb)
         ON CONFLICT (store_id, scope, key) DO UPDATE SET response = EXCLUDED.response`,
        [storeId, scope, json(items.map((i) => ({ key: i.key, response: i.outcome })))],
      );
    },
    async complete(storeId, scope, key, outcome) {
      await write(sql, 
        "UPDATE idempotency SET response = $4::jsonb WHERE store_id = $1 AND scope = $2 AND key = $3",
        [storeId, scope, key, json(outcome)],
      );
    },
  };
}

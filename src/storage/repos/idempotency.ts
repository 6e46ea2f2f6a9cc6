import type { IdempotencyRepository } from "../../core/ports/repositories.ts";
import { json, type Sql } from "../sql.ts";

export function idempotencyRepository(sql: Sql): IdempotencyRepository {
  return {
    async claim(storeId, scope, key, fingerprint) {
      // A concurrent claimant of the same key blocks on the unique index until the first commits.
      const inserted = await sql.query(
        `INSERT INTO idempotency (store_id, scope, key, fingerprint) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store_id, scope, key) DO NOTHING RETURNING key`,
        [storeId, scope, key, fingerprint],
      );
      if (inserted.length > 0) return "claimed";
      const [row] = await sql.query<{ fingerprint: string; status_code: number; response: unknown }>(
        "SELECT fingerprint, status_code, response FROM idempotency WHERE store_id = $1 AND scope = $2 AND key = $3",
        [storeId, scope, key],
      );
      return { fingerprint: row!.fingerprint, statusCode: row!.status_code, body: row!.response };
    },
    async complete(storeId, scope, key, statusCode, body) {
      await sql.query(
        "UPDATE idempotency SET status_code = $4, response = $5::jsonb WHERE store_id = $1 AND scope = $2 AND key = $3",
        [storeId, scope, key, statusCode, json(body)],
      );
    },
  };
}

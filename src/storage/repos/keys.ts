import type { KeyRepository } from "../../core/ports/repositories.ts";
import type { ApiKeyRecord, Page, Role } from "../../core/ports/records.ts";
import type { Sql } from "../sql.ts";

interface KeyRow {
  store_id: string;
  id: string;
  name: string;
  role: Role;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toKey = (r: KeyRow): ApiKeyRecord => ({
  storeId: r.store_id,
  id: r.id,
  name: r.name,
  role: r.role,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export function keyRepository(sql: Sql): KeyRepository {
  return {
    async insert(k, keyHash) {
      await sql.query(
        `INSERT INTO api_keys (store_id, id, name, role, key_hash, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [k.storeId, k.id, k.name, k.role, keyHash, k.createdBy, k.createdAt],
      );
    },
    async findByHash(storeId, keyHash) {
      const [row] = await sql.query<KeyRow>(
        "SELECT * FROM api_keys WHERE store_id = $1 AND key_hash = $2 AND revoked_at IS NULL",
        [storeId, keyHash],
      );
      return row ? toKey(row) : null;
    },
    async revoke(storeId, id, at) {
      const [row] = await sql.query<KeyRow>(
        "UPDATE api_keys SET revoked_at = $3 WHERE store_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING *",
        [storeId, id, at],
      );
      return row ? toKey(row) : null;
    },
    async list(storeId, limit, cursor) {
      // Key ids are time-ordered, so id order is creation order.
      const rows = await sql.query<KeyRow>(
        "SELECT * FROM api_keys WHERE store_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3", [storeId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toKey);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
  };
}

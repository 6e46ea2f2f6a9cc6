import type { MemberTokenRepository, MemberTokenSecrets } from "../../core/ports/member-tokens.ts";
import type { Sql } from "../sql.ts";

interface Row {
  secret: string;
  previous: string | null;
  previous_until: Date | null;
  rotated_at: Date;
}

const toSecrets = (r: Row): MemberTokenSecrets => ({ secret: r.secret, previous: r.previous, previousUntil: r.previous_until, rotatedAt: r.rotated_at });

export function memberTokenRepository(sql: Sql): MemberTokenRepository {
  return {
    async get(storeId) {
      const [row] = await sql.query<Row>("SELECT secret, previous, previous_until, rotated_at FROM member_token_secrets WHERE store_id = $1", [storeId]);
      return row ? toSecrets(row) : null;
    },
    async lock(storeId) {
      // The store row is locked too, so two first secrets for one store cannot race past each other.
      await sql.query("SELECT 1 FROM stores WHERE id = $1 FOR UPDATE", [storeId]);
      const [row] = await sql.query<Row>("SELECT secret, previous, previous_until, rotated_at FROM member_token_secrets WHERE store_id = $1 FOR UPDATE", [storeId]);
      return row ? toSecrets(row) : null;
    },
    async save(storeId, s) {
      await sql.query(
        `INSERT INTO member_token_secrets (store_id, secret, previous, previous_until, rotated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (store_id) DO UPDATE SET secret = EXCLUDED.secret, previous = EXCLUDED.previous, previous_until = EXCLUDED.previous_until, rotated_at = EXCLUDED.rotated_at`,
        [storeId, s.secret, s.previous, s.previousUntil, s.rotatedAt]);
    },
  };
}

import type { AuditRepository } from "../../core/ports/repositories.ts";
import type { AuditRecord } from "../../core/ports/records.ts";
import { json, type Sql, write } from "../sql.ts";

interface AuditRow { id: string; at: Date; actor: string; action: string; entity_type: string; entity_id: string; before: unknown; after: unknown }

export function auditRepository(sql: Sql): AuditRepository {
  return {
    async insert(storeId, r) {
      await write(sql, 
        `INSERT INTO audit_log (store_id, id, at, actor, action, entity_type, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)`,
        [storeId, r.id, r.at, r.actor, r.action, r.entityType, r.entityId, json(r.before), json(r.after)],
      );
    },
    async list(storeId, limit, cursor) {
      // Ids are time-ordered, so id order is creation order; the cursor is the last id seen.
      const rows = await sql.query<AuditRow>(
        `SELECT * FROM audit_log WHERE store_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
        [storeId, cursor, limit + 1],
      );
      const data: AuditRecord[] = rows.slice(0, limit).map((r) => ({
        id: r.id, at: r.at, actor: r.actor, action: r.action, entityType: r.entity_type, entityId: r.entity_id, before: r.before, after: r.after,
      }));
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
  };
}

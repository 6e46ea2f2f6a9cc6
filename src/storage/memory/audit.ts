import type { AuditRepository } from "../../core/ports/repositories.ts";
import { uniqueViolation } from "./errors.ts";
import { peek } from "./state.ts";
import { tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, fromJsonb, page, timestamp } from "./values.ts";

export function auditRepository(tx: MemoryTx): AuditRepository {
  const { jsonb } = tx.state.documents;
  return {
    async insert(storeId, r) {
      const t = tenantFor(tx, storeId);
      if (t.audit.has(r.id)) throw uniqueViolation("audit_log", `id=${r.id}`);
      tx.put(t.audit, r.id, {
        id: r.id, at: timestamp(r.at, "at"), actor: r.actor, action: r.action, entityType: r.entityType, entityId: r.entityId,
        before: jsonb(r.before), after: jsonb(r.after),
      });
    },
    async list(storeId, limit, cursor) {
      // Ids are time-ordered, so id order is creation order; newest first.
      const rows = firstN(peek(tx.state, storeId).audit.values(), (r) => cursor === null || compareText(r.id, cursor) < 0, (a, b) => compareText(b.id, a.id), limit + 1);
      return page(rows, limit, (r) => ({
        id: r.id, at: r.at, actor: r.actor, action: r.action, entityType: r.entityType, entityId: r.entityId,
        before: fromJsonb(r.before), after: fromJsonb(r.after),
      }), (r) => r.id);
    },
  };
}

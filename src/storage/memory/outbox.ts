import { newId } from "../../core/ids.ts";
import type { OutgoingEvent, OutgoingType } from "../../core/outgoing/events.ts";
import type { OutboxRepository } from "../../core/ports/repositories.ts";
import { rowsOf, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import type { OutboxRow, Tenant } from "./state.ts";

const toEvent = (storeId: string, r: OutboxRow): OutgoingEvent => ({
  id: r.id, type: r.topic as OutgoingType, storeId, memberId: r.memberId, occurredAt: r.occurredAt.toISOString(),
  data: structuredClone(r.payload) as Record<string, unknown>,
});

/** Writes an outbox row and keeps its indexes: the last seq, and the rows not dispatched yet. */
function putEvent(tx: MemoryTx, t: Tenant, row: OutboxRow): void {
  tx.put(t.outbox, row.id, row);
  if (row.seq > (t.outboxSeq.get("outbox") ?? 0)) tx.put(t.outboxSeq, "outbox", row.seq);
  if (row.dispatchedAt === null) tx.add(t.undispatched, row.id);
  else tx.remove(t.undispatched, row.id);
}

const bySeq = (a: OutboxRow, b: OutboxRow) => a.seq - b.seq;

/**
 * Events in the order they were added. Transactions run one at a time here, so the feed never has
 * to wait for a running one (the SQL adapter hides events a running transaction could precede).
 */
export function outboxRepository(tx: MemoryTx): OutboxRepository {
  const { requiredJsonb } = tx.state.documents;
  return {
    async add(storeId, messages) {
      if (messages.length === 0) return;
      const t = tenantFor(tx, storeId);
      // Rows are never deleted, so the last seq (undone with the rows) is the table's highest.
      let seq = t.outboxSeq.get("outbox") ?? 0;
      for (const m of messages) {
        const id = newId("evt");
        seq += 1;
        putEvent(tx, t, {
          id, seq, topic: m.type, memberId: m.memberId, payload: requiredJsonb(m.data, "outbox", "payload"),
          occurredAt: new Date(m.occurredAt), createdAt: tx.startedAt, dispatchedAt: null,
        });
      }
    },
    async storesWithUndispatched(limit) {
      const ids = [...tx.state.tenants].filter(([, t]) => t.undispatched.size > 0).map(([id]) => id);
      return ids.slice(0, limit);
    },
    async claimUndispatched(storeId, limit) {
      // Transactions run one at a time here: there is never another dispatcher to wait for.
      const t = tenantFor(tx, storeId);
      return [...rowsOf(t.outbox, t.undispatched)].sort(bySeq).slice(0, limit).map((r) => toEvent(storeId, r));
    },
    async pendingCount() {
      let n = 0;
      for (const t of tx.state.tenants.values()) n += t.undispatched.size;
      return n;
    },
    async markDispatched(storeId, ids, at) {
      const t = tenantFor(tx, storeId);
      for (const id of ids) {
        const row = t.outbox.get(id);
        if (row) putEvent(tx, t, { ...row, dispatchedAt: new Date(at) });
      }
    },
    async feed(storeId, query) {
      const t = tenantFor(tx, storeId);
      const after = query.after === null ? 0 : Number(query.after);
      const rows = [...t.outbox.values()]
        .filter((r) => r.seq > after && (query.type === undefined || r.topic === query.type) && (query.memberId === undefined || r.memberId === query.memberId))
        .sort((a, b) => a.seq - b.seq)
        .slice(0, query.limit + 1);
      const page = rows.slice(0, query.limit);
      return {
        data: page.map((r) => toEvent(storeId, r)),
        nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.seq) : null,
      };
    },
  };
}

import { newId } from "../../core/ids.ts";
import type { OutgoingEvent, OutgoingType } from "../../core/outgoing/events.ts";
import type { OutboxRepository } from "../../core/ports/repositories.ts";
import { tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import type { OutboxRow } from "./state.ts";
import { requiredJsonb } from "./values.ts";

const toEvent = (storeId: string, r: OutboxRow): OutgoingEvent => ({
  id: r.id, type: r.topic as OutgoingType, storeId, memberId: r.memberId, occurredAt: r.occurredAt.toISOString(),
  data: structuredClone(r.payload) as Record<string, unknown>,
});

/**
 * Events in the order they were added. Transactions run one at a time here, so the feed never has
 * to wait for a running one (the SQL adapter hides events a running transaction could precede).
 */
export function outboxRepository(tx: MemoryTx): OutboxRepository {
  return {
    async add(storeId, messages) {
      if (messages.length === 0) return;
      const t = tenantFor(tx, storeId);
      let seq = 0;
      for (const r of t.outbox.values()) seq = Math.max(seq, r.seq);
      for (const m of messages) {
        const id = newId("evt");
        seq += 1;
        tx.put(t.outbox, id, {
          id, seq, topic: m.type, memberId: m.memberId, payload: requiredJsonb(m.data, "outbox", "payload"),
          occurredAt: new Date(m.occurredAt), createdAt: tx.startedAt, dispatchedAt: null,
        });
      }
    },
    async storesWithUndispatched(limit) {
      const ids = [...tx.state.tenants].filter(([, t]) => [...t.outbox.values()].some((r) => r.dispatchedAt === null)).map(([id]) => id);
      return ids.slice(0, limit);
    },
    async claimUndispatched(storeId, limit) {
      // Transactions run one at a time here: there is never another dispatcher to wait for.
      const t = tenantFor(tx, storeId);
      return [...t.outbox.values()].filter((r) => r.dispatchedAt === null).sort((a, b) => a.seq - b.seq).slice(0, limit).map((r) => toEvent(storeId, r));
    },
    async pendingCount() {
      let n = 0;
      for (const t of tx.state.tenants.values()) for (const r of t.outbox.values()) if (r.dispatchedAt === null) n++;
      return n;
    },
    async markDispatched(storeId, ids, at) {
      const t = tenantFor(tx, storeId);
      for (const id of ids) {
        const row = t.outbox.get(id);
        if (row) tx.put(t.outbox, id, { ...row, dispatchedAt: new Date(at) });
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

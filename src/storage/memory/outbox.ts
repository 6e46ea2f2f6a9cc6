import { newId } from "../../core/ids.ts";
import type { OutboxRepository } from "../../core/ports/repositories.ts";
import { tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { requiredJsonb } from "./values.ts";

/** Messages in the order they were added (ids are time-ordered too); nothing here delivers them. */
export function outboxRepository(tx: MemoryTx): OutboxRepository {
  const add = (storeId: string, messages: ReadonlyArray<{ topic: string; memberId: string | null; payload: unknown }>) => {
    const t = tenantFor(tx, storeId);
    for (const m of messages) {
      const id = newId("obx");
      tx.put(t.outbox, id, { id, topic: m.topic, memberId: m.memberId, payload: requiredJsonb(m.payload, "outbox", "payload"), createdAt: tx.startedAt, deliveredAt: null });
    }
  };
  return {
    async add(storeId, topic, memberId, payload) {
      add(storeId, [{ topic, memberId, payload }]);
    },
    async addMany(storeId, messages) {
      if (messages.length > 0) add(storeId, messages);
    },
  };
}

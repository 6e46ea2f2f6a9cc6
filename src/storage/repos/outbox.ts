import { newId } from "../../core/ids.ts";
import type { OutboxRepository } from "../../core/ports/repositories.ts";
import { json, type Sql, write } from "../sql.ts";

export function outboxRepository(sql: Sql): OutboxRepository {
  return {
    async add(storeId, topic, memberId, payload) {
      await write(sql, "INSERT INTO outbox (store_id, id, topic, member_id, payload) VALUES ($1, $2, $3, $4, $5::jsonb)",
        [storeId, newId("obx"), topic, memberId, json(payload)]);
    },
    async addMany(storeId, messages) {
      if (messages.length === 0) return;
      await write(sql, 
        `INSERT INTO outbox (store_id, id, topic, member_id, payload)
         SELECT $1, x.id, x.topic, x.member_id, x.payload FROM jsonb_to_recordset($2::jsonb) AS x(id text, topic text, member_id text, payload jsonb)`,
        [storeId, json(messages.map((m) => ({ id: newId("obx"), topic: m.topic, member_id: m.memberId, payload: m.payload })))]);
    },
  };
}

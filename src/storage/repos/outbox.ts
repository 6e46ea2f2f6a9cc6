import { newId } from "../../core/ids.ts";
import type { OutboxRepository } from "../../core/ports/repositories.ts";
import { json, type Sql } from "../sql.ts";

export function outboxRepository(sql: Sql): OutboxRepository {
  return {
    async add(storeId, topic, memberId, payload) {
      await sql.query("INSERT INTO outbox (store_id, id, topic, member_id, payload) VALUES ($1, $2, $3, $4, $5::jsonb)",
        [storeId, newId("obx"), topic, memberId, json(payload)]);
    },
  };
}

import { newId } from "../../core/ids.ts";
import type { OutgoingEvent, OutgoingType } from "../../core/outgoing/events.ts";
import type { OutboxRepository } from "../../core/ports/repositories.ts";
import { json, type Sql, write } from "../sql.ts";

interface FeedRow {
  id: string;
  topic: OutgoingType;
  member_id: string | null;
  occurred_at: Date;
  payload: Record<string, unknown>;
  seq: string | number;
}

const toEvent = (storeId: string, r: FeedRow): OutgoingEvent => ({
  id: r.id, type: r.topic, storeId, memberId: r.member_id, occurredAt: r.occurred_at.toISOString(), data: r.payload,
});

export function outboxRepository(sql: Sql): OutboxRepository {
  return {
    async add(storeId, messages) {
      if (messages.length === 0) return;
      // One row per event, numbered in the order given (the identity column follows the rows' order).
      await write(sql,
        `INSERT INTO outbox (store_id, id, topic, member_id, payload, occurred_at)
         SELECT $1, x.id, x.topic, x.member_id, x.payload, x.occurred_at
         FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (id text, topic text, member_id text, payload jsonb, occurred_at timestamptz))
           WITH ORDINALITY AS x(id, topic, member_id, payload, occurred_at, n)
         ORDER BY x.n`,
        [storeId, json(messages.map((m) => ({ id: newId("evt"), topic: m.type, member_id: m.memberId, payload: m.data, occurred_at: m.occurredAt })))]);
    },
    async storesWithUndispatched(limit) {
      const rows = await sql.query<{ store_id: string }>(
        "SELECT DISTINCT store_id FROM outbox WHERE dispatched_at IS NULL LIMIT $1", [limit]);
      return rows.map((r) => r.store_id);
    },
    async claimUndispatched(storeId, limit) {
      const [lock] = await sql.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok", [`${storeId}:dispatch`]);
      if (!lock?.ok) return [];
      const rows = await sql.query<FeedRow>(
        `SELECT id, topic, member_id, occurred_at, payload, seq FROM outbox
         WHERE store_id = $1 AND dispatched_at IS NULL ORDER BY seq LIMIT $2`,
        [storeId, limit]);
      return rows.map((r) => toEvent(storeId, r));
    },
    async pendingCount() {
      const [row] = await sql.query<{ n: string | number }>("SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL");
      return Number(row?.n ?? 0);
    },
    async markDispatched(storeId, ids, at) {
      if (ids.length === 0) return;
      await write(sql, "UPDATE outbox SET dispatched_at = $3 WHERE store_id = $1 AND id = ANY($2::text[])", [storeId, [...ids], at]);
    },
    async feed(storeId, query) {
      const after = query.after === null ? 0 : Number(query.after);
      const rows = await sql.query<FeedRow>(
        `SELECT id, topic, member_id, occurred_at, payload, seq FROM outbox
         WHERE store_id = $1 AND seq > $2 AND txid < pg_snapshot_xmin(pg_current_snapshot())
           AND ($3::text IS NULL OR topic = $3) AND ($4::text IS NULL OR member_id = $4)
         ORDER BY seq LIMIT $5`,
        [storeId, after, query.type ?? null, query.memberId ?? null, query.limit + 1]);
      const page = rows.slice(0, query.limit);
      return {
        data: page.map((r) => toEvent(storeId, r)),
        nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.seq) : null,
      };
    },
  };
}

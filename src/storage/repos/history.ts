import type { HistoryRepository, InputEntry } from "../../core/ports/history.ts";
import type { EntryType, SourceType } from "../../core/ledger/types.ts";
import { newId } from "../../core/ids.ts";
import { json, write, type Sql } from "../sql.ts";
import type { Order } from "../../core/orders/order.ts";
import type { Cart } from "../../core/redemption/quote.ts";
import type { EventMemberFacts } from "../../core/rules/event.ts";

/**
 * An instant as milliseconds since the epoch (floored, as a Date keeps them): a history is over a
 * million instants, and a number is read many times faster than the text of a timestamptz.
 */
const ms = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;

const instant = (value: number) => new Date(value);
const optionalInstant = (value: number | null) => (value === null ? null : new Date(value));

/**
 * A store's recorded inputs, each read whole in one statement: a simulation reads them once, in a
 * read-only transaction of its own, off the request path.
 */
export function historyRepository(sql: Sql): HistoryRepository {
  return {
    async snapshot() {
      // PostgreSQL's default (READ COMMITTED) takes a new snapshot for every statement.
      await sql.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    },
    async logOrderUpdate(storeId, u) {
      await write(sql, "INSERT INTO order_updates (store_id, id, order_id, at, body) VALUES ($1, $2, $3, $4, $5::jsonb)", [storeId, newId("ou"), u.orderId, u.at, json(u.order)]);
    },
    async orderUpdates(storeId) {
      // The document as text (HistoryOrderUpdate): PostgreSQL prints it, nothing here parses it.
      const rows = await sql.query<{ id: string; order_id: string; at: number; member_id: string | null; body: string }>(
        `SELECT id, order_id, ${ms("at")} AS at, body->>'memberId' AS member_id, body::text AS body FROM order_updates WHERE store_id = $1 ORDER BY id`, [storeId]);
      return rows.map((r) => ({ id: r.id, orderId: r.order_id, at: instant(r.at), memberId: r.member_id, body: r.body }));
    },
    async members(storeId) {
      const rows = await sql.query<{ member_id: string; email: string | null; phone: string | null; birthday: string | null; tags: string[]; is_member: boolean; language: string | null; manual_tier: string | null; created_at: Date }>(
        `SELECT member_id, email, phone, birthday, tags, is_member, language, manual_tier, created_at FROM members WHERE store_id = $1 ORDER BY member_id`, [storeId]);
      return rows.map((r) => ({
        memberId: r.member_id, email: r.email, phone: r.phone, birthday: r.birthday, tags: r.tags, isMember: r.is_member,
        language: r.language, manualTier: r.manual_tier, createdAt: r.created_at,
      }));
    },
    async events(storeId) {
      const rows = await sql.query<{
        id: string; type: string; member_id: string; occurred_at: number; channel: string; properties: Record<string, unknown>; recorded_at: number; member: EventMemberFacts | null;
      }>(`SELECT id, type, member_id, ${ms("occurred_at")} AS occurred_at, channel, properties, ${ms("recorded_at")} AS recorded_at, member
          FROM events WHERE store_id = $1 ORDER BY id`, [storeId]);
      return rows.map((r) => ({
        id: r.id, type: r.type, memberId: r.member_id, occurredAt: instant(r.occurred_at), channel: r.channel, properties: r.properties, recordedAt: instant(r.recorded_at), member: r.member,
      }));
    },
    async orders(storeId) {
      const rows = await sql.query<{ id: string; eligibility: never; origin: never; created_at: number; updated_at: number }>(
        `SELECT id, eligibility, origin, ${ms("created_at")} AS created_at, ${ms("updated_at")} AS updated_at FROM orders WHERE store_id = $1 ORDER BY id`, [storeId]);
      return rows.map((r) => ({ id: r.id, eligibility: r.eligibility, origin: r.origin, createdAt: instant(r.created_at), updatedAt: instant(r.updated_at) }));
    },
    async orderBodies(storeId, orderIds) {
      if (orderIds.length === 0) return new Map();
      const rows = await sql.query<{ id: string; body: Order }>("SELECT id, body FROM orders WHERE store_id = $1 AND id = ANY($2::text[])", [storeId, [...orderIds]]);
      return new Map(rows.map((r) => [r.id, r.body]));
    },
    async redemptions(storeId) {
      const rows = await sql.query<{ id: string; member_id: string; method_id: string; type: string; points: number | string; order_id: string | null; channel: string | null; cart: Cart | null }>(
        `SELECT id, member_id, method_id, type, points, order_id, channel, cart FROM redemptions WHERE store_id = $1 ORDER BY id`, [storeId]);
      return rows.map((r) => ({
        id: r.id, memberId: r.member_id, methodId: r.method_id, type: r.type, points: Number(r.points), orderId: r.order_id, channel: r.channel, cart: r.cart,
      }));
    },
    async inputEntries(storeId) {
      // Two statements in one, each a plain scan: an order's entries only when it has no logged
      // updates, as an anti-join PostgreSQL hashes (written as one condition with an OR, it tested
      // every order entry against the updates one by one).
      const rows = await sql.query<{
        id: string; member_id: string; type: EntryType; points: number | string; delta: number | string; balance_after: number | string; at: number;
        actor: string; reason: string | null; source_type: SourceType; source_ref: string | null;
        earned_at: number | null; available_at: number | null; expires_at: number | null;
      }>(
        `SELECT e.id, e.member_id, e.type, e.points, e.delta, e.balance_after, ${ms("e.at")} AS at, e.actor, e.reason, e.source_type, e.source_ref,
                ${ms("l.earned_at")} AS earned_at, ${ms("l.available_at")} AS available_at, ${ms("l.expires_at")} AS expires_at
         FROM entries e
         LEFT JOIN lots l ON e.type = 'import' AND l.store_id = e.store_id AND l.id = e.lot_id
         WHERE e.store_id = $1 AND e.type NOT IN ('mature', 'expire') AND e.source_type <> 'order'
         UNION ALL
         SELECT e.id, e.member_id, e.type, e.points, e.delta, e.balance_after, ${ms("e.at")}, e.actor, e.reason, e.source_type, e.source_ref, NULL, NULL, NULL
         FROM entries e
         WHERE e.store_id = $1 AND e.type NOT IN ('mature', 'expire') AND e.source_type = 'order'
           AND NOT EXISTS (SELECT 1 FROM order_updates u WHERE u.store_id = e.store_id AND u.order_id = e.source_ref)
         ORDER BY id`, [storeId]);
      return rows.map((r): InputEntry => ({
        id: r.id, memberId: r.member_id, type: r.type, points: Number(r.points), delta: Number(r.delta), balanceAfter: Number(r.balance_after),
        at: instant(r.at), actor: r.actor, reason: r.reason, sourceType: r.source_type, sourceRef: r.source_ref,
        lot: r.earned_at !== null && r.available_at !== null ? { earnedAt: instant(r.earned_at), availableAt: instant(r.available_at), expiresAt: optionalInstant(r.expires_at) } : null,
      }));
    },
  };
}

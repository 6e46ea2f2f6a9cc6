import type { ExportPage, ExportRepository } from "../../core/ports/repositories.ts";
import type { Sql } from "../sql.ts";

/**
 * Keyset-paged reads for CSV exports: each page is one short query, so an export of millions of
 * rows holds no transaction open and streams in constant memory.
 */
export function exportRepository(sql: Sql): ExportRepository {
  const page = async (text: string, params: unknown[], limit: number, keyOf: (r: Record<string, unknown>) => string): Promise<ExportPage> => {
    const rows = await sql.query<Record<string, unknown>>(text, params);
    return { rows, next: rows.length === limit ? keyOf(rows[rows.length - 1]!) : null };
  };
  return {
    members(storeId, range, after, limit) {
      return page(
        `SELECT member_id, email, phone, birthday, tier, is_member, language, tags, balance, pending, held, debt, created_at, updated_at
         FROM members WHERE store_id = $1 AND ($2::text IS NULL OR member_id > $2)
           AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)
         ORDER BY member_id LIMIT $5`,
        [storeId, after, range.from ?? null, range.to ?? null, limit], limit, (r) => String(r.member_id));
    },
    ledger(storeId, range, after, limit) {
      // Entry ids start with a time-ordered part, so id order is the order entries were written in.
      return page(
        `SELECT id, member_id, seq, type, points, balance_after, at, actor, reason, source_type, source_ref, lot_id, hold_id
         FROM entries WHERE store_id = $1 AND ($2::text IS NULL OR id > $2)
           AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
         ORDER BY id LIMIT $5`,
        [storeId, after, range.from ?? null, range.to ?? null, limit], limit, (r) => String(r.id));
    },
    orders(storeId, range, after, limit) {
      return page(
        // Instants as instants (UTC on the way out), whatever offset the order was sent with.
        `SELECT o.id, o.member_id, o.channel, o.placed_at, (o.body->>'paidAt')::timestamptz AS paid_at,
                (o.body->>'fulfilledAt')::timestamptz AS fulfilled_at, (o.body->>'deliveredAt')::timestamptz AS delivered_at,
                (o.body->>'canceledAt')::timestamptz AS canceled_at,
                (SELECT COALESCE(sum((l->>'amount')::bigint), 0) FROM jsonb_array_elements(o.body->'lines') l) AS subtotal,
                COALESCE((o.body->>'discounts')::bigint, 0) AS discounts,
                COALESCE((SELECT sum(a.awarded - a.reversed) FROM order_awards a WHERE a.store_id = o.store_id AND a.order_id = o.id), 0) AS points_earned,
                COALESCE((SELECT sum(a.reversed) FROM order_awards a WHERE a.store_id = o.store_id AND a.order_id = o.id), 0) AS points_reversed,
                COALESCE((SELECT sum(r.points - r.returned) FROM redemptions r WHERE r.store_id = o.store_id AND r.order_id = o.id AND r.status IN ('held', 'completed')), 0) AS points_redeemed
         FROM orders o WHERE o.store_id = $1 AND ($2::text IS NULL OR o.id > $2)
           AND ($3::timestamptz IS NULL OR o.placed_at >= $3) AND ($4::timestamptz IS NULL OR o.placed_at < $4)
         ORDER BY o.id LIMIT $5`,
        [storeId, after, range.from ?? null, range.to ?? null, limit], limit, (r) => String(r.id));
    },
  };
}

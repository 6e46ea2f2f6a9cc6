import type { MemberSummary, MonthFlow, ReportRepository } from "../../core/ports/reports.ts";
import type { Sql } from "../sql.ts";

interface SummaryRow {
  member_id: string;
  email: string | null;
  phone: string | null;
  tier: string | null;
  is_member: boolean;
  balance: number | string;
  pending: number | string;
  held: number | string;
  created_at: Date;
}

const toSummary = (r: SummaryRow): MemberSummary => ({
  memberId: r.member_id, email: r.email, phone: r.phone, tier: r.tier, isMember: r.is_member,
  balance: Number(r.balance), pending: Number(r.pending), held: Number(r.held), createdAt: r.created_at,
});

/** LIKE patterns match literally: the query's own % and _ are escaped. */
const prefix = (query: string) => `${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function reportRepository(sql: Sql): ReportRepository {
  return {
    async searchMembers(storeId, query, limit, cursor) {
      const rows = await sql.query<SummaryRow>(
        `SELECT member_id, email, phone, tier, is_member, balance, pending, held, created_at FROM members
         WHERE store_id = $1 AND ($2::text IS NULL OR member_id > $2)
           AND ($3 = '%' OR member_id LIKE $3 OR lower(email) LIKE lower($3) OR phone LIKE $3)
         ORDER BY member_id LIMIT $4`,
        [storeId, cursor, prefix(query), limit + 1]);
      const data = rows.slice(0, limit).map(toSummary);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.memberId : null };
    },
    async memberCount(storeId) {
      const [row] = await sql.query<{ n: number | string }>("SELECT count(*) AS n FROM members WHERE store_id = $1", [storeId]);
      return Number(row?.n ?? 0);
    },
    async monthlyFlows(storeId, timeZone) {
      // The same classes as \`pointbook verify\`'s issued = outstanding + … check.
      const rows = await sql.query<{ month: string; issued: string | number; redeemed: string | number; expired: string | number; reversed: string | number; outstanding: string | number }>(
        // The month's name made once per month, not once per entry (a fifth of the statement over a year's entries).
        `WITH m AS (
           SELECT date_trunc('month', at AT TIME ZONE $2) AS month,
             sum(CASE WHEN type IN ('earn', 'pending', 'import') OR (type = 'adjust' AND points > 0) THEN points ELSE 0 END) AS issued,
             sum(CASE WHEN type IN ('redeem', 'capture', 'return') THEN -points ELSE 0 END) AS redeemed,
             sum(CASE WHEN type = 'expire' THEN -points ELSE 0 END) AS expired,
             sum(CASE WHEN type = 'reverse' OR (type = 'adjust' AND points < 0) THEN -points ELSE 0 END) AS reversed
           FROM entries WHERE store_id = $1 GROUP BY 1
         )
         SELECT to_char(month, 'YYYY-MM') AS month, issued, redeemed, expired, reversed,
           sum(issued - redeemed - expired - reversed) OVER (ORDER BY month) AS outstanding
         FROM m ORDER BY m.month`,
        [storeId, timeZone]);
      return rows.map((r): MonthFlow => ({
        month: r.month, issued: Number(r.issued), redeemed: Number(r.redeemed), expired: Number(r.expired), reversed: Number(r.reversed), outstanding: Number(r.outstanding),
      }));
    },
  };
}

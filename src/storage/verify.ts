import type { Sql } from "./sql.ts";

export interface Discrepancy {
  storeId: string;
  memberId: string | null;
  check: string;
  expected: number;
  actual: number;
  detail?: string;
}

/**
 * Recomputes every member's figures from lots, entries, allocations and holds and reports where
 * they disagree with each other or with the cached member row. Read-only.
 */
const CHECKS: Array<{ check: string; sql: string }> = [
  {
    check: "balance = sum of entry deltas",
    sql: `SELECT m.store_id, m.member_id, m.balance AS expected, COALESCE(e.total, 0) AS actual
          FROM members m LEFT JOIN (SELECT store_id, member_id, sum(delta) AS total FROM entries GROUP BY 1, 2) e
            ON e.store_id = m.store_id AND e.member_id = m.member_id
          WHERE m.balance <> COALESCE(e.total, 0)`,
  },
  {
    check: "balance = remaining of available lots - debt",
    sql: `SELECT m.store_id, m.member_id, m.balance AS expected, COALESCE(l.total, 0) - m.debt AS actual
          FROM members m LEFT JOIN (SELECT store_id, member_id, sum(remaining) AS total FROM lots WHERE status = 'available' GROUP BY 1, 2) l
            ON l.store_id = m.store_id AND l.member_id = m.member_id
          WHERE m.balance <> COALESCE(l.total, 0) - m.debt`,
  },
  {
    check: "pending = remaining of pending lots",
    sql: `SELECT m.store_id, m.member_id, m.pending AS expected, COALESCE(l.total, 0) AS actual
          FROM members m LEFT JOIN (SELECT store_id, member_id, sum(remaining) AS total FROM lots WHERE status = 'pending' GROUP BY 1, 2) l
            ON l.store_id = m.store_id AND l.member_id = m.member_id
          WHERE m.pending <> COALESCE(l.total, 0)`,
  },
  {
    check: "held = points of open holds",
    sql: `SELECT m.store_id, m.member_id, m.held AS expected, COALESCE(h.total, 0) AS actual
          FROM members m LEFT JOIN (SELECT store_id, member_id, sum(points) AS total FROM holds WHERE status = 'held' GROUP BY 1, 2) h
            ON h.store_id = m.store_id AND h.member_id = m.member_id
          WHERE m.held <> COALESCE(h.total, 0)`,
  },
  {
    check: "lot remaining = points - allocations",
    sql: `SELECT l.store_id, l.member_id, l.points - COALESCE(a.total, 0) AS expected, l.remaining AS actual, l.id AS detail
          FROM lots l LEFT JOIN (SELECT store_id, lot_id, sum(points) AS total FROM allocations GROUP BY 1, 2) a
            ON a.store_id = l.store_id AND a.lot_id = l.id
          WHERE l.remaining <> l.points - COALESCE(a.total, 0)`,
  },
  {
    check: "entry balanceAfter = running sum of deltas",
    sql: `SELECT store_id, member_id, running AS expected, balance_after AS actual, id AS detail FROM (
            SELECT store_id, member_id, id, balance_after,
                   sum(delta) OVER (PARTITION BY store_id, member_id ORDER BY seq) AS running
            FROM entries) x
          WHERE running <> balance_after`,
  },
  {
    check: "entry sequence has no gaps",
    sql: `SELECT m.store_id, m.member_id, m.seq AS expected, COALESCE(e.n, 0) AS actual
          FROM members m LEFT JOIN (SELECT store_id, member_id, count(*) AS n, max(seq) AS top FROM entries GROUP BY 1, 2) e
            ON e.store_id = m.store_id AND e.member_id = m.member_id
          WHERE m.seq <> COALESCE(e.n, 0) OR m.seq <> COALESCE(e.top, 0)`,
  },
  {
    // Every point issued is still outstanding, pending, held, or was redeemed, expired, reversed or deducted.
    check: "issued = outstanding + pending + held + redeemed + expired + reversed + deducted",
    sql: `SELECT m.store_id, m.member_id, COALESCE(f.issued, 0) AS expected,
                 m.balance + m.pending + m.held + COALESCE(f.spent, 0) AS actual
          FROM members m LEFT JOIN (
            SELECT store_id, member_id,
              sum(CASE WHEN type IN ('earn', 'pending', 'import') OR (type = 'adjust' AND points > 0) THEN points ELSE 0 END) AS issued,
              sum(CASE WHEN type IN ('redeem', 'capture', 'expire', 'reverse', 'return') OR (type = 'adjust' AND points < 0) THEN -points ELSE 0 END) AS spent
            FROM entries GROUP BY 1, 2) f
            ON f.store_id = m.store_id AND f.member_id = m.member_id
          WHERE COALESCE(f.issued, 0) <> m.balance + m.pending + m.held + COALESCE(f.spent, 0)`,
  },
];

export async function verifyLedger(sql: Sql, storeId?: string): Promise<Discrepancy[]> {
  const found: Discrepancy[] = [];
  for (const { check, sql: text } of CHECKS) {
    const scoped = storeId ? `SELECT * FROM (${text}) v WHERE v.store_id = $1` : text;
    const rows = await sql.query<{ store_id: string; member_id: string | null; expected: number; actual: number; detail?: string }>(
      scoped,
      storeId ? [storeId] : [],
    );
    for (const r of rows) {
      found.push({ storeId: r.store_id, memberId: r.member_id, check, expected: Number(r.expected), actual: Number(r.actual), ...(r.detail ? { detail: r.detail } : {}) });
    }
  }
  return found;
}

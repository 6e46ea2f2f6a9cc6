import type pg from "pg";

/** Every bulk-loaded member holds this many lots of this many points, one `earn` entry each. */
export const LOTS_PER_MEMBER = 10;
export const POINTS_PER_LOT = 100;
/** Members per INSERT statement: big enough to be fast, small enough to show progress. */
const MEMBERS_PER_STATEMENT = 50_000;

export const memberId = (n: number) => `m${String(n).padStart(7, "0")}`;

/** Expiry of the loaded lots: never (the ledger's history), or all of them already due. */
export type LotExpiry = "never" | "past";

/**
 * Members `from`..`to - 1` of a store, each with LOTS_PER_MEMBER available lots and the matching
 * `earn` entries (seq 1..N, balance_after running up), and the member row's cached figures to
 * match, so `verifyLedger` finds nothing. Bulk SQL (`generate_series`), in id order, so each
 * B-tree grows at its right edge. Ids sort before any id the services make (`lot_00…` < `lot_0m…`),
 * so the loaded history comes first in id order, as it would have been written.
 */
export async function loadMembers(client: pg.Client, storeId: string, from: number, to: number, expiry: LotExpiry, onProgress?: (done: number) => void): Promise<void> {
  // Bulk loading only: a crash would lose the scratch database, which is thrown away anyway.
  await client.query("SET synchronous_commit = off");
  for (let lo = from; lo < to; lo += MEMBERS_PER_STATEMENT) {
    const hi = Math.min(to, lo + MEMBERS_PER_STATEMENT) - 1;
    const params = [storeId, lo, hi, LOTS_PER_MEMBER, POINTS_PER_LOT];
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO members (store_id, member_id, balance, seq, created_at, updated_at)
       SELECT $1, 'm' || lpad(n::text, 7, '0'), $4::int * $5::int, $4::int,
              now() - interval '400 days', now() - interval '1 day'
       FROM generate_series($2::int, $3::int) AS n`,
      params,
    );
    // Lot k of member n was earned k days before the newest one; "past" lots expired 30 days after
    // they were earned, so every one of them is due now, at instants spread over the last year.
    const lotsFrom = `
       FROM generate_series($2::int, $3::int) AS n, generate_series(1, $4::int) AS k,
            LATERAL (SELECT now() - interval '60 days' - ($4::int - k) * interval '1 day' - (n % 1440) * interval '1 minute' AS t) AS x`;
    await client.query(
      `INSERT INTO lots (store_id, id, member_id, points, remaining, status, earned_at, available_at, expires_at, source_type, source_ref)
       SELECT $1, 'lot_00' || lpad((n::bigint * $4::int + k)::text, 19, '0'), 'm' || lpad(n::text, 7, '0'), $5::int, $5::int, 'available',
              x.t, x.t, ${expiry === "past" ? "x.t + interval '30 days'" : "NULL"}, 'event', NULL
       ${lotsFrom}`,
      params,
    );
    await client.query(
      `INSERT INTO entries (store_id, id, member_id, seq, type, points, delta, balance_after, at, actor, reason, source_type, source_ref, lot_id)
       SELECT $1, 'ent_00' || lpad((n::bigint * $4::int + k)::text, 19, '0'), 'm' || lpad(n::text, 7, '0'), k, 'earn', $5::int, $5::int, k * $5::int,
              x.t, 'system', NULL, 'event', NULL, 'lot_00' || lpad((n::bigint * $4::int + k)::text, 19, '0')
       ${lotsFrom}`,
      params,
    );
    await client.query("COMMIT");
    onProgress?.(hi + 1 - from);
  }
}

/** Autovacuum may be off or behind; a steady-state ledger has statistics and a visibility map. */
export async function vacuumLedger(client: pg.Client): Promise<void> {
  await client.query("VACUUM (ANALYZE) members, lots, entries, allocations");
}

export async function databaseBytes(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>("SELECT pg_database_size(current_database()) AS bytes");
  return Number(rows[0]!.bytes);
}

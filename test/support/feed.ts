import type { Database } from "../../src/storage/sql.ts";

/**
 * Waits until none of the store's outgoing events is held back by the feed's horizon. The feed
 * never shows an event a running transaction could still precede (SPEC §3), so on a PostgreSQL
 * shared with other test files, one of their open transactions delays what this test reads.
 */
export async function feedSettled(db: Database, storeId: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const [row] = await db.query<{ hidden: string | number }>(
      "SELECT count(*) AS hidden FROM outbox WHERE store_id = $1 AND txid >= pg_snapshot_xmin(pg_current_snapshot())", [storeId]);
    if (Number(row?.hidden ?? 0) === 0) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${row?.hidden} outgoing events of ${storeId} still behind the feed's horizon after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

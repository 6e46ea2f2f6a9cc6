/**
 * A store whose lots have all fallen due, expired by the scheduler's tick as production runs it
 * (`runScheduledWork`: every store on wall time, each under its lease, in chunks of members).
 */
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { runScheduledWork } from "../../src/jobs/due-work-tick.ts";
import type { Services } from "../../src/services/context.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import type { Sql } from "../../src/storage/sql.ts";
import type { Profile, StatementTime } from "./database.ts";
import { LOTS_PER_MEMBER, loadMembers, vacuumLedger } from "./seed.ts";
import { scaleStore } from "./operations.ts";

export interface ExpiryResult {
  members: number;
  lots: number;
  loadMs: number;
  tickMs: number;
  expired: number;
  /** Lots of the store without an `expire` entry, and with points left, after the tick. */
  lotsWithoutExpireEntry: number;
  lotsWithPointsLeft: number;
  verifyMs: number;
  discrepancies: number;
  /** A second tick right after: nothing is due any more. */
  idleTickMs: number;
  /** The statements the tick ran, most time first, and their total time. */
  statements: StatementTime[];
  sqlMs: number;
}

export async function expireStore(services: Services, profile: Profile, admin: pg.Client, sql: Sql, members: number, log: (line: string) => void): Promise<ExpiryResult> {
  const storeId = await scaleStore(services, "Scale expiry");
  const lots = members * LOTS_PER_MEMBER;
  let t0 = performance.now();
  await loadMembers(admin, storeId, 0, members, "past");
  await vacuumLedger(admin);
  const loadMs = performance.now() - t0;
  log(`  loaded ${members} members with ${lots} lots, all due, in ${(loadMs / 1_000).toFixed(1)} s`);

  profile.reset();
  t0 = performance.now();
  const tick = await runScheduledWork(services, { holder: "scale-bench", ttlMs: 30_000 });
  const tickMs = performance.now() - t0;
  if (tick.failed.length > 0) throw tick.failed[0]!.error;
  const statements = profile.top(8);
  const sqlMs = profile.totalMs();
  log(`  tick: ${tick.counts.expired} lots expired in ${(tickMs / 1_000).toFixed(1)} s (${tick.done} stores done, ${tick.skipped} skipped)`);

  const [check] = await sql.query<{ without_entry: number; with_points: number }>(
    `SELECT count(*) FILTER (WHERE e.lot_id IS NULL) AS without_entry, count(*) FILTER (WHERE l.remaining > 0) AS with_points
     FROM lots l LEFT JOIN (SELECT DISTINCT lot_id FROM entries WHERE store_id = $1 AND type = 'expire') e ON e.lot_id = l.id
     WHERE l.store_id = $1`,
    [storeId],
  );
  t0 = performance.now();
  const discrepancies = await verifyLedger(sql, storeId);
  const verifyMs = performance.now() - t0;
  t0 = performance.now();
  await runScheduledWork(services, { holder: "scale-bench", ttlMs: 30_000 });
  const idleTickMs = performance.now() - t0;
  return {
    members, lots, loadMs, tickMs, expired: tick.counts.expired,
    lotsWithoutExpireEntry: Number(check!.without_entry), lotsWithPointsLeft: Number(check!.with_points),
    verifyMs, discrepancies: discrepancies.length, idleTickMs, statements, sqlMs,
  };
}

/**
 * `npm run bench:import`: a 1 000 000-row balances file imported by `pointbook import` as a child
 * process against PostgreSQL, killed with SIGKILL about halfway, run again to its end; then every
 * row is checked to be applied once (count and sum of the import entries) and `pointbook verify`
 * runs. Prints rows/s of each run and overall, and the child's resident memory: its peak per run
 * and at 25, 50 and 75 % of the file (it should stay flat, whatever the file's size).
 *
 * Before it, a short comparison of batch sizes on 50 000 rows, and the rate of a members file and
 * an orders file of 50 000 rows each.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; the bench works in a
 * database of its own on that server, `pointbook_bench_imports`, dropped at the end),
 * BENCH_IMPORT_ROWS (1 000 000), BENCH_IMPORT_MEMBERS (200 000), BENCH_IMPORT_BATCH (1000),
 * BENCH_IMPORT_COMPARE (250,500,1000,2000; empty to skip), BENCH_IMPORT_KINDS (rows of the members
 * and orders files, 50 000; 0 to skip), BENCH_IMPORT_KEEP=1 keeps the database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../src/storage/migrate.ts";
import { openPostgres } from "../src/storage/postgres.ts";
import type { Database } from "../src/storage/sql.ts";
import { transactor } from "../src/storage/transactor.ts";
import { createStore } from "../src/services/stores.ts";
import { memoryOf, pointbook, scratchDatabase, writeBalances, writeMembers, writeOrders } from "./imports-support.ts";

const BASE = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const MEMBERS = Number(process.env.BENCH_IMPORT_MEMBERS ?? 200_000);
const BATCH = Number(process.env.BENCH_IMPORT_BATCH ?? 1_000);
const KINDS = Number(process.env.BENCH_IMPORT_KINDS ?? 50_000);
const COMPARE = (process.env.BENCH_IMPORT_COMPARE ?? "250,500,1000,2000").split(",").filter((s) => s.trim() !== "").map(Number);

const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newStore(db: Database, name: string): Promise<string> {
  const { store } = await createStore({ tx: transactor(db), clock: { now: () => new Date() } }, { name, currency: "USD", timezone: "UTC" }, { id: "bench", role: "operator" });
  return store.id;
}

async function progressOf(db: Database, storeId: string): Promise<{ processed: number; offset: number; status: string } | null> {
  const [row] = await db.query<{ processed: number; offset_bytes: number; status: string }>(
    "SELECT processed, offset_bytes, status FROM imports WHERE store_id = $1 ORDER BY created_at DESC LIMIT 1", [storeId]);
  return row ? { processed: row.processed, offset: row.offset_bytes, status: row.status } : null;
}

interface RunReport {
  rows: number;
  /** From the child's start to its end (start-up included). */
  seconds: number;
  /** From its first line (importing / resuming) to its end: the import itself. */
  importSeconds: number;
  peakMb: number;
  /** Resident MB when the run passed 25, 50 and 75 % of the file's bytes. */
  atQuarter: Map<number, number>;
  output: string;
  killed: boolean;
}

/** One `pointbook import` run, sampled every 100 ms; killed with SIGKILL once `killAt` of the bytes are in. */
async function run(db: Database, env: Record<string, string>, storeId: string, file: string, bytes: number, batch: number, killAt: number | null): Promise<RunReport> {
  const start = await progressOf(db, storeId);
  const before = start?.processed ?? 0;
  const started = performance.now();
  let importing: number | null = null;
  const cli = pointbook(["import", "balances", file, "--store", storeId, "--batch-size", String(batch)], env);
  let exited = false;
  void cli.exited.then(() => void (exited = true));
  const atQuarter = new Map<number, number>();
  let peakMb = 0;
  let killed = false;
  while (!exited) {
    const mem = await memoryOf(cli.pid);
    if (mem) peakMb = Math.max(peakMb, mem.peak);
    if (importing === null && /^(importing|resuming)/m.test(cli.output())) importing = performance.now();
    const p = await progressOf(db, storeId);
    // Only the quarters this run itself passes (a resumed run starts past some of them).
    if (p && mem && p.offset > (start?.offset ?? 0)) {
      for (const q of [25, 50, 75]) if (!atQuarter.has(q) && p.offset >= (bytes * q) / 100 && (start?.offset ?? 0) < (bytes * q) / 100) atQuarter.set(q, mem.rss);
    }
    if (killAt !== null && p && p.offset >= bytes * killAt) {
      cli.kill();
      killed = true;
      break;
    }
    await sleep(100);
  }
  await cli.exited;
  const ended = performance.now();
  const after = (await progressOf(db, storeId))?.processed ?? 0;
  return { rows: after - before, seconds: (ended - started) / 1000, importSeconds: (ended - (importing ?? started)) / 1000, peakMb, atQuarter, output: cli.output(), killed };
}

/** A whole import of another kind; the rate from the child's own summary line. */
async function runKind(env: Record<string, string>, kind: string, file: string, storeId: string): Promise<{ rows: number; seconds: number }> {
  const cli = pointbook(["import", kind, file, "--store", storeId], env);
  await cli.exited;
  const summary = /done: (\d+) rows, (\d+) imported, (\d+) rejected; \d+ rows in ([\d.]+) s/.exec(cli.output());
  if (!summary || summary[3] !== "0") throw new Error(`the ${kind} import did not go as planned:\n${cli.output()}`);
  return { rows: Number(summary[1]), seconds: Number(summary[4]) };
}

const mb = (n: number | undefined) => (n === undefined ? "—" : `${n.toFixed(0)} MB`);

async function main(): Promise<void> {
  const scratch = await scratchDatabase(BASE, "pointbook_bench_imports");
  const db = openPostgres(scratch.url, { max: 2 });
  const dir = mkdtempSync(join(tmpdir(), "pb-bench-import-"));
  const env = { DATABASE_URL: scratch.url, POINTBOOK_DATA_DIR: dir, LOG_LEVEL: "warn" };
  try {
    await migrate(db);
    if (COMPARE.length > 0) {
      const file = join(dir, "compare.csv");
      const small = Math.min(50_000, ROWS);
      const { bytes } = await writeBalances(file, small, Math.min(MEMBERS, 10_000));
      log(`batch sizes on ${small} rows:`);
      for (const size of COMPARE) {
        const storeId = await newStore(db, `compare ${size}`);
        const r = await run(db, env, storeId, file, bytes, size, null);
        log(`  ${String(size).padStart(5)} rows per transaction: ${Math.round(r.rows / r.importSeconds)} rows/s (peak ${mb(r.peakMb)})`);
      }
    }

    if (KINDS > 0) {
      // Members and orders go row by row through the API's own paths: slower than balances, measured apart.
      const members = join(dir, "members.csv");
      const orders = join(dir, "orders.csv");
      await writeMembers(members, KINDS);
      await writeOrders(orders, KINDS / 2, KINDS / 10);
      log(`\nother kinds (${KINDS} rows each):`);
      for (const [kind, file] of [["members", members], ["orders", orders]] as const) {
        const storeId = await newStore(db, `bench ${kind}`);
        const r = await runKind(env, kind, file, storeId);
        log(`  ${kind}: ${r.rows} rows in ${r.seconds.toFixed(1)} s = ${Math.round(r.rows / r.seconds)} rows/s${kind === "orders" ? ` (${KINDS / 2} orders of 2 lines)` : ""}`);
      }
    }

    const file = join(dir, "balances.csv");
    const t0 = performance.now();
    const { sum, bytes } = await writeBalances(file, ROWS, MEMBERS);
    log(`\nwrote ${ROWS} rows for ${MEMBERS} members (${(bytes / 1024 / 1024).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const storeId = await newStore(db, "bench imports");

    const first = await run(db, env, storeId, file, bytes, BATCH, 0.5);
    const rate = (r: RunReport) => `${r.rows} rows in ${r.importSeconds.toFixed(1)} s = ${Math.round(r.rows / r.importSeconds)} rows/s (start-up ${(r.seconds - r.importSeconds).toFixed(1)} s more)`;
    log(`run 1: ${rate(first)}; killed with SIGKILL: ${first.killed}; peak RSS ${mb(first.peakMb)}`);
    const second = await run(db, env, storeId, file, bytes, BATCH, null);
    const resumed = /resuming import \S+ at line \d+ \(\d+ rows done before\)/.exec(second.output)?.[0] ?? "(no resume line!)";
    log(`run 2: ${resumed}`);
    log(`run 2: ${rate(second)}; peak RSS ${mb(second.peakMb)}`);
    const total = first.rows + second.rows;
    const seconds = first.importSeconds + second.importSeconds;
    log(`overall: ${total} rows in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} rows/s (${(first.seconds + second.seconds).toFixed(1)} s with both start-ups)`);
    const quarters = new Map([...second.atQuarter, ...first.atQuarter]);
    log(`RSS at 25 % ${mb(quarters.get(25))}, 50 % ${mb(quarters.get(50))}, 75 % ${mb(quarters.get(75))}; peak ${mb(Math.max(first.peakMb, second.peakMb))}`);

    const [entries] = await db.query<{ n: number; points: number }>(
      "SELECT count(*)::bigint AS n, coalesce(sum(points), 0)::bigint AS points FROM entries WHERE store_id = $1 AND type = 'import'", [storeId]);
    const once = entries!.n === ROWS && entries!.points === sum;
    log(`import entries: ${entries!.n} (file: ${ROWS}), points ${entries!.points} (file: ${sum}) → ${once ? "every row applied once" : "MISMATCH"}`);
    const verify = pointbook(["verify", "--store", storeId], env);
    const code = await verify.exited;
    log(`pointbook verify: ${verify.output().trim().split("\n").at(-1)} (exit ${code})`);
    if (!once || code !== 0 || !first.killed) process.exitCode = 1;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    if (!process.env.BENCH_IMPORT_KEEP) await scratch.drop();
  }
}

await main();

/**
 * `npm run bench:simulate`: SPEC §8's figure. A generated store (test/support/generated-store.ts)
 * of 10 000 members and 200 000 orders over a year, made through the services on PostgreSQL, then
 * simulated as the API does: its history read from PostgreSQL, and a candidate (the earn rate
 * halved) replayed in parts of the store's members on the worker pool (one worker per core),
 * beside the current program's figures (the ledger's own: the store has no tiers). Then, apart
 * from that figure, the current program is replayed too, and the bench fails unless it reproduces
 * the ledger month by month. Prints the time of each phase beside the machine's raw PostgreSQL
 * figures measured in the same run.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; the bench works in a
 * database of its own, `pointbook_bench_simulate`), BENCH_SIMULATE_MEMBERS (10 000),
 * BENCH_SIMULATE_ORDERS (200 000), BENCH_SIMULATE_REUSE=1 simulates the store a previous run left
 * (the database is kept unless BENCH_SIMULATE_DROP=1). BENCH_SIMULATE_MEMORY=1 makes and reads the
 * store on the in-memory adapter instead (minutes instead of an hour to make at full size): the
 * replays are the same, the history read is not PostgreSQL's. BENCH_SIMULATE_COPY=1 makes it in
 * memory, copies it into PostgreSQL row for row (copy-store.ts) and reads it from there: the
 * history read from PostgreSQL at full size, in minutes. A store on PostgreSQL (made, copied or
 * reused) is simulated in a child process of this script (BENCH_SIMULATE_STORE names the store
 * and its database), as a server simulates: without the store made in memory beside it.
 */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DateTime } from "luxon";
import { join } from "node:path";
import { inputCount, partsFor, REPLAY_WORKERS, replayInWorker } from "../src/jobs/simulation-replay.ts";
import { exportProgram } from "../src/services/program-document.ts";
import { loadHistory } from "../src/services/simulation/load.ts";
import { simulateLoaded } from "../src/services/simulation/report.ts";
import { simulationPeriod } from "../src/core/simulation/period.ts";
import { programDocumentSchema } from "../src/core/program/document.ts";
import { migrate } from "../src/storage/migrate.ts";
import { openPostgres } from "../src/storage/postgres.ts";
import { transactor } from "../src/storage/transactor.ts";
import { memoryTransactor, type MemoryTransactor } from "../src/storage/memory/transactor.ts";
import { copyStoreToPostgres } from "./copy-store.ts";
import type { Services } from "../src/services/context.ts";
import { generateStore } from "../test/support/generated-store.ts";
import { scratchDatabase } from "./imports-support.ts";

const BASE = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const MEMBERS = Number(process.env.BENCH_SIMULATE_MEMBERS ?? 10_000);
const ORDERS = Number(process.env.BENCH_SIMULATE_ORDERS ?? 200_000);
const NAME = "pointbook_bench_simulate";
const START = new Date("2025-01-01T05:00:00Z");

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The store made and read on the in-memory adapter: the replays' figure at full size without an hour of making it. */
async function inMemory(): Promise<{ services: Services; memory: MemoryTransactor; storeId: string; close: () => Promise<void> }> {
  const memory = memoryTransactor();
  const services: Services = { tx: memory, clock: { now: () => new Date(START) } };
  const began = performance.now();
  const storeId = await generateStore(services, { members: MEMBERS, orders: ORDERS, days: 365, start: START, seed: 7, perTransaction: 20 });
  console.log(`generated ${MEMBERS} members and ${ORDERS} orders in memory in ${seconds(performance.now() - began)}`);
  return { services, memory, storeId, close: async () => undefined };
}

/** Made in memory, copied into a database of its own on PostgreSQL, and read from there. */
async function copied(): Promise<{ services: Services; storeId: string; url: string; close: () => Promise<void> }> {
  const made = await inMemory();
  const scratch = await scratchDatabase(BASE, `${NAME}_copy`);
  const db = await openPostgres(scratch.url);
  await migrate(db);
  const began = performance.now();
  const rows = await copyStoreToPostgres(made.memory, made.storeId, db);
  await db.query("ANALYZE");
  console.log(`copied into PostgreSQL in ${seconds(performance.now() - began)}: ${Object.entries(rows).map(([table, n]) => `${n} ${table}`).join(", ")}`);
  return {
    services: { tx: transactor(db), clock: made.services.clock }, storeId: made.storeId, url: scratch.url,
    close: async () => {
      await db.close();
      if (process.env.BENCH_SIMULATE_DROP === "1") await scratch.drop();
    },
  };
}

async function onPostgres(): Promise<{ services: Services; storeId: string; url: string; close: () => Promise<void> }> {
  const url = new URL(BASE);
  url.pathname = `/${NAME}`;
  const reuse = process.env.BENCH_SIMULATE_REUSE === "1";
  const scratch = reuse ? { url: url.toString(), drop: async () => undefined } : await scratchDatabase(BASE, NAME);
  const db = await openPostgres(scratch.url);
  await migrate(db);
  const services = { tx: transactor(db), clock: { now: () => new Date() } };
  let storeId = (await db.query<{ id: string }>("SELECT id FROM stores WHERE name = 'Generated' ORDER BY created_at DESC LIMIT 1"))[0]?.id;
  if (!storeId) {
    const began = performance.now();
    let last = 0;
    storeId = await generateStore(services, {
      members: MEMBERS, orders: ORDERS, days: 365, start: START, seed: 7, perTransaction: 20, concurrency: 8,
      onProgress: (done, total) => {
        if (performance.now() - last < 5_000 && done < total) return;
        last = performance.now();
        process.stderr.write(`  generating: ${done} / ${total} inputs (${seconds(performance.now() - began)})\n`);
      },
    });
    console.log(`generated ${MEMBERS} members and ${ORDERS} orders (with their deliveries, refunds, cashback, adjustments) in ${seconds(performance.now() - began)}`);
  }
  const [counts] = await db.query<{ entries: string; updates: string }>(
    "SELECT (SELECT count(*) FROM entries WHERE store_id = $1) AS entries, (SELECT count(*) FROM order_updates WHERE store_id = $1) AS updates", [storeId]);
  console.log(`store ${storeId}: ${counts?.entries} ledger entries, ${counts?.updates} order updates`);
  return {
    services, storeId, url: scratch.url,
    close: async () => {
      await db.close();
      if (process.env.BENCH_SIMULATE_DROP === "1") await scratch.drop();
    },
  };
}

/** The machine's own PostgreSQL figures, measured now (pgbench), printed beside the bench's. */
function rawBaseline(): void {
  const raw = execFileSync("bash", [join(import.meta.dirname, "..", "..", "shared", "bench", "raw-baseline.sh"), "5", "8"], { encoding: "utf8" }).trim().replace(/\n/g, ", ");
  console.log(`machine: ${raw} (pgbench, same run)`);
}

/** Reads a store's history as the API does, and the candidate: its program with the earn rate halved. */
async function readStore(services: Services, storeId: string) {
  const current = programDocumentSchema.parse(await exportProgram(services, storeId));
  const candidate = { ...current, earnRules: current.earnRules.map((r) => (r.award.type === "per_amount" ? { ...r, award: { ...r.award, per: r.award.per * 2 } } : r)) };
  const began = performance.now();
  const loaded = await loadHistory(services, storeId);
  return { loaded, candidate, readMs: performance.now() - began };
}

/**
 * Makes (or finds) the store on PostgreSQL, then simulates it in a process of its own, as a
 * server would: one that holds its own state, not the gigabytes of a store made in memory and
 * copied, whose collection took a third of the read and slowed the replays beside it.
 */
async function prepareAndSimulateApart(): Promise<void> {
  const { storeId, url, close } = process.env.BENCH_SIMULATE_COPY === "1" ? await copied() : await onPostgres();
  rawBaseline();
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: "inherit", env: { ...process.env, BENCH_SIMULATE_STORE: `${storeId} ${url}` },
  });
  const code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
  await close();
  process.exitCode = code;
}

/** The store to simulate: made in memory (BENCH_SIMULATE_MEMORY=1), or given by the process that made it on PostgreSQL. */
async function storeToSimulate(memory: boolean): Promise<{ services: Services; storeId: string; close: () => Promise<void> }> {
  if (memory) {
    const made = await inMemory();
    rawBaseline();
    return made;
  }
  const [storeId, url] = process.env.BENCH_SIMULATE_STORE!.split(" ") as [string, string];
  const db = openPostgres(url);
  return { services: { tx: transactor(db), clock: { now: () => new Date() } }, storeId, close: () => db.close() };
}

/** The history read; a store made in memory is let go of with this function's locals: a server holds the history it read, not the store's database. */
async function readFrom(memory: boolean) {
  const store = await storeToSimulate(memory);
  return { ...(await readStore(store.services, store.storeId)), close: store.close };
}

async function main() {
  const memory = process.env.BENCH_SIMULATE_MEMORY === "1";
  if (!memory && !process.env.BENCH_SIMULATE_STORE) return prepareAndSimulateApart();
  const { loaded, candidate, readMs, close } = await readFrom(memory);
  const t1 = performance.now();
  // CPU time of the process, its worker threads included: steadier than wall time on a shared machine.
  const cpu1 = process.cpuUsage();
  // The year's orders and what followed them (deliveries, refunds) up to the store's today, as the back office simulates by default.
  const zone = loaded.history.store.timezone;
  const period = simulationPeriod("2025-01-01", DateTime.fromJSDate(loaded.now, { zone }).toISODate()!, zone);
  const report = await simulateLoaded(loaded, { candidate, ...period, redemptionRate: null }, replayInWorker);
  const t2 = performance.now();
  const cpu2 = process.cpuUsage(cpu1);
  const parts = partsFor(loaded.history, REPLAY_WORKERS);
  console.log(`${inputCount(loaded.history)} inputs replayed (order updates, events, redemptions, adjustments)`);
  console.log(`history read from ${memory ? "memory" : "PostgreSQL"}: ${seconds(readMs)}; candidate replayed (${REPLAY_WORKERS} worker threads, ${parts} parts), current program's figures from the ${report.currentFrom}: ${seconds(t2 - t1)} (${seconds((cpu2.user + cpu2.system) / 1000)} of CPU); simulation in all: ${seconds(t2 - t1 + readMs)} (target < 30 s)`);
  console.log(`current:   issued ${report.current.totals.issued}, expired ${report.current.totals.expired}, outstanding ${report.current.totals.outstanding}, cost share ${report.current.totals.costShare}`);
  console.log(`candidate: issued ${report.candidate.totals.issued}, expired ${report.candidate.totals.expired}, outstanding ${report.candidate.totals.outstanding}, cost share ${report.candidate.totals.costShare}`);
  // The fidelity check, apart from the figure: the candidate's replay is kept, only the current program is replayed.
  const t3 = performance.now();
  const checked = await simulateLoaded(loaded, { candidate, ...period, redemptionRate: null, replayCurrent: true }, replayInWorker);
  console.log(`current program replayed (${parts} parts) in ${seconds(performance.now() - t3)}: reproduced the ledger month by month: ${checked.reproduced}`);
  await close();
  if (!checked.reproduced) process.exitCode = 1;
}

await main();

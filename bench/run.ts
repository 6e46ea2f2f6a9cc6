/**
 * Ledger throughput and latency on PGlite (memory and disk) and, when one answers, PostgreSQL.
 * `npm run bench`; BENCH_SECONDS sets the time bound of one measurement (default 5; the program
 * scenarios use at most 3). Not a test: it asserts nothing about speed. See docs/performance.md.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { batchedEvents, checkout, orderUpserts, singleEvents } from "./program-scenarios.ts";
import { balanceReads, batchedAwards, singleAwards, type BenchRow, type BenchSettings } from "./scenarios.ts";
import { formatTable } from "./table.ts";
import { formatHttpTable, httpBench, type HttpRow } from "./http/run-http.ts";
import { formatOutgoingTable, outgoingBench, type OutgoingResult } from "./http/outgoing.ts";
import { findPostgres, pgliteInMemory, pgliteOnDisk, postgresScratch, type Target } from "./targets.ts";

const CONCURRENCY = [1, 32] as const;

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const settings: BenchSettings = {
  maxMs: seconds * 1_000,
  programMaxMs: Math.min(seconds, 3) * 1_000,
  maxOps: 50_000,
  members: 1_000,
  batchSize: 1_000,
  batches: 10,
};

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

async function benchTarget(open: () => Promise<Target>, rows: BenchRow[], programRows: BenchRow[]): Promise<void> {
  const target = await open();
  console.error(`\n${target.name}: ${target.detail}`);
  try {
    const adder = (into: BenchRow[]) => (r: BenchRow) => {
      into.push(r);
      console.error(`  ${r.scenario.padEnd(34)} c=${String(r.concurrency).padEnd(3)} ${Math.round(r.opsPerSec)} ops/s`);
    };
    const add = adder(rows);
    for (const c of CONCURRENCY) add(await singleAwards(target.name, target.db, c, settings));
    add(await batchedAwards(target.name, target.db, settings));
    for (const r of await balanceReads(target.name, target.db, CONCURRENCY, settings)) add(r);
    const addProgram = adder(programRows);
    for (const r of await singleEvents(target.name, target.db, CONCURRENCY, settings)) addProgram(r);
    addProgram(await batchedEvents(target.name, target.db, settings));
    for (const r of await orderUpserts(target.name, target.db, CONCURRENCY, settings)) addProgram(r);
    for (const r of await checkout(target.name, target.db, CONCURRENCY, settings)) addProgram(r);
  } finally {
    await target.dispose();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  console.error(
    `pointbook bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${settings.maxMs / 1_000} s (program scenarios ${settings.programMaxMs / 1_000} s) ` +
      `or ${settings.maxOps} ops per measurement, ` +
      `${settings.members} members for single writes and reads, bulk batches of ${settings.batchSize}; ` +
      `load average ${load()}`,
  );
  const rows: BenchRow[] = [];
  const programRows: BenchRow[] = [];
  await benchTarget(pgliteInMemory, rows, programRows);
  await benchTarget(pgliteOnDisk, rows, programRows);
  const pgUrl = await findPostgres();
  let httpRows: HttpRow[] = [];
  let outgoing: OutgoingResult | null = null;
  if (pgUrl) {
    await benchTarget(() => postgresScratch(pgUrl), rows, programRows);
    // The real server over HTTP, against the machine's raw PostgreSQL limit measured in this run.
    console.error("\nhttp: the server on PostgreSQL at 64 connections, then raw-baseline.sh");
    httpRows = await httpBench(pgUrl, Number(process.env.BENCH_HTTP_SECONDS ?? 10));
    // Outgoing events as the server sends them: webhook latency and the delivery worker's throughput.
    console.error("\noutgoing: the server on PostgreSQL with a local webhook receiver");
    outgoing = await outgoingBench(pgUrl);
  } else console.error("\npostgres: skipped (DATABASE_URL unset and nothing answers at the default URL)");

  console.log(`\n${formatTable(rows)}\n`);
  console.log("ops/s: awards (or reads) per second; p50/p99: latency of one call, for bulkAdjust of one whole batch.");
  console.log(`\n${formatTable(programRows)}\n`);
  console.log(
    "ops/s: events, orders, quotes or hold + capture pairs per second; p50/p99: latency of one call, " +
      "for a batch of events the whole batch, for hold + capture the pair.",
  );
  if (httpRows.length > 0) console.log(`\n${formatHttpTable(httpRows)}\n`);
  if (outgoing) console.log(`\n${formatOutgoingTable(outgoing)}\n`);
  // Other processes on the machine (a test run) skew every figure; the load average shows it.
  console.log(`total bench time: ${((performance.now() - started) / 1_000).toFixed(1)} s; load average at the end ${load()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

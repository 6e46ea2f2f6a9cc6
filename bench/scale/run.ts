/**
 * `npm run bench:scale`: does the ledger stay as fast with a million members and ten million
 * entries as with a thousand? On PostgreSQL only, in a scratch database of its own
 * (pointbook_bench_scale, dropped at the end unless BENCH_KEEP=1):
 *   1. the ledger loaded in steps (bulk SQL), and at each step a few hundred single operations on
 *      random members through the services, and an export of the store's members over HTTP;
 *   2. a store whose lots have all fallen due, expired by the scheduler's tick;
 * BENCH_SCALE_MAX_MEMBERS (default 1 000 000) sets the top step, BENCH_SCALE_OPS (default 300) the
 * operations measured per kind and step. Not a test: it asserts nothing about speed, but checks
 * that every operation, the expiry and the exports did what they stand for. See docs/performance.md.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import type { Services } from "../../src/services/context.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { findPostgres } from "../targets.ts";
import { dropScratch, openScratch, profiled, SCALE_DATABASE, type ScratchDatabase } from "./database.ts";
import { expireStore, type ExpiryResult } from "./expiry.ts";
import { exportMembers, startExportServer, type ExportRow } from "./export.ts";
import { measureOperations, scaleStore, type OpRow } from "./operations.ts";
import { databaseBytes, loadMembers, LOTS_PER_MEMBER, vacuumLedger } from "./seed.ts";
import { count, markdownTable, mib, ms, seconds } from "./table.ts";

const maxMembers = Number(process.env.BENCH_SCALE_MAX_MEMBERS ?? 1_000_000);
const opsPerKind = Number(process.env.BENCH_SCALE_OPS ?? 300);
const keep = process.env.BENCH_KEEP === "1";
if (!Number.isSafeInteger(maxMembers) || maxMembers < 100 || maxMembers > 9_999_999) {
  throw new Error("BENCH_SCALE_MAX_MEMBERS must be a whole number from 100 to 9 999 999");
}
if (!Number.isSafeInteger(opsPerKind) || opsPerKind < 1) throw new Error("BENCH_SCALE_OPS must be a positive whole number");

/** 1 000, 10 000, 100 000, 1 000 000 members, up to the maximum, which is always the last step. */
const STEPS = [...[1_000, 10_000, 100_000, 1_000_000].filter((n) => n < maxMembers), maxMembers];
/** The expiry store: a tenth of the top step's members, LOTS_PER_MEMBER lots each (1 000 000 lots at the default). */
const expiryMembers = Math.max(10, Math.round(maxMembers / 10));

const log = (line: string) => console.error(line);
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

interface StepRow {
  members: number;
  entries: number;
  loadMs: number;
  databaseBytes: number;
  ops: OpRow[];
  export: ExportRow;
}

async function ledgerSteps(scratch: ScratchDatabase, services: Services): Promise<{ steps: StepRow[]; verifyMs: number; discrepancies: number }> {
  const storeId = await scaleStore(services, "Scale ledger");
  const server = await startExportServer(services, async () => void (await scratch.db.query("SELECT 1")));
  const steps: StepRow[] = [];
  try {
    let loaded = 0;
    for (const [i, target] of STEPS.entries()) {
      log(`\nstep ${i + 1}: ${count(target)} members, ${count(target * LOTS_PER_MEMBER)} loaded entries`);
      const t0 = performance.now();
      await loadMembers(scratch.admin, storeId, loaded, target, "never", (done) => {
        if (target - loaded >= 100_000) log(`  loaded ${count(loaded + done)} members`);
      });
      await vacuumLedger(scratch.admin);
      const loadMs = performance.now() - t0;
      loaded = target;
      const { rows } = await scratch.admin.query<{ n: string }>("SELECT count(*) AS n FROM entries WHERE store_id = $1", [storeId]);
      const entries = Number(rows[0]!.n);
      log(`  load and VACUUM (ANALYZE): ${seconds(loadMs)} s; the store has ${count(entries)} entries; load average ${load()}`);
      const ops = await measureOperations(services, storeId, target, opsPerKind, i);
      for (const o of ops) log(`  ${o.op.padEnd(30)} ${Math.round(o.opsPerSec)} ops/s, p50 ${ms(o.p50Ms)} ms, p99 ${ms(o.p99Ms)} ms`);
      const exported = await exportMembers(server, storeId, target);
      log(`  members.csv: ${count(exported.rows)} rows in ${seconds(exported.ms)} s, peak RSS +${mib(exported.peakRssGrowth)} MiB`);
      steps.push({ members: target, entries, loadMs, databaseBytes: await databaseBytes(scratch.admin), ops, export: exported });
    }
  } finally {
    await server.close();
  }
  log("\nverifying the whole ledger store");
  const t0 = performance.now();
  const discrepancies = (await verifyLedger(scratch.db, storeId)).length;
  return { steps, verifyMs: performance.now() - t0, discrepancies };
}

function report(steps: StepRow[], ledgerVerify: { verifyMs: number; discrepancies: number }, expiry: ExpiryResult): void {
  console.log("\n### Loading (bulk SQL, then VACUUM (ANALYZE))\n");
  console.log(markdownTable(
    ["step", "members", "entries", "load s", "database MiB"],
    steps.map((s, i) => [String(i + 1), count(s.members), count(s.entries), seconds(s.loadMs), mib(s.databaseBytes)]),
    ["step", "members", "entries", "load s", "database MiB"],
  ));

  console.log("\n### Single operations on random members (1 caller)\n");
  console.log(markdownTable(
    ["step", "members", "entries", "op", "ops", "ops/s", "p50 ms", "p99 ms"],
    steps.flatMap((s, i) => s.ops.map((o) => [String(i + 1), count(s.members), count(s.entries), o.op, String(o.ops), Math.round(o.opsPerSec).toString(), ms(o.p50Ms), ms(o.p99Ms)])),
    ["step", "members", "entries", "ops", "ops/s", "p50 ms", "p99 ms"],
  ));
  console.log(`\nverifyLedger on the ledger store at the top step: ${ledgerVerify.discrepancies} discrepancies, ${seconds(ledgerVerify.verifyMs)} s`);

  console.log("\n### Expiry: one scheduler tick (runScheduledWork)\n");
  console.log(markdownTable(
    ["members", "lots due", "expired", "tick s", "lots/s", "lots without expire entry", "lots with points left", "verifyLedger", "idle tick ms"],
    [[
      count(expiry.members), count(expiry.lots), count(expiry.expired), seconds(expiry.tickMs),
      count(expiry.expired / (expiry.tickMs / 1_000)), count(expiry.lotsWithoutExpireEntry), count(expiry.lotsWithPointsLeft),
      `${expiry.discrepancies} discrepancies, ${seconds(expiry.verifyMs)} s`, ms(expiry.idleTickMs),
    ]],
    ["members", "lots due", "expired", "tick s", "lots/s", "lots without expire entry", "lots with points left", "idle tick ms"],
  ));
  console.log(`\nWhere the tick's time went (SQL as the services saw it, ${seconds(expiry.sqlMs)} s of ${seconds(expiry.tickMs)} s; the rest is Node):\n`);
  console.log(markdownTable(
    ["statement", "calls", "total ms", "mean ms"],
    expiry.statements.map((t) => [`\`${t.statement}…\``, String(t.calls), ms(t.ms), ms(t.ms / t.calls)]),
    ["calls", "total ms", "mean ms"],
  ));

  console.log("\n### Export: GET /v1/exports/members.csv over HTTP, server in this process\n");
  console.log(markdownTable(
    ["members", "MiB", "s", "rows/s", "RSS before MiB", "peak RSS growth MiB", "peak heap growth MiB"],
    steps.map((s) => [
      count(s.export.rows), mib(s.export.bytes), seconds(s.export.ms), count(s.export.rows / (s.export.ms / 1_000)),
      mib(s.export.startRss), mib(s.export.peakRssGrowth), mib(s.export.peakHeapGrowth),
    ]),
    ["members", "MiB", "s", "rows/s", "RSS before MiB", "peak RSS growth MiB", "peak heap growth MiB"],
  ));
}

async function main(): Promise<void> {
  const started = performance.now();
  const baseUrl = await findPostgres();
  if (!baseUrl) {
    console.error("bench:scale needs PostgreSQL (DATABASE_URL, or the default local server)");
    process.exitCode = 1;
    return;
  }
  const loads: number[] = [loadavg()[0]!];
  const loadSampler = setInterval(() => loads.push(loadavg()[0]!), 10_000);
  const scratch = await openScratch(baseUrl);
  let postgres = "PostgreSQL";
  // An interrupted run still removes its database.
  const interrupted = () => {
    log("\ninterrupted: dropping the scratch database");
    void (keep ? Promise.resolve() : dropScratch(baseUrl)).finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    const { rows: [server] } = await scratch.admin.query<{ version: string; shared_buffers: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS shared_buffers");
    postgres = `PostgreSQL ${server!.version} (shared_buffers ${server!.shared_buffers})`;
    log(
      `pointbook bench:scale: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), ` +
        `${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${postgres}, database ${SCALE_DATABASE}; ` +
        `steps ${STEPS.map(count).join(", ")} members, ${LOTS_PER_MEMBER} lots and entries each; ${opsPerKind} ops per kind and step; ` +
        `expiry of ${count(expiryMembers * LOTS_PER_MEMBER)} lots over ${count(expiryMembers)} members; load average ${load()}`,
    );
    const profile = profiled(scratch.db);
    const services: Services = { tx: transactor(profile.db), clock: { now: () => new Date() } };

    const ledger = await ledgerSteps(scratch, services);
    log(`\nexpiry: ${count(expiryMembers)} members, ${count(expiryMembers * LOTS_PER_MEMBER)} lots due`);
    const expiry = await expireStore(services, profile, scratch.admin, scratch.db, expiryMembers, log);
    report(ledger.steps, ledger, expiry);
    const problems = [
      ledger.discrepancies > 0 ? `verifyLedger found ${ledger.discrepancies} discrepancies in the ledger store` : null,
      expiry.expired !== expiry.lots ? `the tick expired ${expiry.expired} of ${expiry.lots} lots` : null,
      expiry.lotsWithoutExpireEntry > 0 ? `${expiry.lotsWithoutExpireEntry} lots have no expire entry` : null,
      expiry.lotsWithPointsLeft > 0 ? `${expiry.lotsWithPointsLeft} expired lots still hold points` : null,
      expiry.discrepancies > 0 ? `verifyLedger found ${expiry.discrepancies} discrepancies in the expiry store` : null,
    ].filter((p) => p !== null);
    for (const p of problems) console.error(`error: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    clearInterval(loadSampler);
    await scratch.dispose(keep);
    if (keep) log(`\nkept the database ${SCALE_DATABASE} (BENCH_KEEP=1)`);
  }
  console.log(
    `\nmachine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${postgres}; ` +
      `1-minute load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} while it ran (sampled every 10 s), ${load()} at the end; ` +
      `total time ${seconds(performance.now() - started)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

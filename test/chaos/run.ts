/**
 * `npm run chaos`: the real server under concurrent writes, killed with SIGKILL at random moments
 * and restarted on the same PostgreSQL database while its clients keep retrying (and, to retry
 * applied writes in every run, the clients also lose some answers on purpose). Afterwards every
 * acknowledged write must be in the ledger exactly once, nothing refused may have left a trace, a
 * retry after a lost answer must have got the same answer, and `pointbook verify` must find no
 * discrepancy.
 *
 * Modules: server.ts (the child process), database.ts (the scratch database), http.ts (the
 * retrying client), setup.ts (the store), load.ts (the client loops), journal.ts (what they were
 * told), checks.ts (the ledger checks and `pointbook verify`).
 *
 * Environment: DATABASE_URL (a loopback PostgreSQL; default postgres://postgres@127.0.0.1:5432/test;
 * the run works in a database of its own, pb_chaos_<pid>, dropped at the end), CHAOS_SECONDS (load
 * duration, default 40), CHAOS_CLIENTS (concurrent client loops, default 12), CHAOS_MIN_KILLS
 * (default 6), CHAOS_KEEP=1 keeps the database and the server log for a look afterwards.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLedgerChecks, runVerifyCommand, type CheckResult } from "./checks.ts";
import { assertLoopback, DEFAULT_DATABASE_URL, ScratchDatabase } from "./database.ts";
import { HttpStats, RetryingClient } from "./http.ts";
import { Journal } from "./journal.ts";
import { clientLoop, seedMember, type LoadContext } from "./load.ts";
import { freePort, ServerProcess, sleep } from "./server.ts";
import { createChaosStore } from "./setup.ts";

const numberFrom = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const LOAD_SECONDS = numberFrom("CHAOS_SECONDS", 40);
const CLIENTS = numberFrom("CHAOS_CLIENTS", 12);
const MIN_KILLS = numberFrom("CHAOS_MIN_KILLS", 6);
const MEMBERS = 16;
/** A ceiling on each client loop, on top of the time bound. */
const MAX_OPS_PER_CLIENT = 5_000;
/** However slow the machine, the load stops this long after it started. */
const HARD_STOP_SECONDS = LOAD_SECONDS + 60;

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Kills the server at a random moment 2–4 s into each life and starts it again, until the load
 * time is over and at least MIN_KILLS kills happened (or the hard stop). The server is running
 * when this returns.
 */
async function killLoop(server: ServerProcess, stats: HttpStats, loadEndsAt: number, hardStopAt: number): Promise<number> {
  let kills = 0;
  while ((Date.now() < loadEndsAt || kills < MIN_KILLS) && Date.now() < hardStopAt) {
    await sleep(2_000 + Math.random() * 2_000);
    const cutOff = stats.inFlight;
    await server.kill();
    kills++;
    const down = Date.now();
    await server.start();
    log(`  kill ${kills}: SIGKILL with ${cutOff} requests in flight; back up after ${Date.now() - down} ms`);
  }
  return kills;
}

async function main(): Promise<number> {
  const started = Date.now();
  const adminUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  assertLoopback(adminUrl);
  const database = new ScratchDatabase(adminUrl, `pb_chaos_${process.pid}`);
  const workDir = mkdtempSync(join(tmpdir(), "pointbook-chaos-"));
  const keep = process.env.CHAOS_KEEP === "1";
  const operatorToken = `chaos-operator-${randomBytes(12).toString("hex")}`;
  const runId = randomBytes(4).toString("hex");
  const port = await freePort();
  log(`chaos run ${runId}: database ${database.name}, server on 127.0.0.1:${port}, ${CLIENTS} clients for ${LOAD_SECONDS} s; files in ${workDir}`);

  await database.create();
  const server = new ServerProcess({ port, databaseUrl: database.url, operatorToken, dataDir: workDir, logFile: join(workDir, "server.log") });
  const stats = new HttpStats();
  const client = new RetryingClient(server.baseUrl, stats);
  const journal = new Journal();
  let failed = true;
  // Ctrl-C still cleans up: the child server and the scratch database.
  const interrupt = () => void server.kill().then(() => database.drop()).finally(() => process.exit(130));
  process.once("SIGINT", interrupt);
  try {
    await server.start();
    const store = await createChaosStore(client, operatorToken, MEMBERS);
    const ctx: LoadContext = { client, store, journal, runId };
    for (const memberId of store.members) await seedMember(ctx, memberId);
    log(`store ${store.storeId} ready (member-points preset, 2 event rules, cashback); load starts`);

    const loadStartedAt = Date.now();
    const loadEndsAt = loadStartedAt + LOAD_SECONDS * 1_000;
    const hardStopAt = loadStartedAt + HARD_STOP_SECONDS * 1_000;
    let stopping = false;
    client.unreliable = true;
    const clients = Array.from({ length: CLIENTS }, (_, i) => clientLoop(ctx, i, () => stopping, MAX_OPS_PER_CLIENT));
    const kills = await killLoop(server, stats, loadEndsAt, hardStopAt);
    stopping = true;
    client.unreliable = false;
    // The server stays up now: writes in progress are retried until answered.
    await Promise.all(clients);
    const loadSeconds = (Date.now() - loadStartedAt) / 1_000;
    const loadRequests = stats.requests;
    log(`load done in ${loadSeconds.toFixed(1)} s: ${loadRequests} requests, ${kills} kills; checking`);

    const db = await database.connect();
    let results: CheckResult[];
    try {
      results = await runLedgerChecks({ journal, store, client, db });
    } finally {
      await db.end();
    }
    await server.close();
    const verify = await runVerifyCommand(database.url);

    const check = (name: string, ok: boolean, problems: string[], checked = 0): CheckResult => ({ name, ok, checked, duplicates: 0, problems: ok ? [] : problems });
    const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
    results = [
      check(`the server was killed with SIGKILL at least 5 times (${kills})`, kills >= 5, [`only ${kills} kills`]),
      check("every write got an answer in the end", journal.unanswered.length === 0, journal.unanswered.slice(0, 5)),
      check("every answer was one the request may get", journal.unexpected.length === 0, journal.unexpected.slice(0, 10)),
      // Without retries of writes that had in fact been applied, the run would prove little about duplicates.
      check(`retries of already-applied writes were exercised (${journal.replays} answered from a stored outcome)`, journal.replays > 0, ["no retry was answered from a stored outcome"]),
      check(`a write asked again after its answer was lost got the same answer (${journal.lostAnswers})`, journal.lostAnswerMismatches.length === 0, journal.lostAnswerMismatches.slice(0, 10), journal.lostAnswers),
      check("no 5xx answers", stats.serverErrors === 0, [`${stats.serverErrors} answers were 5xx`, ...stats.serverErrorSamples]),
      ...results,
      verify.result,
      check("no write applied twice", duplicates === 0, [`${duplicates} duplicates`]),
    ];

    const passed = results.filter((r) => r.ok).length;
    const failures = results.length - passed;
    const refusals = journal.adjustments.filter((a) => !a.outcome.applied).length + journal.holds.filter((h) => !h.outcome.applied).length
      + journal.holds.reduce((n, h) => n + h.finishes.filter((f) => !f.outcome.applied).length, 0);
    log("");
    for (const r of results) {
      log(`${r.ok ? "ok  " : "FAIL"}  ${r.name}${r.checked > 0 ? ` [${r.checked}]` : ""}`);
      for (const p of r.problems.slice(0, 10)) log(`        ${p}`);
      if (r.problems.length > 10) log(`        … and ${r.problems.length - 10} more`);
    }
    log("");
    log("summary");
    log(`  requests sent:              ${loadRequests} for set-up and load, ${stats.requests - loadRequests} reads by the checks (${stats.retries} retries, ${stats.noAnswer} without an answer of which ${stats.abandoned} abandoned early by the client, ${stats.discarded} answers thrown away by the client, ${journal.replays} answered from an earlier attempt's stored outcome, ${stats.serverErrors} 5xx, ${stats.throttled} 429)`);
    log(`  kills survived:             ${kills} (server started ${server.starts} times)`);
    log(`  acknowledged writes checked: ${journal.answeredWrites} (events ${journal.events.length}, adjustments ${journal.adjustments.length}, order updates ${journal.orders.reduce((n, o) => n + o.steps.length, 0)}, holds ${journal.holds.length}, captures/releases ${journal.holds.reduce((n, h) => n + h.finishes.length, 0)}; ${refusals} of them refusals)`);
    log(`  duplicates found:           ${duplicates}`);
    log(`  verify discrepancies:       ${Number.isNaN(verify.discrepancies) ? "unknown" : verify.discrepancies}`);
    log(`  run time:                   ${((Date.now() - started) / 1_000).toFixed(1)} s`);
    if (failures > 0) {
      log(`  server log:                 ${join(workDir, "server.log")}`);
      log(`  last server log lines:\n${readFileSync(join(workDir, "server.log"), "utf8").trim().split("\n").slice(-15).map((l) => `    ${l}`).join("\n")}`);
    }
    log(`${passed} passed, ${failures} failed`);
    failed = failures > 0;
    return failed ? 1 : 0;
  } finally {
    process.removeListener("SIGINT", interrupt);
    await server.close();
    if (keep) {
      log(`kept database ${database.url} and ${workDir}`);
    } else {
      await database.drop();
      if (!failed) rmSync(workDir, { recursive: true, force: true });
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    log("0 passed, 1 failed");
    process.exit(1);
  },
);

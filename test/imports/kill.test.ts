/**
 * `kill -9` of a real `pointbook import` process (SPEC §6 Imports): the rerun says where it
 * resumes, finishes, and every row of the file is applied once (count and sum of import entries),
 * with the ledger verified. On PostgreSQL in a schema of the test's own; on PGlite in a data folder
 * of its own (the test and the child processes open it one after the other).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { migrate } from "../../src/storage/migrate.ts";
import { openPglite } from "../../src/storage/pglite.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { openPostgres } from "../../src/storage/postgres.ts";
import type { Database } from "../../src/storage/sql.ts";
import { kindsUnderTest } from "../support/db.ts";
import { balancesFile, newStore, scratch } from "./files.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const ROWS = 20_000;
const MEMBERS = 1_500;

interface Child {
  output(): string;
  kill(): void;
  exited: Promise<number | null>;
}

function pointbook(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [join(ROOT, "bin", "pointbook.js"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => void (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => void (out += d.toString()));
  return {
    output: () => out,
    kill: () => void child.kill("SIGKILL"),
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
}

async function until(what: string, probe: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(kindsUnderTest())("kill -9 of pointbook import on %s", (kind) => {
  const files = scratch("pb-kill-");
  let env: Record<string, string>;
  let db: Database | undefined;
  let admin: Database | undefined;
  let schema = "";

  beforeAll(async () => {
    if (kind === "postgres") {
      schema = `imports_kill_${randomBytes(4).toString("hex")}`;
      const url = `${process.env.DATABASE_URL}${process.env.DATABASE_URL!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      admin = openPostgres(process.env.DATABASE_URL!, { max: 1 });
      await admin.query(`CREATE SCHEMA ${schema}`);
      db = openPostgres(url, { max: 2 });
      await migrate(db);
      env = { DATABASE_URL: url, POINTBOOK_DATA_DIR: files.dir };
    } else {
      env = { DATABASE_URL: "", POINTBOOK_DATA_DIR: join(files.dir, "data") };
    }
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    if (schema) await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.close();
    files.cleanup();
  });

  /** PGlite's folder, opened here only while no child has it. */
  const local = () => openPglite(join(env.POINTBOOK_DATA_DIR!, "pglite"));

  // About 15 s alone; the time-out leaves room for a machine busy with other test files.
  it(`resumes a ${ROWS}-row balances import after SIGKILL and applies every row once`, async () => {
    let storeId: string;
    if (db) storeId = await newStore({ tx: transactor(db), clock: { now: () => new Date() } });
    else {
      mkdirSync(env.POINTBOOK_DATA_DIR!, { recursive: true });
      const here = await local();
      await migrate(here);
      storeId = await newStore({ tx: transactor(here), clock: { now: () => new Date() } });
      await here.close();
    }
    const { text, sum } = balancesFile(ROWS, MEMBERS);
    const file = files.file(text, "balances.csv");
    const args = ["import", "balances", file, "--store", storeId, "--batch-size", "250"];

    const first = pointbook(args, env);
    if (db) {
      // Killed once a few batches are committed: the database says so.
      await until("a few batches committed", async () => {
        const [row] = await db!.query<{ batches: number }>("SELECT coalesce(max(batches), 0) AS batches FROM imports WHERE store_id = $1", [storeId]);
        return (row?.batches ?? 0) >= 5 || first.output().includes(" done: ");
      }, 30_000);
    } else {
      // PGlite is the child's own: killed once it reports its first committed batch.
      await until("a batch committed", () => first.output().includes("processed "), 30_000);
    }
    first.kill();
    expect(await first.exited).toBeNull();
    expect(first.output()).not.toMatch(/ done: /);

    const second = pointbook(args, env);
    expect(await second.exited).toBe(0);
    const resumed = /resuming import (imp_\w+) at line (\d+) \((\d+) rows done before\)/.exec(second.output());
    expect(resumed, second.output()).not.toBeNull();
    expect(Number(resumed![3])).toBeGreaterThan(0);
    expect(Number(resumed![3]) % 250).toBe(0);
    expect(second.output()).toMatch(new RegExp(`import ${resumed![1]} done: ${ROWS} rows, ${ROWS} imported, 0 rejected`));

    // Every row once: count and sum of the import entries, and the ledger verifies (`pointbook verify` on PostgreSQL).
    const after = db ?? (await local());
    try {
      const [entries] = await after.query<{ n: number; points: number }>("SELECT count(*)::bigint AS n, coalesce(sum(points), 0)::bigint AS points FROM entries WHERE store_id = $1 AND type = 'import'", [storeId]);
      expect(entries).toEqual({ n: ROWS, points: sum });
      expect(await verifyLedger(after, storeId)).toEqual([]);
    } finally {
      if (after !== db) await after.close();
    }
    if (db) {
      const check = pointbook(["verify", "--store", storeId], env);
      expect(await check.exited, check.output()).toBe(0);
      expect(check.output()).toMatch(/: 0 discrepancies/);
    }
  }, 150_000);
});

import { performance } from "node:perf_hooks";
import pg from "pg";
import { migrate } from "../../src/storage/migrate.ts";
import { openPostgres } from "../../src/storage/postgres.ts";
import type { Database, Sql } from "../../src/storage/sql.ts";

/** A database of its own on the server, so millions of rows never land in another's tables. */
export const SCALE_DATABASE = "pointbook_bench_scale";

export interface ScratchDatabase {
  db: Database;
  /** A plain connection to the scratch database, for bulk loading, counts and VACUUM. */
  admin: pg.Client;
  url: string;
  /** Closes both and drops the database (kept when `keep`). */
  dispose(keep: boolean): Promise<void>;
}

/** One statement on the server outside any database of ours (CREATE or DROP DATABASE). */
export async function onServer(baseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export const dropScratch = (baseUrl: string) => onServer(baseUrl, `DROP DATABASE IF EXISTS ${SCALE_DATABASE} WITH (FORCE)`);

/** Drops what an earlier run may have left, creates the database afresh and migrates it. */
export async function openScratch(baseUrl: string): Promise<ScratchDatabase> {
  await dropScratch(baseUrl);
  try {
    await onServer(baseUrl, `CREATE DATABASE ${SCALE_DATABASE}`);
  } catch (error) {
    if ((error as { code?: string }).code === "42501") throw new Error(`bench:scale needs a role that may create databases (CREATE DATABASE ${SCALE_DATABASE})`);
    throw error;
  }
  const url = new URL(baseUrl);
  url.pathname = `/${SCALE_DATABASE}`;
  const db = openPostgres(url.toString());
  const admin = new pg.Client({ connectionString: url.toString() });
  // Dropping the database (an interrupted run) ends this connection; that is no error worth a crash.
  admin.on("error", () => undefined);
  try {
    await migrate(db);
    await admin.connect();
  } catch (error) {
    await db.close();
    await admin.end().catch(() => undefined);
    await dropScratch(baseUrl);
    throw error;
  }
  return {
    db, admin, url: url.toString(),
    async dispose(keep) {
      await db.close();
      await admin.end().catch(() => undefined);
      if (!keep) await dropScratch(baseUrl);
    },
  };
}

export interface StatementTime {
  statement: string;
  calls: number;
  ms: number;
}

/** What a profiled database has spent, per statement text (start of the statement, whitespace folded). */
export interface Profile {
  db: Database;
  reset(): void;
  top(n: number): StatementTime[];
  totalMs(): number;
}

const statementKey = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 90);

/** The same database, timing every statement it runs (inside transactions too) by its text. */
export function profiled(db: Database): Profile {
  const times = new Map<string, StatementTime>();
  const timed = (sql: Sql): Sql => ({
    async query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
      const t0 = performance.now();
      try {
        return await sql.query<T>(text, params);
      } finally {
        const key = statementKey(text);
        const entry = times.get(key) ?? { statement: key, calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += performance.now() - t0;
        times.set(key, entry);
      }
    },
    script: (text) => sql.script(text),
  });
  const root = timed(db);
  return {
    db: {
      kind: db.kind,
      query: root.query,
      script: root.script,
      transaction: (fn) => db.transaction((tx) => fn(timed(tx))),
      close: () => db.close(),
    },
    reset: () => times.clear(),
    top: (n) => [...times.values()].sort((a, b) => b.ms - a.ms).slice(0, n),
    totalMs: () => [...times.values()].reduce((sum, t) => sum + t.ms, 0),
  };
}

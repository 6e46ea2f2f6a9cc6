import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { migrate } from "../src/storage/migrate.ts";
import { openPglite } from "../src/storage/pglite.ts";
import { openPostgres } from "../src/storage/postgres.ts";
import type { Database } from "../src/storage/sql.ts";

/** A database to benchmark: opened empty and migrated, removed again by `dispose`. */
export interface Target {
  name: string;
  /** One line about what was opened, printed before its rows. */
  detail: string;
  db: Database;
  dispose(): Promise<void>;
}

export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
/** Benchmark rows never go near the `test` database's public schema that CI verifies. */
const BENCH_DATABASE = "pointbook_bench";

export async function pgliteInMemory(): Promise<Target> {
  const db = await openPglite();
  await migrate(db);
  return { name: "pglite (memory)", detail: "in memory", db, dispose: () => db.close() };
}

export async function pgliteOnDisk(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "pointbook-bench-"));
  try {
    const db = await openPglite(dir);
    await migrate(db);
    return {
      name: "pglite (disk)", detail: `data folder ${dir}`, db,
      async dispose() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The PostgreSQL to use: DATABASE_URL, else the local default if it answers; null when none does. */
export async function findPostgres(): Promise<string | null> {
  const url = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return url;
  } catch {
    if (process.env.DATABASE_URL) throw new Error(`DATABASE_URL is set but PostgreSQL does not answer at it`);
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fresh database `pointbook_bench` on the same server, dropped afterwards. When the role may not
 * create databases, a schema `pointbook_bench` in the given database is used instead (search_path).
 */
export async function postgresScratch(baseUrl: string): Promise<Target> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  } catch (error) {
    if ((error as { code?: string }).code !== "42501") {
      await admin.end();
      throw error;
    }
    return postgresScratchSchema(baseUrl, admin);
  }
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${BENCH_DATABASE}`;
  const db = openPostgres(url.toString());
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    await dropDatabase(baseUrl);
    throw error;
  }
  return {
    name: "postgres", detail: `database ${BENCH_DATABASE} on ${redact(url)} (pool of 20, the server default)`, db,
    async dispose() {
      await db.close();
      await dropDatabase(baseUrl);
    },
  };
}

async function dropDatabase(baseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function postgresScratchSchema(baseUrl: string, admin: pg.Client): Promise<Target> {
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${BENCH_DATABASE} CASCADE`);
    await admin.query(`CREATE SCHEMA ${BENCH_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${BENCH_DATABASE}`);
  const db = openPostgres(url.toString());
  const drop = async () => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(`DROP SCHEMA IF EXISTS ${BENCH_DATABASE} CASCADE`);
    } finally {
      await c.end();
    }
  };
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    await drop();
    throw error;
  }
  return {
    name: "postgres", detail: `schema ${BENCH_DATABASE} in ${redact(new URL(baseUrl))} (pool of 20, the server default)`, db,
    async dispose() {
      await db.close();
      await drop();
    },
  };
}

function redact(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = "***";
  copy.search = "";
  return copy.toString();
}

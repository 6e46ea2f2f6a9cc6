import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { migrate } from "../../src/storage/migrate.ts";
import { openPostgres } from "../../src/storage/postgres.ts";
import type { Database } from "../../src/storage/sql.ts";
import { startServer, type ServerProcess } from "./server-process.ts";

export interface TwoServers {
  /** The test's own schema on DATABASE_URL, migrated; set before the tests run. */
  readonly db: Database;
  /** The two server processes, both on that schema; set before the tests run. */
  readonly servers: ServerProcess[];
}

/**
 * Two real server processes on one PostgreSQL (DATABASE_URL), working in a fresh schema of their
 * own so they never touch other test files' stores; call it inside a describe. Before the tests it
 * creates and migrates the schema and starts both servers; after them it kills what is still
 * running and drops the schema.
 */
export function twoServersOnPostgres(options: {
  /** The schema's name is this followed by random hex. */
  schemaPrefix: string;
  /** The prefix of the servers' data directory. */
  dirPrefix: string;
  /** Connections in the test's own pool on the schema. */
  poolSize: number;
  /** POINTBOOK_SCHEDULER_INTERVAL_MS of both servers. */
  schedulerIntervalMs: number;
  /** More environment for both servers. */
  env?: Record<string, string>;
}): TwoServers {
  const schema = `${options.schemaPrefix}${randomBytes(4).toString("hex")}`;
  const url = `${process.env.DATABASE_URL}${process.env.DATABASE_URL?.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const servers: ServerProcess[] = [];
  let db: Database | undefined;
  let admin: Database | undefined;
  let dir: string | undefined;

  beforeAll(async () => {
    admin = openPostgres(process.env.DATABASE_URL!, { max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    db = openPostgres(url, { max: options.poolSize });
    await migrate(db);
    dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
    const env = { DATABASE_URL: url, POINTBOOK_DATA_DIR: dir, POINTBOOK_SCHEDULER_INTERVAL_MS: String(options.schedulerIntervalMs), LOG_LEVEL: "warn", ...options.env };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    await db?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return {
    get db() {
      if (!db) throw new Error("the schema is not set up yet");
      return db;
    },
    servers,
  };
}

/**
 * A server killed with SIGKILL in the middle of an uploaded import (SPEC §6 Imports): the next
 * server process takes the import over once the dead one's lease has run out, resumes it after
 * its last committed batch, and every row is applied once. Real `pointbook serve` processes; on
 * PostgreSQL in a schema of the test's own, on PGlite in a data folder (one process after the other).
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/storage/migrate.ts";
import { openPglite } from "../../src/storage/pglite.ts";
import { openPostgres } from "../../src/storage/postgres.ts";
import type { Database } from "../../src/storage/sql.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { exitWithin, OPERATOR, startServer, type ServerProcess } from "../jobs/server-process.ts";
import { kindsUnderTest } from "../support/db.ts";
import { balancesFile, scratch } from "./files.ts";

const MEMBERS = 1_500;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(kindsUnderTest())("a server killed mid-import on %s", (kind) => {
  // Enough batches (1000 rows each) to kill the server between them; PGlite imports more slowly.
  const ROWS = kind === "postgres" ? 20_000 : 12_000;
  const files = scratch("pb-server-kill-");
  const servers: ServerProcess[] = [];
  let env: Record<string, string>;
  let admin: Database | undefined;
  let schemaUrl = "";
  let schema = "";

  beforeAll(async () => {
    if (kind === "postgres") {
      schema = `imports_server_${randomBytes(4).toString("hex")}`;
      schemaUrl = `${process.env.DATABASE_URL}${process.env.DATABASE_URL!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      admin = openPostgres(process.env.DATABASE_URL!, { max: 1 });
      await admin.query(`CREATE SCHEMA ${schema}`);
      const db = openPostgres(schemaUrl, { max: 1 });
      await migrate(db);
      await db.close();
      env = { DATABASE_URL: schemaUrl, POINTBOOK_DATA_DIR: files.dir };
    } else {
      env = { DATABASE_URL: "", POINTBOOK_DATA_DIR: join(files.dir, "data") };
    }
    env = { ...env, POINTBOOK_IMPORT_LEASE_MS: "2000", LOG_LEVEL: "warn", POINTBOOK_RATE_LIMIT_PER_SECOND: "0" };
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    if (schema) await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.close();
    files.cleanup();
  });

  it("resumes an upload in the next server process, every row once", async () => {
    const first = await startServer(env);
    servers.push(first);
    const api = (server: ServerProcess, method: string, path: string, key: string, body?: string, type = "application/json") =>
      fetch(`${server.base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { "content-type": type } : {}) }, body });
    const created = await api(first, "POST", "/v1/stores", OPERATOR, JSON.stringify({ name: "Server kill", currency: "USD", timezone: "UTC" }));
    const store = (await created.json()) as { id: string; apiKey: string };
    const { text, sum } = balancesFile(ROWS, MEMBERS);
    const uploaded = await api(first, "POST", "/v1/imports?kind=balances&fileName=opening.csv", store.apiKey, text, "text/csv");
    expect(uploaded.status).toBe(202);
    const { id } = (await uploaded.json()) as { id: string };
    const progress = async (server: ServerProcess) => (await (await api(server, "GET", `/v1/imports/${id}`, store.apiKey)).json()) as { status: string; processed: number; imported: number; total: number };

    const before = await until("some batches committed", async () => {
      const p = await progress(first);
      return p.processed >= 3_000 ? p : undefined;
    }, 60_000);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(before.status).toBe("running");

    const second = await startServer(env);
    servers.push(second);
    const done = await until("the import done by the next server", async () => {
      const p = await progress(second);
      return p.status === "running" ? undefined : p;
    }, 90_000);
    expect(done).toMatchObject({ status: "done", total: ROWS, processed: ROWS, imported: ROWS });
    second.child.kill("SIGTERM");
    await exitWithin(second, 15_000);

    const db: Database = kind === "postgres" ? openPostgres(schemaUrl, { max: 1 }) : await openPglite(join(env.POINTBOOK_DATA_DIR!, "pglite"));
    try {
      const [entries] = await db.query<{ n: number; points: number }>(
        "SELECT count(*)::bigint AS n, coalesce(sum(points), 0)::bigint AS points FROM entries WHERE store_id = $1 AND type = 'import'", [store.id]);
      expect(entries).toEqual({ n: ROWS, points: sum });
      expect(await verifyLedger(db, store.id)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 240_000);
});

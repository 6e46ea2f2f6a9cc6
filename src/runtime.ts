import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Env } from "./config/env.ts";
import { openDatabase } from "./storage/open.ts";
import { migrate } from "./storage/migrate.ts";
import { transactor } from "./storage/transactor.ts";
import type { Database } from "./storage/sql.ts";
import type { Services } from "./services/context.ts";

export interface Runtime {
  db: Database;
  services: Services;
  close(): Promise<void>;
}

/** Opens the configured database, brings its schema up to date, and wires the services. */
export async function openRuntime(env: Pick<Env, "DATABASE_URL" | "POINTBOOK_DATA_DIR"> & Partial<Pick<Env, "POINTBOOK_IDEMPOTENCY_TTL_HOURS" | "POINTBOOK_DB_POOL_SIZE">>): Promise<Runtime> {
  if (!env.DATABASE_URL) mkdirSync(env.POINTBOOK_DATA_DIR, { recursive: true });
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATABASE_URL ? undefined : join(env.POINTBOOK_DATA_DIR, "pglite"), poolSize: env.POINTBOOK_DB_POOL_SIZE });
  await migrate(db);
  return { db, services: { tx: transactor(db), clock: { now: () => new Date() }, idempotencyTtlMs: (env.POINTBOOK_IDEMPOTENCY_TTL_HOURS ?? 24) * 3_600_000 }, close: () => db.close() };
}

/** The operator token from the environment, or one generated once and kept in the data folder. */
export function operatorToken(env: Pick<Env, "POINTBOOK_OPERATOR_TOKEN" | "POINTBOOK_DATA_DIR">): { token: string; generated: boolean; file?: string } {
  if (env.POINTBOOK_OPERATOR_TOKEN) return { token: env.POINTBOOK_OPERATOR_TOKEN, generated: false };
  mkdirSync(env.POINTBOOK_DATA_DIR, { recursive: true });
  const file = join(env.POINTBOOK_DATA_DIR, "operator-token");
  if (existsSync(file)) return { token: readFileSync(file, "utf8").trim(), generated: false, file };
  const token = `pbop_${randomBytes(24).toString("hex")}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, generated: true, file };
}

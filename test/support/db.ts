import { openPglite } from "../../src/storage/pglite.ts";
import { openPostgres } from "../../src/storage/postgres.ts";
import { migrate } from "../../src/storage/migrate.ts";
import type { Database } from "../../src/storage/sql.ts";

export type DatabaseKind = "pglite" | "postgres";

/**
 * The suite runs on PGlite by default and on PostgreSQL when DATABASE_URL is set. Storage tests
 * loop over `kindsUnderTest()`: PGlite always, PostgreSQL too when it is configured.
 */
export function configuredKind(): DatabaseKind {
  return process.env.DATABASE_URL ? "postgres" : "pglite";
}

export function kindsUnderTest(): DatabaseKind[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export async function openTestDatabase(kind: DatabaseKind = configuredKind()): Promise<Database> {
  const db = kind === "postgres" ? openPostgres(process.env.DATABASE_URL!, { max: 40 }) : await openPglite();
  await migrate(db);
  return db;
}

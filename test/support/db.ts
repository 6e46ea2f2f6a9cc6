import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openPglite, type PgliteDatabase } from "../../src/storage/pglite.ts";
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
  if (kind === "postgres") {
    // Few connections per file: the files run in parallel and, with the servers some of them start, share max_connections (100).
    const db = openPostgres(process.env.DATABASE_URL!, { max: 12 });
    await migrate(db);
    return db;
  }
  return openMigratedPglite();
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TEMPLATES = join(ROOT, "node_modules", ".cache", "pointbook-test");

/** Names the schema: a hash of the migration runner and every migration file. */
async function schemaHash(): Promise<string> {
  const dir = join(ROOT, "src", "storage", "migrations");
  const files = [join(ROOT, "src", "storage", "migrate.ts"), ...(await readdir(dir)).sort().map((f) => join(dir, f))];
  const hash = createHash("sha256");
  for (const f of files) hash.update(f).update(await readFile(f));
  return hash.digest("hex").slice(0, 16);
}

/**
 * PGlite's initdb is most of the cost of a fresh in-memory database (seconds per test file, far
 * more on a busy machine). The first test file to need a given schema migrates a fresh database
 * and saves its data directory; every later one starts from that copy. The migrations still run
 * (and find nothing to do), so a stale copy can never hide a schema change.
 */
async function openMigratedPglite(): Promise<Database> {
  let file: string | null = null;
  try {
    file = join(TEMPLATES, `pglite-${await schemaHash()}.tar`);
    const template = new Blob([await readFile(file)]);
    const db = await openPglite(undefined, { loadDataDir: template });
    try {
      await migrate(db);
      return db;
    } catch (error) {
      await db.close();
      throw error;
    }
  } catch {
    // No template yet (or it could not be read): migrate a fresh database and save it.
  }
  const db: PgliteDatabase = await openPglite();
  await migrate(db);
  if (file) {
    try {
      const dump = Buffer.from(await (await db.dumpDataDir()).arrayBuffer());
      await mkdir(TEMPLATES, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, dump);
      await rename(tmp, file); // atomic: a concurrent reader sees the old state or the whole file
      await removeStaleTemplates(file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
  return db;
}

/** Templates of older schemas, and partial writes abandoned more than ten minutes ago. */
async function removeStaleTemplates(current: string): Promise<void> {
  const cutoff = Date.now() - 10 * 60_000;
  for (const name of await readdir(TEMPLATES)) {
    const path = join(TEMPLATES, name);
    if (path === current) continue;
    const info = await stat(path).catch(() => null);
    if (info && (!name.endsWith(".tmp") || info.mtimeMs < cutoff)) await rm(path, { force: true });
  }
}

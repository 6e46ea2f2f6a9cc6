import { PGlite } from "@electric-sql/pglite";
import type { Database, Sql } from "./sql.ts";

export interface PgliteDatabase extends Database {
  /** The whole data directory as a tarball (to seed another instance with `loadDataDir`). */
  dumpDataDir(): Promise<Blob>;
}

/**
 * Embedded PostgreSQL in a folder (or in memory when `dataDir` is omitted). One connection.
 * `loadDataDir` starts from a dumped data directory instead of running initdb.
 */
export async function openPglite(dataDir?: string, options: { loadDataDir?: Blob } = {}): Promise<PgliteDatabase> {
  const db = await PGlite.create(dataDir, {
    parsers: { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const wrap = (conn: { query: PGlite["query"]; exec: PGlite["exec"] }): Sql => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await conn.query<T>(text, params as unknown[] | undefined);
      return result.rows;
    },
    async script(text: string) {
      await conn.exec(text);
    },
  });
  const root = wrap(db);
  return {
    kind: "pglite",
    query: root.query,
    script: root.script,
    // PGlite runs one transaction at a time, so concurrent callers queue here instead of interleaving.
    transaction: <T>(fn: (tx: Sql) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      await db.close();
    },
    dumpDataDir: () => db.dumpDataDir("none"),
  };
}

import { createHash } from "node:crypto";
import pg from "pg";
import type { Database, Sql } from "./sql.ts";

// Points sums are bigint/numeric in SQL; they stay far below 2^53, so plain numbers are exact.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const RETRYABLE = new Set(["40001", "40P01"]); // serialization failure, deadlock

/**
 * Statements are prepared once per connection and reused (named by a hash of their text): the
 * server parses and plans each only once. Texts are fixed in the code (values travel as
 * parameters), so the number of names stays small.
 */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `pb_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`));
  return name;
}

export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20 });
  // An idle client that loses its connection must not crash the process.
  pool.on("error", () => undefined);
  const wrap = (client: pg.Pool | pg.PoolClient): Sql => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await client.query({ name: statementName(text), text, values: params as unknown[] | undefined });
      return result.rows as T[];
    },
    async script(text: string) {
      await client.query(text);
    },
  });
  const root = wrap(pool);
  return {
    kind: "postgres",
    query: root.query,
    script: root.script,
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          const result = await fn(wrap(client));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          const code = (error as { code?: string }).code;
          if (code && RETRYABLE.has(code) && attempt < 5) continue;
          throw error;
        } finally {
          client.release();
        }
      }
    },
    async close() {
      await pool.end();
    },
  };
}

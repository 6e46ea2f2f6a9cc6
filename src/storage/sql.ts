/** The part of a database connection the project uses; one adapter for PGlite, one for PostgreSQL. */
export type Row = Record<string, unknown>;

export interface Sql {
  query<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  script(text: string): Promise<void>;
  /**
   * A write whose result nobody reads (an INSERT, UPDATE or DELETE without RETURNING). Inside a
   * transaction it may be held back and sent with the writes after it as one statement; it is
   * always sent before the next read, the next savepoint and the commit.
   */
  write?(text: string, params?: readonly unknown[]): Promise<void>;
}

/** Sends a write through `sql.write` where the connection has it, else at once. */
export async function write(sql: Sql, text: string, params: readonly unknown[] = []): Promise<void> {
  if (sql.write) await sql.write(text, params);
  else await sql.query(text, params);
}

export interface Database extends Sql {
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** jsonb parameters are always sent as text so both drivers store the same value. */
export function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

import type { Database, Sql } from "../../src/storage/sql.ts";

/** One statement as the database received it, with who sent it. */
export interface RecordedStatement {
  /** What was running: a request (`POST /v1/events`), "scheduler", "migrations", … */
  label: string;
  /** The store whose key sent the request; null for the operator and for work without a caller. */
  callerStore: string | null;
  /** Numbered per transaction; null for a statement outside any transaction. */
  tx: number | null;
  text: string;
  params: readonly unknown[];
}

export interface Recorder {
  db: Database;
  statements: RecordedStatement[];
  /** Labels every statement until the next call. */
  label(label: string, callerStore?: string | null): void;
}

/** The database, unchanged, except that every statement sent through it is written down. */
export function recordingDatabase(inner: Database): Recorder {
  const statements: RecordedStatement[] = [];
  let current = { label: "unlabelled", callerStore: null as string | null };
  let transactions = 0;
  const wrap = (sql: Sql, tx: number | null): Sql => ({
    query(text, params = []) {
      statements.push({ ...current, tx, text, params });
      return sql.query(text, params);
    },
    script(text) {
      statements.push({ ...current, tx, text, params: [] });
      return sql.script(text);
    },
  });
  const root = wrap(inner, null);
  const db: Database = {
    kind: inner.kind,
    query: root.query,
    script: root.script,
    transaction: (fn) => {
      const tx = ++transactions;
      return inner.transaction((sql) => fn(wrap(sql, tx)));
    },
    close: () => inner.close(),
  };
  return {
    db,
    statements,
    label(label, callerStore = null) {
      current = { label, callerStore };
    },
  };
}

import type { Sql } from "./sql.ts";

/** A transaction's connection that holds writes back to send them together. */
export interface HoldingSql extends Sql {
  /** Sends the writes held so far, as one statement. */
  flush(): Promise<void>;
  /** Forgets the writes held so far (their savepoint is being rolled back). */
  discard(): void;
}

interface HeldWrite {
  text: string;
  params: readonly unknown[];
  table: string;
}

const TARGET = /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)\b/i;

/**
 * Holds a transaction's writes and sends them as one statement — each a data-modifying `WITH`
 * item (`WITH w0 AS (INSERT …), w1 AS (UPDATE …) SELECT 1`) — before the next read, savepoint or
 * commit: a command's lots, entries, members, counters, events, outgoing events and idempotency
 * records cost one round trip instead of one each.
 *
 * The items of one statement all see the database as it was before it, and PostgreSQL leaves it
 * unpredictable which of two changes to one row wins; so a write to a table already held is sent
 * only after the held ones, and the callers' writes never read another table (foreign keys are
 * checked at the end of the statement, when every item has run).
 */
export function holdingSql(tx: Sql): HoldingSql {
  let held: HeldWrite[] = [];

  async function flush(): Promise<void> {
    if (held.length === 0) return;
    const batch = held;
    held = [];
    if (batch.length === 1) {
      await tx.query(batch[0]!.text, batch[0]!.params);
      return;
    }
    const params: unknown[] = [];
    const items = batch.map((w, i) => {
      const offset = params.length;
      params.push(...w.params);
      return `w${i} AS (${w.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
    });
    await tx.query(`WITH ${items.join(",\n")}\nSELECT 1`, params);
  }

  return {
    async query(text, params) {
      await flush();
      return tx.query(text, params);
    },
    async script(text) {
      await flush();
      return tx.script(text);
    },
    async write(text, params = []) {
      const table = TARGET.exec(text)?.[1]?.toLowerCase();
      if (table === undefined || held.some((w) => w.table === table)) await flush();
      if (table === undefined) await tx.query(text, params);
      else held.push({ text, params, table });
    },
    flush,
    discard() {
      held = [];
    },
  };
}

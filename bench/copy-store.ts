import type { Database } from "../src/storage/sql.ts";
import type { MemoryTransactor } from "../src/storage/memory/transactor.ts";

/**
 * Copies a store made on the in-memory adapter into PostgreSQL, row for row: the tables a
 * simulation reads (its history, its ledger's monthly flows, its program) and those their keys
 * name. Making a store of 200 000 orders through the services on PostgreSQL takes hours on a
 * small machine; made in memory (minutes) and copied, it lets the history read be measured on
 * PostgreSQL at full size. The memory adapter's rows are the SQL schema's, columns in camelCase
 * (state.ts), so each table is copied by column name; what the copy leaves out (rule counters,
 * order awards, the outbox, idempotency keys) no simulation reads.
 */
export async function copyStoreToPostgres(memory: MemoryTransactor, storeId: string, db: Database): Promise<Record<string, number>> {
  const store = memory.state.stores.get(storeId);
  const t = memory.state.tenants.get(storeId);
  if (!store || !t) throw new Error(`no store ${storeId} in memory`);
  // Kept beside the tables (memory/history.ts): read as the repository reads them.
  const updates = await memory.run((repos) => repos.history.orderUpdates(storeId));
  const tables: Array<[string, Iterable<object>]> = [
    ["stores", [store]],
    ["members", t.members.values()],
    ["earn_rules", t.rules.values()],
    ["earn_rule_versions", [...t.ruleVersions.values()].flatMap((versions) => [...versions.values()])],
    ["tiers", t.tiers.values()],
    ["redeem_methods", t.methods.values()],
    ["events", t.events.values()],
    ["orders", t.orders.values()],
    ["order_updates", updates.map((u) => ({ id: u.id, orderId: u.orderId, at: u.at, body: JSON.parse(u.body) }))],
    ["lots", t.lots.values()],
    ["entries", t.entries.values()],
    ["allocations", t.allocations.values()],
    ["holds", t.holds.values()],
    ["redemptions", t.redemptions.values()],
    ["audit_log", t.audit.values()],
  ];
  const copied: Record<string, number> = {};
  for (const [table, rows] of tables) copied[table] = await copyRows(db, table, table === "stores" ? null : storeId, rows);
  return copied;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Inserts rows by column name, a few thousand per statement (jsonb_populate_recordset maps the JSON's keys to the table's columns). */
async function copyRows(db: Database, table: string, storeId: string | null, rows: Iterable<object>): Promise<number> {
  const columns = (await db.query<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' AND identity_generation IS NULL",
    [table])).map((c) => c.name);
  if (columns.length === 0) throw new Error(`no table ${table}`);
  const list = columns.map((c) => `"${c}"`).join(", ");
  let batch: Array<Record<string, unknown>> = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await db.query(`INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(batch)]);
    count += batch.length;
    batch = [];
  };
  for (const row of rows) {
    const out: Record<string, unknown> = storeId === null ? {} : { store_id: storeId };
    for (const [k, v] of Object.entries(row)) out[snake(k)] = v;
    batch.push(out);
    if (batch.length >= 5_000) await flush();
  }
  await flush();
  return count;
}

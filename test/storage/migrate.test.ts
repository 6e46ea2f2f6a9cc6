/**
 * Migrations (SPEC §3; STYLE "one adapter per database, one suite looped over both"): applying them
 * twice changes nothing, and two migrators starting at once apply each migration exactly once.
 * On PostgreSQL the test migrates a schema of its own and drops it afterwards.
 */
import { afterEach, describe, expect, it } from "vitest";
import { randomChars } from "../../src/core/ids.ts";
import { migrate } from "../../src/storage/migrate.ts";
import { openPglite } from "../../src/storage/pglite.ts";
import { openPostgres } from "../../src/storage/postgres.ts";
import type { Database } from "../../src/storage/sql.ts";
import { kindsUnderTest, type DatabaseKind } from "../support/db.ts";

/** A database with no tables yet: a fresh PGlite, or a fresh schema on the shared PostgreSQL. */
async function openEmpty(kind: DatabaseKind): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  }
  const schema = `pb_migrate_${randomChars(10)}`;
  const admin = openPostgres(process.env.DATABASE_URL!, { max: 1 });
  await admin.script(`CREATE SCHEMA ${schema}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.searchParams.set("options", `-c search_path=${schema}`);
  const db = openPostgres(url.toString(), { max: 4 });
  return {
    db,
    async drop() {
      await db.close();
      await admin.script(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

const TABLES = [
  "allocations", "api_keys", "audit_log", "entitlement_uses", "entitlements", "entries", "holds",
  "idempotency", "lots", "members", "outbox", "redeem_methods", "redemptions", "schema_migrations", "stores",
];

async function tableNames(db: Database): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  return rows.map((r) => r.table_name);
}

for (const kind of kindsUnderTest()) {
  describe(kind, () => {
    let cleanup: (() => Promise<void>) | null = null;
    afterEach(async () => {
      await cleanup?.();
      cleanup = null;
    });

    it("applies every migration once, in order, and a second run applies nothing", async () => {
      const { db, drop } = await openEmpty(kind);
      cleanup = drop;
      expect(await tableNames(db)).toEqual([]);

      const applied = await migrate(db);
      expect(applied[0]).toBe("001_ledger");
      expect(applied).toEqual([...applied].sort());
      const recorded = await db.query<{ version: string }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(recorded.map((r) => r.version)).toEqual(applied);
      const tables = await tableNames(db);
      for (const t of TABLES) expect(tables).toContain(t);

      expect(await migrate(db)).toEqual([]);
      expect(await tableNames(db)).toEqual(tables);
      expect((await db.query("SELECT version FROM schema_migrations")).length).toBe(applied.length);
    });

    it("two migrators starting at once: one applies everything, the other nothing, no error", async () => {
      const { db, drop } = await openEmpty(kind);
      cleanup = drop;
      const [a, b] = await Promise.all([migrate(db), migrate(db)]);
      const [winner, loser] = a.length > 0 ? [a, b] : [b, a];
      expect(loser).toEqual([]);
      expect(winner[0]).toBe("001_ledger");
      const recorded = await db.query<{ version: string }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(recorded.map((r) => r.version)).toEqual(winner);
      // The schema works: a store row can be written and read back.
      await db.query(
        "INSERT INTO stores (id, name, currency, timezone, program) VALUES ('st_x', 'X', 'USD', 'UTC', '{}'::jsonb)",
      );
      expect(await db.query("SELECT id FROM stores")).toEqual([{ id: "st_x" }]);
    });

    it("several migrators at once on an already migrated database all apply nothing", async () => {
      const { db, drop } = await openEmpty(kind);
      cleanup = drop;
      const first = await migrate(db);
      expect(first.length).toBeGreaterThan(0);
      expect(await Promise.all([migrate(db), migrate(db), migrate(db)])).toEqual([[], [], []]);
      expect((await db.query("SELECT version FROM schema_migrations")).length).toBe(first.length);
    });
  });
}

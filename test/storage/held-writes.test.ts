/**
 * Held writes (storage/held-writes.ts): a transaction's writes go out together as one statement,
 * before any read, and never two writes to one table in one statement; what a rolled-back
 * savepoint held is never sent. The statement shapes are checked on a connection that writes down
 * what it is sent, the effects on the configured database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outgoing } from "../../src/core/outgoing/events.ts";
import { holdingSql } from "../../src/storage/held-writes.ts";
import type { Database, Sql } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { createStore } from "../../src/services/stores.ts";
import { TestClock } from "../support/clock.ts";
import { configuredKind, openTestDatabase } from "../support/db.ts";

function recorder(): Sql & { sent: Array<{ text: string; params: readonly unknown[] }> } {
  const sent: Array<{ text: string; params: readonly unknown[] }> = [];
  return {
    sent,
    async query(text, params = []) {
      sent.push({ text, params });
      return [];
    },
    async script(text) {
      sent.push({ text, params: [] });
    },
  };
}

describe("held writes: what is sent", () => {
  it("sends writes to different tables as one statement, parameters renumbered, before the next read", async () => {
    const inner = recorder();
    const sql = holdingSql(inner);
    await sql.write!("INSERT INTO lots (store_id, id) VALUES ($1, $2)", ["s", "l1"]);
    await sql.write!("UPDATE members SET balance = $2 WHERE store_id = $1", ["s", 5]);
    expect(inner.sent).toEqual([]);
    await sql.query("SELECT 1 FROM members WHERE store_id = $1", ["s"]);
    expect(inner.sent).toEqual([
      { text: "WITH w0 AS (INSERT INTO lots (store_id, id) VALUES ($1, $2)),\nw1 AS (UPDATE members SET balance = $4 WHERE store_id = $3)\nSELECT 1", params: ["s", "l1", "s", 5] },
      { text: "SELECT 1 FROM members WHERE store_id = $1", params: ["s"] },
    ]);
  });

  it("sends what it holds before a second write to the same table, and a lone write as it is", async () => {
    const inner = recorder();
    const sql = holdingSql(inner);
    await sql.write!("UPDATE lots SET remaining = 1 WHERE id = $1", ["a"]);
    await sql.write!("update LOTS set remaining = 2 where id = $1", ["a"]);
    await sql.flush();
    expect(inner.sent.map((s) => s.text)).toEqual(["UPDATE lots SET remaining = 1 WHERE id = $1", "update LOTS set remaining = 2 where id = $1"]);
  });

  it("sends a statement it cannot name a table for at once, after what it holds", async () => {
    const inner = recorder();
    const sql = holdingSql(inner);
    await sql.write!("INSERT INTO outbox (id) VALUES ($1)", ["o"]);
    await sql.write!("SELECT pg_advisory_xact_lock($1)", [7]);
    expect(inner.sent.map((s) => s.text)).toEqual(["INSERT INTO outbox (id) VALUES ($1)", "SELECT pg_advisory_xact_lock($1)"]);
  });

  it("forgets what it holds when told to discard", async () => {
    const inner = recorder();
    const sql = holdingSql(inner);
    await sql.write!("INSERT INTO outbox (id) VALUES ($1)", ["o"]);
    sql.discard();
    await sql.flush();
    expect(inner.sent).toEqual([]);
  });
});

describe(`held writes on ${configuredKind()}`, () => {
  let db: Database;
  let storeId: string;
  const tx = () => transactor(db);
  /** Outgoing events told apart by a label in their data. */
  const marker = (label: string) => ({ ...outgoing("member.tier_changed", null, { from: null, to: label, by: "test" }), occurredAt: new Date() });
  const topics = async () => (await db.query<{ label: string }>("SELECT payload->>'to' AS label FROM outbox WHERE store_id = $1 ORDER BY 1", [storeId])).map((r) => r.label);

  beforeAll(async () => {
    db = await openTestDatabase();
    storeId = (await createStore({ tx: tx(), clock: new TestClock() }, { name: "Held", currency: "USD", timezone: "UTC" }, { id: "t", role: "operator" })).store.id;
  });
  afterAll(async () => db?.close());

  it("commits held writes with the transaction; a rolled-back savepoint's are never applied", async () => {
    await tx().run(async (repos) => {
      await repos.outbox.add(storeId, [marker("a.kept")]);
      await repos.savepoint(async () => {
        await repos.outbox.add(storeId, [marker("b.undone")]);
        throw new Error("refused");
      }).catch(() => undefined);
      await repos.audit.insert(storeId, { id: "aud_held", at: new Date(), actor: "t", action: "test", entityType: "x", entityId: "y", before: null, after: null });
      await repos.outbox.add(storeId, [marker("c.kept")]);
    });
    expect(await topics()).toEqual(["a.kept", "c.kept"]);
  });

  it("a held write that fails fails its transaction, and nothing of it stays", async () => {
    const failing = tx().run(async (repos) => {
      await repos.outbox.add(storeId, [marker("d.lost")]);
      // The same audit id twice: the second insert breaks the primary key when the writes are sent.
      await repos.audit.insert(storeId, { id: "aud_twice", at: new Date(), actor: "t", action: "test", entityType: "x", entityId: "y", before: null, after: null });
      await repos.audit.insert(storeId, { id: "aud_twice", at: new Date(), actor: "t", action: "test", entityType: "x", entityId: "y", before: null, after: null });
    });
    await expect(failing).rejects.toThrow();
    expect(await topics()).toEqual(["a.kept", "c.kept"]);
  });
});

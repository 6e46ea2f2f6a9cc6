/**
 * How many statements one event costs (docs/performance.md, "The write path"): a regression here
 * is a round trip more for every event on every server. Counted on a database that writes down
 * what it is sent (BEGIN and COMMIT are the driver's and not counted), for a new member and for a
 * known one, with the program cache warm.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { createRule } from "../../src/services/earn-rules.ts";
import { recordEvents } from "../../src/services/record-events.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { configuredKind, openTestDatabase } from "../support/db.ts";
import { recordingDatabase, type Recorder } from "./recording-db.ts";

const ACTOR: Actor = { id: "staff", role: "points_manager" };

describe(`statements per event (${configuredKind()})`, () => {
  let db: Database;
  let rec: Recorder;
  let services: Services;
  let storeId: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    rec = recordingDatabase(db);
    services = { tx: transactor(rec.db), clock: new TestClock() };
    storeId = (await createStore(services, { name: "Count", currency: "USD", timezone: "UTC" }, { id: "t", role: "operator" })).store.id;
    await services.tx.run((repos) => createRule(repos, services, storeId, earnRuleSchema.parse({ name: "visit", event: "visit", award: { type: "fixed", points: 5 } }), ACTOR));
  });
  afterAll(async () => db?.close());

  const record = async (id: string, memberId: string) => {
    rec.statements.length = 0;
    const [outcome] = await services.tx.run((repos) => recordEvents(repos, services, storeId, [{ event: { id, type: "visit", memberId, properties: {} }, fingerprint: id }], ACTOR));
    expect(outcome?.kind).toBe("recorded");
    return rec.statements.map((s) => s.text.replace(/\s+/g, " ").trim());
  };

  it("one earning event: store, claim, create-and-lock, books, counters, and one statement of writes", async () => {
    await record("warm-up", "m0");
    for (const [id, member] of [["e1", "new-member"], ["e2", "new-member"]] as const) {
      const statements = await record(id, member);
      expect(statements.length).toBe(6);
      expect(statements[0]).toMatch(/^SELECT \* FROM stores WHERE id = \$1$/);
      expect(statements[1]).toMatch(/^INSERT INTO idempotency .* RETURNING key$/);
      expect(statements[2]).toMatch(/^INSERT INTO members .* ON CONFLICT .* DO UPDATE .* RETURNING \*$/);
      expect(statements[3]).toMatch(/FROM holds .* FROM lots/);
      expect(statements[4]).toMatch(/FROM rule_counters/);
      // Lots, entries, members' figures, counters, the event, its outgoing event, its idempotency record.
      const writes = statements[5]!;
      for (const table of ["lots", "entries", "members", "rule_counters", "events", "outbox", "idempotency"]) {
        expect(writes, table).toMatch(new RegExp(`\\b(INSERT INTO|UPDATE) ${table}\\b`));
      }
    }
  });
});

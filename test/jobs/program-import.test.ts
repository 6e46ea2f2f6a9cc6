/**
 * A program import writes the store row back whole; a sandbox clock advance committed while the
 * import ran must survive it. The import is paused right after it read the store, the advance is
 * started, then the import goes on. On PostgreSQL the two truly overlap; PGlite queues them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../src/services/context.ts";
import { advanceClock } from "../../src/services/due-work.ts";
import { importProgram } from "../../src/services/program-document.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { kindsUnderTest, openTestDatabase } from "../support/db.ts";

const operator = { id: "test", role: "operator" as const };
const T0 = new Date("2026-01-15T12:00:00Z");
const T1 = new Date("2026-03-01T00:00:00Z");

for (const kind of kindsUnderTest()) {
  describe(`program import on ${kind}`, () => {
    let db: Database;
    let services: Services;
    beforeAll(async () => {
      db = await openTestDatabase(kind);
      services = { tx: transactor(db), clock: new TestClock(T0) };
    });
    afterAll(async () => db.close());

    it("never moves a sandbox clock back that advanced while the import ran", async () => {
      const { store } = await createStore(services, { name: "Import", currency: "USD", timezone: "UTC", sandbox: true, clock: T0 }, operator);
      let resume!: () => void;
      const paused = new Promise<void>((r) => (resume = r));
      let storeRead!: () => void;
      const read = new Promise<void>((r) => (storeRead = r));
      const hold = async <T>(value: T) => {
        storeRead();
        await paused;
        return value;
      };

      const importing = services.tx.run((repos) => importProgram(
        { ...repos, stores: { ...repos.stores, get: async (id) => hold(await repos.stores.get(id)), lock: async (id) => hold(await repos.stores.lock(id)) } },
        services, store.id, { settings: { expiryReminderDays: 3 } }, { dryRun: false }, operator,
      ));
      await read;
      const advancing = advanceClock(services, store.id, T1);
      // Long enough for the advance to commit, were nothing holding it back.
      await Promise.race([advancing, new Promise((r) => setTimeout(r, 300))]);
      resume();
      await Promise.all([importing, advancing]);

      const after = await services.tx.run((repos) => repos.stores.get(store.id));
      expect(after?.clockNow).toEqual(T1);
      expect(after?.program.expiryReminderDays).toBe(3);
    });
  });
}

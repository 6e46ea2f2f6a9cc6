/**
 * Two real server processes on one PostgreSQL run due work for the same stores at the same time:
 * every lot expires once, every reminder and every tier message is written once. Needs a
 * PostgreSQL server (two processes cannot share an in-memory PGlite); CI runs the suite on one.
 * The test works in a schema of its own, so the servers never touch other test files' stores.
 */
import { describe, expect, it } from "vitest";
import type { StoreRecord } from "../../src/core/ports/records.ts";
import type { Services } from "../../src/services/context.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { TestClock } from "../support/clock.ts";
import { days, seedStore } from "./seed.ts";
import { exitWithin } from "./server-process.ts";
import { twoServersOnPostgres } from "./two-servers.ts";

const STORES = 3;
const MEMBERS = 220; // more than one chunk per store

describe.runIf(process.env.DATABASE_URL)("two server processes on one PostgreSQL", () => {
  const pg = twoServersOnPostgres({ schemaPrefix: "due_work_", dirPrefix: "pointbook-two-", poolSize: 10, schedulerIntervalMs: 100 });

  const count = async (sql: string, ids: string[]) => Number((await pg.db.query<{ n: number }>(sql, [ids]))[0]!.n);

  it("expire each lot once and write each reminder and tier message once", async () => {
    // Lots credited ten days ago: the first expired five days ago, the second expires in three
    // days (inside the 7-day reminder window). Members hold a tier they no longer qualify for.
    const now = new Date();
    const services: Services = { tx: transactor(pg.db), clock: new TestClock(days(now, -10)) };
    const stores: StoreRecord[] = [];
    for (let i = 0; i < STORES; i++) {
      const store = await seedStore(services, MEMBERS, { expireInDays: 5, remindInDays: 13 });
      await services.tx.run(async (repos) => {
        await repos.tiers.upsert(store.id, { code: "gold", name: "Gold", rank: 1, multiplier: 1, qualification: { metric: "points_earned", threshold: 1_000, window: { type: "rolling", days: 30 } } }, now);
        for (const m of await repos.tiers.membersToCheck(store.id, true, null, MEMBERS)) await repos.tiers.setTier(store.id, m, "gold", undefined, now);
      });
      stores.push(store);
    }
    const ids = stores.map((s) => s.id);

    const outstanding = async () =>
      (await count("SELECT count(*) AS n FROM lots WHERE store_id = ANY($1) AND status = 'available' AND remaining > 0 AND expires_at <= now()", ids)) +
      (await count("SELECT count(*) AS n FROM lots WHERE store_id = ANY($1) AND reminded_at IS NULL AND remaining > 0 AND expires_at > now()", ids)) +
      (await count("SELECT count(*) AS n FROM members WHERE store_id = ANY($1) AND tier IS NOT NULL", ids));
    const deadline = Date.now() + 120_000;
    while ((await outstanding()) > 0) {
      if (Date.now() > deadline) throw new Error(`due work not done in time; ${await outstanding()} left`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Many more ticks of both processes: anything written twice would show now.
    await new Promise((r) => setTimeout(r, 1_500));

    const total = STORES * MEMBERS;
    expect(await count("SELECT count(*) AS n FROM entries WHERE store_id = ANY($1) AND type = 'expire'", ids)).toBe(total);
    expect(await count("SELECT count(DISTINCT lot_id) AS n FROM entries WHERE store_id = ANY($1) AND type = 'expire'", ids)).toBe(total);
    expect(await count("SELECT count(*) AS n FROM outbox WHERE store_id = ANY($1) AND topic = 'member.points_expiring'", ids)).toBe(total);
    expect(await count("SELECT count(DISTINCT payload->>'lotId') AS n FROM outbox WHERE store_id = ANY($1) AND topic = 'member.points_expiring'", ids)).toBe(total);
    expect(await count("SELECT count(*) AS n FROM outbox WHERE store_id = ANY($1) AND topic = 'member.tier_changed'", ids)).toBe(total);
    expect(await count("SELECT count(DISTINCT (store_id, member_id)) AS n FROM outbox WHERE store_id = ANY($1) AND topic = 'member.tier_changed'", ids)).toBe(total);
    for (const id of ids) expect(await verifyLedger(pg.db, id)).toEqual([]);

    for (const s of pg.servers) s.child.kill("SIGTERM");
    for (const s of pg.servers) expect(await exitWithin(s, 15_000)).toMatchObject({ code: 0 });
  }, 240_000);
});

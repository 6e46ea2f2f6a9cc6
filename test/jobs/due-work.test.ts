/**
 * Due work on wall time (the scheduler's side): stores fail apart, chunks stay bounded, a store's
 * lease keeps other processes out, and reminders and tier messages are written once even when two
 * runs meet. On PostgreSQL the concurrent cases truly run at once; PGlite queues them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { StoreRecord } from "../../src/core/ports/records.ts";
import type { Services } from "../../src/services/context.ts";
import { CHUNK, runDueWork } from "../../src/services/due-work.ts";
import { saveTier, tierRecheck } from "../../src/services/tiers.ts";
import { awardPoints } from "../../src/services/awards.ts";
import { createStore } from "../../src/services/stores.ts";
import { runScheduledWork } from "../../src/jobs/due-work-tick.ts";
import { runStoreDueWork } from "../../src/jobs/store-due-work.ts";
import { startScheduler } from "../../src/jobs/scheduler.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { kindsUnderTest, openTestDatabase } from "../support/db.ts";
import { days, onlyStores, seedStore, withRepos } from "./seed.ts";

const T0 = new Date("2026-01-15T12:00:00Z");
const lease = { holder: "test-holder", ttlMs: 30_000 };
const operator = { id: "test", role: "operator" as const };

for (const kind of kindsUnderTest()) {
  describe(`due work on ${kind}`, () => {
    let db: Database;
    let clock: TestClock;
    let services: Services;
    beforeAll(async () => {
      db = await openTestDatabase(kind);
      clock = new TestClock(T0);
      services = { tx: transactor(db), clock };
    });
    afterAll(async () => db.close());

    const count = async (sql: string, params: unknown[]) => Number((await db.query<{ n: number }>(sql, params))[0]!.n);
    const expired = (storeId: string) => count("SELECT count(*) AS n FROM entries WHERE store_id = $1 AND type = 'expire'", [storeId]);
    const outbox = (storeId: string, topic: string) => count("SELECT count(*) AS n FROM outbox WHERE store_id = $1 AND topic = $2", [storeId, topic]);
    /** Members or lots that appear in more than one outbox row of a topic. */
    const repeated = (storeId: string, topic: string, key: string) =>
      db.query(`SELECT ${key === "memberId" ? "member_id" : `payload->>'${key}'`} AS k FROM outbox WHERE store_id = $1 AND topic = $2 GROUP BY 1 HAVING count(*) > 1`, [storeId, topic]);

    async function seed(n: number, members: number, remind: boolean): Promise<StoreRecord[]> {
      clock.set(T0);
      const out: StoreRecord[] = [];
      for (let i = 0; i < n; i++) out.push(await seedStore(services, members, { expireInDays: 1, remindInDays: remind ? 10 : null }));
      // Five days on: the first lots have expired, the second expire within the 7-day reminder window.
      clock.set(days(T0, 5));
      return out;
    }

    it("a store whose run fails is reported and the others still run; the next tick catches it up", async () => {
      const stores = await seed(3, 2, true);
      const ids = stores.map((s) => s.id);
      const bad = ids[1]!;
      const faulty = withRepos(onlyStores(services, ids), (repos) => ({
        ...repos,
        ledger: {
          ...repos.ledger,
          dueMembers: async (storeId, ...rest) => {
            if (storeId === bad) throw new Error("disk on fire");
            return repos.ledger.dueMembers(storeId, ...rest);
          },
        },
      }));
      const report = await runScheduledWork(faulty, lease);
      expect(report.failed.map((f) => [f.storeId, (f.error as Error).message])).toEqual([[bad, "disk on fire"]]);
      expect(report).toMatchObject({ done: 2, skipped: 0, counts: { matured: 0, released: 0, expired: 4, reminded: 4 } });
      expect(await expired(bad)).toBe(0);
      expect(await outbox(bad, "member.points_expiring")).toBe(0);

      const next = await runScheduledWork(onlyStores(services, ids), lease);
      expect(next).toMatchObject({ done: 3, failed: [], counts: { expired: 2, reminded: 2 } });
      for (const id of ids) {
        expect(await expired(id)).toBe(2);
        expect(await outbox(id, "member.points_expiring")).toBe(2);
      }
    });

    it("the scheduler logs and counts a failing store and keeps ticking", async () => {
      const [store] = await seed(1, 1, false);
      const failing = withRepos(onlyStores(services, [store!.id]), (repos) => ({
        ...repos,
        ledger: { ...repos.ledger, dueMembers: async () => Promise.reject(new Error("boom")) },
      }));
      const log = { error: vi.fn(), info: vi.fn() };
      const scheduler = startScheduler(failing, 100, log, { holder: "scheduler-test" });
      await vi.waitFor(() => expect(scheduler.stats().storeFailures).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 20 });
      await scheduler.stop();
      const stats = scheduler.stats();
      expect(stats.failedTicks).toBe(0);
      // Every tick ran the store and failed, except perhaps the last: stopping ends a tick before its next store.
      expect(stats.storeFailures).toBeGreaterThanOrEqual(Math.max(2, stats.ticks - 1));
      expect(stats.storeFailures).toBeLessThanOrEqual(stats.ticks);
      expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ storeId: store!.id }), expect.stringContaining("failed for a store"));
    });

    it("expires a large store in chunks: no transaction locks more than a chunk of members", async () => {
      const [store] = await seed(1, 450, false);
      const lockedPerTx: number[] = [];
      const counting: Services = {
        clock,
        tx: {
          run: (fn) => services.tx.run((repos) => {
            const i = lockedPerTx.push(0) - 1;
            return fn({
              ...repos,
              members: { ...repos.members, lockBooks: (s, ids, extra) => ((lockedPerTx[i]! += new Set(ids).size), repos.members.lockBooks(s, ids, extra)) },
            });
          }),
        },
      };
      const run = await runStoreDueWork(counting, store!, lease);
      expect(run).toEqual({ status: "done", counts: { matured: 0, released: 0, expired: 450, reminded: 0 } });
      expect(Math.max(...lockedPerTx)).toBeLessThanOrEqual(CHUNK);
      expect(lockedPerTx.filter((n) => n > 0).length).toBe(Math.ceil(450 / CHUNK));
      expect(await expired(store!.id)).toBe(450);
    });

    it("a chunk whose due lots belong to few members does not end the run: every member's work is done", async () => {
      clock.set(T0);
      const store = await seedStore(services, 0, { expireInDays: 1, remindInDays: null });
      const source = { type: "adjustment" as const, ref: null };
      await services.tx.run(async (repos) => {
        // The soonest due lots are all one member's: a chunk of 4 lots finds 1 member, not 4.
        for (let i = 0; i < 5; i++) await awardPoints(repos, services, store.id, { memberId: "a", points: 1, earnedAt: T0, validity: { type: "rolling", days: 1 }, source }, operator);
        for (const m of ["b", "c", "d", "e", "f", "g"]) await awardPoints(repos, services, store.id, { memberId: m, points: 1, earnedAt: T0, validity: { type: "rolling", days: 2 }, source }, operator);
      });
      clock.set(days(T0, 5));
      const run = await runStoreDueWork(services, store, { ...lease, chunk: 4 });
      expect(run).toEqual({ status: "done", counts: { matured: 0, released: 0, expired: 11, reminded: 0 } });
      expect(await expired(store.id)).toBe(11);
    });

    it("a store's lease keeps a second holder out until it is released or runs out", async () => {
      const [store] = await seed(1, 1, false);
      const id = store!.id;
      const claim = (holder: string, ttlMs = 30_000) => services.tx.run((repos) => repos.stores.claimDueWork(id, holder, ttlMs));
      const release = (holder: string) => services.tx.run((repos) => repos.stores.releaseDueWork(id, holder));
      expect(await claim("a")).toBe(true);
      expect(await claim("b")).toBe(false);
      expect(await claim("a")).toBe(true); // renewal
      await release("b"); // not b's to give
      expect(await claim("b")).toBe(false);

      // While a holds it, b's run does nothing and says so.
      const busy = await runStoreDueWork(services, store!, { holder: "b", ttlMs: 30_000 });
      expect(busy).toEqual({ status: "busy", counts: { matured: 0, released: 0, expired: 0, reminded: 0 } });
      expect(await expired(id)).toBe(0);

      await release("a");
      expect(await runStoreDueWork(services, store!, { holder: "b", ttlMs: 30_000 })).toMatchObject({ status: "done", counts: { expired: 1 } });
      // b gave the lease back at the end of its run.
      expect(await claim("c", 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      expect(await claim("d")).toBe(true); // c's lease ran out
      expect(await claim("c")).toBe(false);
    });

    it("two holders running one store at once do its work once between them", async () => {
      const [store] = await seed(1, 60, true);
      const runs = await Promise.all(["p1", "p2"].map((holder) => runStoreDueWork(services, store!, { holder, ttlMs: 30_000, chunk: 20 })));
      const sum = (k: "expired" | "reminded") => runs.reduce((n, r) => n + r.counts[k], 0);
      expect([sum("expired"), sum("reminded")]).toEqual([60, 60]);
      expect(runs.map((r) => r.status)).toContain("done");
      expect(await expired(store!.id)).toBe(60);
      expect(await outbox(store!.id, "member.points_expiring")).toBe(60);
    });

    it("two runs without the lease (one ran out) still write each reminder and tier message once", async () => {
      clock.set(days(T0, -40));
      const { store: created } = await createStore(services, { name: "Tiers", currency: "USD", timezone: "UTC", sandbox: false }, operator);
      await services.tx.run(async (repos) => {
        await repos.tiers.upsert(created.id, { code: "gold", name: "Gold", rank: 1, multiplier: 1, qualification: { metric: "points_earned", threshold: 100, window: { type: "rolling", days: 30 } } }, clock.now());
        for (let i = 0; i < 30; i++) {
          const memberId = `t${String(i).padStart(3, "0")}`;
          await awardPoints(repos, services, created.id, { memberId, points: 150, earnedAt: clock.now(), validity: { type: "rolling", days: 45 }, source: { type: "event", ref: null } }, operator);
          await repos.tiers.setTier(created.id, memberId, "gold", undefined, clock.now());
        }
      });
      await services.tx.run((repos) => repos.stores.update({ ...created, program: { ...created.program, expiryReminderDays: 7 } }));
      const store = (await services.tx.run((repos) => repos.stores.get(created.id)))!;
      // Forty days on, the 30-day window no longer holds the points: every member drops from gold,
      // and every lot expires within 5 days, inside the reminder window.
      clock.set(T0);
      await Promise.all([1, 2].map(() => services.tx.run((repos) => runDueWork(repos, store, T0))));

      expect(await outbox(store.id, "member.tier_changed")).toBe(30);
      expect(await repeated(store.id, "member.tier_changed", "memberId")).toEqual([]);
      expect(await outbox(store.id, "member.points_expiring")).toBe(30);
      expect(await repeated(store.id, "member.points_expiring", "lotId")).toEqual([]);
      expect(await count("SELECT count(*) AS n FROM members WHERE store_id = $1 AND tier IS NOT NULL", [store.id])).toBe(0);
    });

    it("a tier re-check whose definitions change while it runs leaves the day unmarked, so the next checks everyone", async () => {
      clock.set(T0);
      const { store } = await createStore(services, { name: "Tier edits", currency: "USD", timezone: "UTC", sandbox: false }, operator);
      const gold = { code: "gold", name: "Gold", rank: 1, multiplier: 1, qualification: { metric: "points_earned" as const, threshold: 100, window: { type: "rolling" as const, days: 30 } } };
      await services.tx.run(async (repos) => {
        await saveTier(repos, services, store.id, gold, operator, false);
        await repos.members.ensureMany(store.id, ["a", "b", "c"], T0);
      });
      const step = tierRecheck(store, T0, 2);
      const first = await services.tx.run((repos) => step(repos));
      first.apply();
      expect(first).toMatchObject({ done: false, size: 2 });
      await services.tx.run((repos) => saveTier(repos, services, store.id, { ...gold, qualification: { ...gold.qualification, threshold: 50 } }, operator, true));
      for (;;) {
        const chunk = await services.tx.run((repos) => step(repos));
        chunk.apply();
        if (chunk.done) break;
      }
      expect(await services.tx.run((repos) => repos.tiers.lastCheck(store.id))).toBeNull();

      // Left alone, a run marks the day done.
      const again = tierRecheck(store, T0, 2);
      for (;;) {
        const chunk = await services.tx.run((repos) => again(repos));
        chunk.apply();
        if (chunk.done) break;
      }
      expect(await services.tx.run((repos) => repos.tiers.lastCheck(store.id))).toEqual(T0);
    });
  });
}

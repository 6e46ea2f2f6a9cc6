/**
 * Races (STYLE "The ledger write path"): many writers on one member through the real HTTP app. On
 * PGlite the calls queue one transaction at a time; on PostgreSQL they truly run at once (the test
 * pool allows 40 connections). Every test ends with `verifyLedger` clean for its store.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import type { Services } from "../../src/services/context.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { call, createTestStore, OPERATOR_TOKEN, type TestStore } from "../support/app.ts";
import { TestClock } from "../support/clock.ts";
import { kindsUnderTest, openTestDatabase, type DatabaseKind } from "../support/db.ts";

const json = (r: LightMyRequestResponse) => r.json() as Record<string, any>;

function expectRefused(r: LightMyRequestResponse, code: string): Record<string, any> {
  if (r.statusCode !== 409) throw new Error(`expected 409 ${code}, got ${r.statusCode}: ${r.body}`);
  expect(json(r).code).toBe(code);
  return json(r);
}

/** A fixed shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface WatchedApp {
  app: FastifyInstance;
  db: Database;
  aborted: string[];
  close(): Promise<void>;
}

/**
 * The test app on a database that notes every deadlock (40P01) or serialization failure (40001) a
 * transaction ran into; the PostgreSQL adapter retries those, so they would otherwise go unseen.
 */
async function startWatchedApp(kind: DatabaseKind): Promise<WatchedApp> {
  const inner = await openTestDatabase(kind);
  const aborted: string[] = [];
  const db: Database = {
    kind: inner.kind,
    query: inner.query,
    script: inner.script,
    close: () => inner.close(),
    transaction: (fn) => inner.transaction(async (tx) => {
      try {
        return await fn(tx);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "40P01" || code === "40001") aborted.push(`${code}: ${(error as Error).message}`);
        throw error;
      }
    }),
  };
  // The wall clock's now: servers other test files start on the same PostgreSQL forget
  // Idempotency-Keys older than a day by their own clocks, store or not, which took this file's keys
  // (made on a test clock in January) between two replays of one key.
  const services: Services = { tx: transactor(db), clock: new TestClock(new Date()) };
  const app = await buildApp({ services, operatorToken: OPERATOR_TOKEN, ping: async () => undefined });
  return { app, db, aborted, async close() { await app.close(); await db.close(); } };
}

for (const kind of kindsUnderTest()) {
  describe(kind, () => {
    let t: WatchedApp;
    let store: TestStore;
    let key: string;

    beforeAll(async () => {
      t = await startWatchedApp(kind);
      store = await createTestStore(t.app);
      key = store.adminKey;
    });
    afterAll(async () => t.close());
    // Row locks are taken in one order everywhere, so no race may end in a deadlock, even a retried one.
    afterEach(() => {
      expect(t.aborted).toEqual([]);
    });

    const adjust = (memberId: string, points: number, reason = "setup") =>
      call(t.app, "POST", `/v1/members/${memberId}/adjustments`, { key, body: { points, reason } });
    const member = async (memberId: string) => json(await call(t.app, "GET", `/v1/members/${memberId}`, { key }));
    const entriesOf = (memberId: string) =>
      t.db.query<{ type: string; points: number; balance_after: number }>(
        "SELECT type, points, balance_after FROM entries WHERE store_id = $1 AND member_id = $2 ORDER BY seq", [store.id, memberId]);
    const method = async (body: Record<string, unknown>) => {
      const res = await call(t.app, "POST", "/v1/redeem-methods", { key, body });
      expect(res.statusCode).toBe(201);
      return json(res).id as string;
    };

    it("50 catalogue redemptions at once: exactly floor(balance / price) succeed, the rest are refused", async () => {
      expect((await adjust("cat", 1000)).statusCode).toBe(201);
      const methodId = await method({ type: "catalog", name: "Report", points: 75, grant: { sku: "report", units: 1 } });

      const results = await Promise.all(Array.from({ length: 50 }, () =>
        call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "cat", methodId } })));

      const done = results.filter((r) => r.statusCode === 201);
      expect(done).toHaveLength(13); // floor(1000 / 75)
      for (const r of done) expect(json(r)).toMatchObject({ status: "completed", points: 75, memberId: "cat" });
      expect(new Set(done.map((r) => json(r).id)).size).toBe(13);
      const refused = results.filter((r) => r.statusCode !== 201);
      expect(refused).toHaveLength(37);
      // Refusals only start once 13 have gone through, so each sees the same 25 points left.
      for (const r of refused) expect(expectRefused(r, "insufficient_points").available).toBe(25);

      expect(await member("cat")).toMatchObject({ balance: 25, held: 0, pending: 0, debt: 0 });
      const entries = await entriesOf("cat");
      expect(entries.map((e) => [e.type, e.points, e.balance_after])).toEqual([
        ["adjust", 1000, 1000],
        ...Array.from({ length: 13 }, (_, i) => ["redeem", -75, 1000 - 75 * (i + 1)]),
      ]);
      const [count] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM entitlements WHERE store_id = $1 AND member_id = 'cat'", [store.id]);
      expect(count!.n).toBe(13);
      expect(await verifyLedger(t.db, store.id)).toEqual([]);
    });

    it("30 replays of one Idempotency-Key at once apply once and all answer the same", async () => {
      const body = { points: 40, reason: "goodwill" };
      const headers = { "idempotency-key": `adj-${kind}-1` };
      const results = await Promise.all(Array.from({ length: 30 }, () =>
        call(t.app, "POST", "/v1/members/idem/adjustments", { key, body, headers })));

      expect(results.map((r) => r.statusCode)).toEqual(Array(30).fill(201));
      const first = json(results[0]!);
      expect(first).toMatchObject({ type: "adjust", points: 40, balanceAfter: 40, reason: "goodwill" });
      for (const r of results) expect(json(r)).toEqual(first);
      expect(results.filter((r) => r.headers["idempotent-replayed"] === "true")).toHaveLength(29);

      expect(await member("idem")).toMatchObject({ balance: 40 });
      expect((await entriesOf("idem")).map((e) => [e.type, e.points])).toEqual([["adjust", 40]]);
      const [entry] = await t.db.query<{ id: string }>("SELECT id FROM entries WHERE store_id = $1 AND member_id = 'idem'", [store.id]);
      expect(first.id).toBe(entry!.id);

      // The same key with another body is a conflict, and still nothing more is applied.
      const other = await call(t.app, "POST", "/v1/members/idem/adjustments", { key, body: { points: 41, reason: "goodwill" }, headers });
      expectRefused(other, "idempotency_conflict");
      expect(await member("idem")).toMatchObject({ balance: 40 });
      expect(await verifyLedger(t.db, store.id)).toEqual([]);
    });

    it("a refusal is stored under its key too: 30 replays of an overdrawing deduction all get the same 409", async () => {
      expect((await adjust("idem-refused", 10)).statusCode).toBe(201);
      const headers = { "idempotency-key": `adj-${kind}-2` };
      const results = await Promise.all(Array.from({ length: 30 }, () =>
        call(t.app, "POST", "/v1/members/idem-refused/adjustments", { key, body: { points: -11, reason: "too much" }, headers })));
      const bodies = results.map((r) => expectRefused(r, "insufficient_points"));
      for (const b of bodies) expect(b).toEqual(bodies[0]);
      expect(bodies[0]!.available).toBe(10);
      expect((await entriesOf("idem-refused")).map((e) => [e.type, e.points])).toEqual([["adjust", 10]]);
    });

    it("cashback holds, captures and releases racing each other never overdraw", async () => {
      expect((await adjust("cash", 1000)).statusCode).toBe(201);
      const methodId = await method({ type: "cashback", name: "Cashback", points: 10, amount: 100 });
      // Each hold on an order of its own, whose $10 cart allows exactly its 100 points.
      let orders = 0;
      const cart = { lines: [{ sku: "a", quantity: 1, amount: 1_000 }] };
      const hold = () => call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "cash", methodId, points: 100, orderId: `cash-${++orders}`, cart } });

      // 30 holds of 100 on 1000 points: exactly 10 are placed.
      const first = await Promise.all(Array.from({ length: 30 }, hold));
      const held = first.filter((r) => r.statusCode === 201).map((r) => json(r));
      expect(held).toHaveLength(10);
      for (const h of held) expect(h).toMatchObject({ status: "held", points: 100, discount: 1000 });
      for (const r of first.filter((x) => x.statusCode !== 201)) expect(expectRefused(r, "insufficient_points").available).toBe(0);
      expect(await member("cash")).toMatchObject({ balance: 0, held: 1000 });

      // Each hold is captured and released at the same moment, while 20 more holds try their luck.
      const calls = shuffled([
        ...held.flatMap((h) => [
          { kind: "capture" as const, id: h.id as string },
          { kind: "release" as const, id: h.id as string },
        ]),
        ...Array.from({ length: 20 }, () => ({ kind: "hold" as const, id: "" })),
      ], 7);
      const second = await Promise.all(calls.map(async (c) => ({
        ...c,
        res: c.kind === "hold" ? await hold() : await call(t.app, "POST", `/v1/redemptions/${c.id}/${c.kind}`, { key }),
      })));

      let captured = 0;
      for (const h of held) {
        const pair = second.filter((c) => c.id === h.id);
        const winners = pair.filter((c) => c.res.statusCode === 200);
        expect(winners).toHaveLength(1);
        expectRefused(pair.find((c) => c.res.statusCode !== 200)!.res, "invalid_state");
        const winner = winners[0]!;
        expect(json(winner.res).status).toBe(winner.kind === "capture" ? "completed" : "released");
        const stored = json(await call(t.app, "GET", `/v1/redemptions/${h.id}`, { key }));
        expect(stored.status).toBe(winner.kind === "capture" ? "completed" : "released");
        if (winner.kind === "capture") captured++;
      }
      const newHolds = second.filter((c) => c.kind === "hold" && c.res.statusCode === 201).map((c) => json(c.res));
      for (const c of second.filter((x) => x.kind === "hold" && x.res.statusCode !== 201)) expectRefused(c.res, "insufficient_points");
      expect(newHolds.length).toBeLessThanOrEqual(10 - captured);

      const mid = await member("cash");
      expect(mid).toMatchObject({ held: 100 * newHolds.length, balance: 1000 - 100 * captured - 100 * newHolds.length, debt: 0 });
      expect(mid.balance).toBeGreaterThanOrEqual(0);

      // Releasing the newer holds, all at once, returns exactly what was not captured.
      const releases = await Promise.all(newHolds.map((h) => call(t.app, "POST", `/v1/redemptions/${h.id}/release`, { key })));
      expect(releases.map((r) => r.statusCode)).toEqual(newHolds.map(() => 200));
      expect(await member("cash")).toMatchObject({ balance: 1000 - 100 * captured, held: 0 });

      const entries = await entriesOf("cash");
      expect(entries.every((e) => e.balance_after >= 0)).toBe(true);
      expect(entries.filter((e) => e.type === "capture")).toHaveLength(captured);
      expect(entries.filter((e) => e.type === "hold")).toHaveLength(10 + newHolds.length);
      expect(entries.filter((e) => e.type === "release")).toHaveLength(10 - captured + newHolds.length);
      expect(await verifyLedger(t.db, store.id)).toEqual([]);
    });

    it("bulk adjustments racing single adjustments and each other never deadlock and lose nothing", async () => {
      const own = await startWatchedApp(kind);
      try {
        const s = await createTestStore(own.app);
        const existing = Array.from({ length: 10 }, (_, i) => `e${i}`);
        const fresh = Array.from({ length: 200 }, (_, i) => `n${String(i).padStart(3, "0")}`);
        for (const m of existing) expect((await call(own.app, "POST", `/v1/members/${m}/adjustments`, { key: s.adminKey, body: { points: 100, reason: "setup" } })).statusCode).toBe(201);

        const everyone = [...existing, ...fresh];
        const bulks = Array.from({ length: 6 }, (_, i) => ({ kind: "bulk" as const, memberIds: shuffled(everyone, 100 + i), points: 10 }));
        const singles = Array.from({ length: 40 }, (_, i) => ({
          kind: "single" as const,
          memberId: i < 30 ? existing[i % 10]! : fresh[i]!,
          points: i < 30 && i % 2 === 1 ? -1 : 1,
        }));
        const results = await Promise.all(shuffled([...bulks, ...singles], 3).map(async (op) =>
          op.kind === "bulk"
            ? call(own.app, "POST", "/v1/adjustments/bulk", { key: s.adminKey, body: { memberIds: op.memberIds, points: op.points, reason: "bulk" } })
            : call(own.app, "POST", `/v1/members/${op.memberId}/adjustments`, { key: s.adminKey, body: { points: op.points, reason: "single" } })));
        for (const r of results) expect(r.statusCode, r.body).toBe(201);

        const rows = await own.db.query<{ member_id: string; balance: number; seq: number }>(
          "SELECT member_id, balance, seq FROM members WHERE store_id = $1 ORDER BY member_id", [s.id]);
        const expected = everyone.map((m) => {
          const mine = singles.filter((x) => x.memberId === m);
          const start = m.startsWith("e") ? 100 : 0;
          return { member_id: m, balance: start + 60 + mine.reduce((sum, x) => sum + x.points, 0), seq: (start > 0 ? 1 : 0) + 6 + mine.length };
        }).sort((a, b) => (a.member_id < b.member_id ? -1 : 1));
        expect(rows).toEqual(expected);
        expect(await verifyLedger(own.db, s.id)).toEqual([]);
        // A deadlock is retried by the adapter and could pass unnoticed above: none may have happened.
        expect(own.aborted).toEqual([]);
      } finally {
        await own.close();
      }
    });
  });
}

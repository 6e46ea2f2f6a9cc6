import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "../../src/storage/sql.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { kindsUnderTest } from "../support/db.ts";

/**
 * Events through the real HTTP app and storage. On PostgreSQL the requests really race (a pool of
 * connections); on PGlite they queue. Either way the outcome must be the same.
 */

interface Award { ruleId: string; ruleVersion: number; points: number; explanation: Record<string, any> }

for (const kind of kindsUnderTest()) {
  describe(`events under concurrency (${kind})`, () => {
    let t: TestApp;
    /**
     * How many event-recording transactions (those that claim an event id) were open at once, at most,
     * since the last reset: proof that the requests raced inside the database.
     */
    let inFlight = 0;
    let maxInFlight = 0;
    beforeAll(async () => {
      t = await startTestApp(kind);
      const transaction = t.db.transaction.bind(t.db);
      t.db.transaction = async <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => {
        let counted = false;
        try {
          return await transaction((tx) => fn({
            script: (text) => tx.script(text),
            query: (text, params) => {
              if (!counted && text.includes("INSERT INTO idempotency")) {
                counted = true;
                maxInFlight = Math.max(maxInFlight, ++inFlight);
              }
              return tx.query(text, params);
            },
          }));
        } finally {
          if (counted) inFlight--;
        }
      };
    });
    afterAll(async () => t.close());

    const rule = async (store: TestStore, body: Record<string, unknown>): Promise<string> => {
      const res = await call(t.app, "POST", "/v1/earn-rules", { key: store.adminKey, body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    /**
     * Single events of one store and key share transactions (group commit); events sent with
     * different keys run in transactions of their own, which is how these tests make them race.
     */
    const keysOf = new Map<string, Promise<string[]>>();
    let sent = 0;
    const event = async (store: TestStore, body: Record<string, unknown>) => {
      let keys = keysOf.get(store.id);
      if (!keys) keysOf.set(store.id, (keys = Promise.all([1, 2, 3, 4, 5].map(() => store.key("points_manager"))).then((more) => [store.adminKey, ...more])));
      const all = await keys;
      return call(t.app, "POST", "/v1/events", { key: all[sent++ % all.length]!, body });
    };
    const awardsOf = (res: LightMyRequestResponse): Award[] => res.json().awards as Award[];
    const balance = async (store: TestStore, memberId: string) => (await call(t.app, "GET", `/v1/members/${memberId}`, { key: store.adminKey })).json().balance as number;
    const scalar = async (text: string, params: unknown[]) => Number(Object.values((await t.db.query<Record<string, unknown>>(text, params))[0]!)[0]);
    const expectConsistent = async (store: TestStore) => expect(await verifyLedger(t.db, store.id)).toEqual([]);
    /** Sends the requests all at once; on PostgreSQL asserts their transactions really overlapped. */
    const race = async (requests: Array<() => Promise<LightMyRequestResponse>>) => {
      maxInFlight = 0;
      const responses = await Promise.all(requests.map((r) => r()));
      if (kind === "postgres") expect(maxInFlight).toBeGreaterThan(1);
      else expect(maxInFlight).toBe(1);
      return responses;
    };

    it("30 concurrent referrals of one customer by 30 members (store-scoped once key) → exactly one award", async () => {
      const store = await createTestStore(t.app);
      const ruleId = await rule(store, {
        name: "Referral", event: "referral.registered", award: { type: "fixed", points: 100 },
        limits: { once: { scope: "store", key: "properties.referredId" } },
      });
      const responses = await race(Array.from({ length: 30 }, (_, i) => () =>
        event(store, { id: `ref-${i}`, type: "referral.registered", memberId: `referrer-${i}`, properties: { referredId: "cust-1" } })));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(30).fill(201));
      const winners = responses.filter((r) => awardsOf(r).length > 0);
      expect(winners).toHaveLength(1);
      expect(awardsOf(winners[0]!)).toMatchObject([{ ruleId, points: 100, explanation: { once: "once per store for cust-1" } }]);
      for (const r of responses.filter((x) => x !== winners[0])) {
        expect(r.json().skipped).toEqual([{ ruleId, reason: "already rewarded once" }]);
      }
      const winner = winners[0]!.json().eventId.replace("ref-", "referrer-");
      expect(await balance(store, winner)).toBe(100);
      expect(await scalar("SELECT count(*) FROM rule_once WHERE store_id = $1", [store.id])).toBe(1);
      expect((await t.db.query<{ member_id: string }>("SELECT member_id FROM rule_once WHERE store_id = $1", [store.id]))[0]!.member_id).toBe(winner);
      expect(await scalar("SELECT COALESCE(sum(points), 0) FROM lots WHERE store_id = $1", [store.id])).toBe(100);

      // A second wave for the same customer and a different one.
      const more = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => event(store, { id: `ref2-${i}`, type: "referral.registered", memberId: `referrer-${i}`, properties: { referredId: "cust-1" } })),
        ...Array.from({ length: 10 }, (_, i) => event(store, { id: `ref3-${i}`, type: "referral.registered", memberId: `referrer-${i}`, properties: { referredId: "cust-2" } })),
      ]);
      expect(more.reduce((s, r) => s + awardsOf(r).reduce((x, a) => x + a.points, 0), 0)).toBe(100);
      expect(await scalar("SELECT COALESCE(sum(points), 0) FROM lots WHERE store_id = $1", [store.id])).toBe(200);
      await expectConsistent(store);
    });

    it("30 concurrent sign-ups of one member with a once: true rule → one award", async () => {
      const store = await createTestStore(t.app);
      const ruleId = await rule(store, { name: "Sign up", event: "account.registered", award: { type: "fixed", points: 50 }, limits: { once: true } });
      const responses = await race(Array.from({ length: 30 }, (_, i) => () =>
        event(store, { id: `signup-${i}`, type: "account.registered", memberId: "solo" })));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(30).fill(201));
      const awards = responses.flatMap(awardsOf);
      expect(awards).toHaveLength(1);
      expect(awards[0]).toMatchObject({ ruleId, points: 50 });
      expect(await balance(store, "solo")).toBe(50);
      expect(await scalar("SELECT count(*) FROM rule_once WHERE store_id = $1", [store.id])).toBe(1);
      expect(await scalar("SELECT count(*) FROM events WHERE store_id = $1", [store.id])).toBe(30);
      await expectConsistent(store);
    });

    it("concurrent events against a monthly cap never exceed it (two members, interleaved)", async () => {
      const store = await createTestStore(t.app);
      const ruleId = await rule(store, { name: "Feature", event: "feature.used", award: { type: "fixed", points: 15 }, limits: { maxPoints: { month: 100 } } });
      const members = ["cap-a", "cap-b"];
      const responses = await race(Array.from({ length: 60 }, (_, i) => () =>
        event(store, { id: `use-${i}`, type: "feature.used", memberId: members[i % 2]!, properties: { feature: "export" } })));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(60).fill(201));
      for (const [index, m] of members.entries()) {
        const mine = responses.filter((_, i) => i % 2 === index);
        expect(mine.map((r) => r.json().eventId).every((id: string) => Number(id.slice(4)) % 2 === index)).toBe(true);
        const points = mine.flatMap(awardsOf).map((a) => a.points).sort((a, b) => a - b);
        expect(points).toEqual([10, 15, 15, 15, 15, 15, 15]);
        expect(mine.filter((r) => awardsOf(r).length === 0).map((r) => r.json().skipped)).toEqual(Array(23).fill([{ ruleId, reason: "cap reached (month)" }]));
        expect(await balance(store, m)).toBe(100);
      }
      const counters = await t.db.query<{ member_id: string; period: string; points: number; times: number }>(
        "SELECT member_id, period, points, times FROM rule_counters WHERE store_id = $1 ORDER BY member_id, period", [store.id]);
      expect(counters.map((c) => [c.member_id, c.period, Number(c.points), Number(c.times)])).toEqual([
        ["cap-a", "day:2026-01-15", 100, 7], ["cap-a", "lifetime", 100, 7], ["cap-a", "month:2026-01", 100, 7],
        ["cap-b", "day:2026-01-15", 100, 7], ["cap-b", "lifetime", 100, 7], ["cap-b", "month:2026-01", 100, 7],
      ]);
      await expectConsistent(store);
    });

    it("concurrent logins against maxTimesPerDay fire exactly that many times", async () => {
      const store = await createTestStore(t.app);
      await rule(store, { name: "Login", event: "login", award: { type: "fixed", points: 5 }, limits: { maxTimesPerDay: 3 } });
      const responses = await race(Array.from({ length: 20 }, (_, i) => () => event(store, { id: `login-${i}`, type: "login", memberId: "daily" })));
      expect(responses.flatMap(awardsOf).map((a) => a.points)).toEqual([5, 5, 5]);
      expect(await balance(store, "daily")).toBe(15);
      await expectConsistent(store);
    });

    it("parallel replays of one event id → applied once; 201 once, 200 for the rest, all bodies equal", async () => {
      const store = await createTestStore(t.app);
      const ruleId = await rule(store, { name: "Review", event: "review.posted", award: { type: "fixed", points: 40 } });
      const body = { id: "same-1", type: "review.posted", memberId: "replayer", properties: { stars: 5 } };
      const responses = await race(Array.from({ length: 20 }, () => () => event(store, body)));
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([...Array(19).fill(200), 201]);
      const first = responses.find((r) => r.statusCode === 201)!;
      expect(first.json()).toMatchObject({ eventId: "same-1", awards: [{ ruleId, ruleVersion: 1, points: 40, status: "available" }] });
      for (const r of responses) expect(r.json()).toEqual(first.json());
      expect(await balance(store, "replayer")).toBe(40);
      expect(await scalar("SELECT count(*) FROM events WHERE store_id = $1", [store.id])).toBe(1);
      expect(await scalar("SELECT count(*) FROM lots WHERE store_id = $1", [store.id])).toBe(1);
      // A later replay still answers the same; another body under the id is a conflict.
      const late = await event(store, { ...body });
      expect(late.statusCode).toBe(200);
      expect(late.json()).toEqual(first.json());
      const conflicts = await Promise.all(Array.from({ length: 5 }, () => event(store, { ...body, properties: { stars: 1 } })));
      expect(conflicts.map((r) => [r.statusCode, r.json().code])).toEqual(Array(5).fill([409, "idempotency_conflict"]));
      expect(await balance(store, "replayer")).toBe(40);
      await expectConsistent(store);
    });

    it("rule lifecycle: PATCH makes version 2 for later events, backfill keeps version 1, DELETE stops the rule and keeps its points, all audited", async () => {
      const store = await createTestStore(t.app);
      const created = await call(t.app, "POST", "/v1/earn-rules", { key: store.adminKey, body: { name: "Review", event: "review.posted", award: { type: "fixed", points: 10 } } });
      expect(created.statusCode).toBe(201);
      const ruleId = created.json().id as string;
      expect(created.json()).toMatchObject({ id: ruleId, version: 1, name: "Review", award: { type: "fixed", points: 10 } });

      const e1 = await event(store, { id: "r1", type: "review.posted", memberId: "writer" });
      expect(awardsOf(e1)).toMatchObject([{ ruleId, ruleVersion: 1, points: 10, explanation: { rule: { id: ruleId, name: "Review", version: 1 } } }]);

      const advance = async (to: string) => expect((await call(t.app, "POST", "/v1/clock/advance", { key: store.adminKey, body: { to } })).statusCode).toBe(200);
      await advance("2026-01-20T12:00:00Z");
      const patched = await call(t.app, "PATCH", `/v1/earn-rules/${ruleId}`, { key: store.adminKey, body: { name: "Review v2", award: { type: "fixed", points: 25 } } });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ id: ruleId, version: 2, name: "Review v2", award: { type: "fixed", points: 25 }, event: "review.posted" });
      expect((await call(t.app, "GET", `/v1/earn-rules/${ruleId}`, { key: store.adminKey })).json()).toMatchObject({ version: 2, name: "Review v2", award: { points: 25 } });

      // Backfilled: occurred before the edit → version 1.
      const e2 = await event(store, { id: "r2", type: "review.posted", memberId: "writer", occurredAt: "2026-01-18T09:00:00Z" });
      expect(awardsOf(e2)).toMatchObject([{ ruleId, ruleVersion: 1, points: 10, explanation: { rule: { id: ruleId, name: "Review", version: 1 } } }]);
      const justBefore = await event(store, { id: "r2b", type: "review.posted", memberId: "writer2", occurredAt: "2026-01-20T11:59:59.999Z" });
      expect(awardsOf(justBefore)).toMatchObject([{ ruleVersion: 1, points: 10 }]);
      // Occurring now, at the edit → version 2.
      const e3 = await event(store, { id: "r3", type: "review.posted", memberId: "writer" });
      expect(awardsOf(e3)).toMatchObject([{ ruleId, ruleVersion: 2, points: 25, explanation: { rule: { id: ruleId, name: "Review v2", version: 2 } } }]);

      await advance("2026-01-25T12:00:00Z");
      const deleted = await call(t.app, "DELETE", `/v1/earn-rules/${ruleId}`, { key: store.adminKey });
      expect(deleted.statusCode).toBe(204);
      expect((await call(t.app, "GET", `/v1/earn-rules/${ruleId}`, { key: store.adminKey })).statusCode).toBe(404);
      expect((await call(t.app, "GET", "/v1/earn-rules", { key: store.adminKey })).json().data).toEqual([]);
      expect((await call(t.app, "PATCH", `/v1/earn-rules/${ruleId}`, { key: store.adminKey, body: { name: "again" } })).statusCode).toBe(404);
      expect((await call(t.app, "DELETE", `/v1/earn-rules/${ruleId}`, { key: store.adminKey })).statusCode).toBe(404);

      const e4 = await event(store, { id: "r4", type: "review.posted", memberId: "writer" });
      expect(e4.statusCode).toBe(201);
      expect(e4.json()).toEqual({ eventId: "r4", awards: [] });
      expect(await balance(store, "writer")).toBe(45);
      const activity = (await call(t.app, "GET", "/v1/members/writer/activity", { key: store.adminKey })).json().data as Array<{ type: string; points: number; explanation: { rule: { version: number } } }>;
      expect(activity.map((a) => [a.type, a.points, a.explanation.rule.version])).toEqual([["earn", 25, 2], ["earn", 10, 1], ["earn", 10, 1]]);

      const audit = (await call(t.app, "GET", "/v1/audit-log?limit=50", { key: store.adminKey })).json().data as Array<Record<string, any>>;
      const ruleAudit = audit.filter((a) => a.entityType === "earn_rule");
      expect(ruleAudit.map((a) => [a.action, a.entityId, a.at])).toEqual([
        ["earn_rule.deleted", ruleId, "2026-01-25T12:00:00.000Z"],
        ["earn_rule.updated", ruleId, "2026-01-20T12:00:00.000Z"],
        ["earn_rule.created", ruleId, "2026-01-15T12:00:00.000Z"],
      ]);
      const [del, upd, cre] = ruleAudit as [Record<string, any>, Record<string, any>, Record<string, any>];
      expect(cre.before).toBeNull();
      expect(cre.after).toMatchObject({ name: "Review", event: "review.posted", award: { type: "fixed", points: 10 } });
      expect(upd.before).toMatchObject({ version: 1, name: "Review", award: { type: "fixed", points: 10 } });
      expect(upd.after).toMatchObject({ version: 2, name: "Review v2", award: { type: "fixed", points: 25 } });
      expect(del.before).toMatchObject({ version: 2, name: "Review v2", award: { type: "fixed", points: 25 } });
      expect(del.after).toBeNull();
      expect(new Set(ruleAudit.map((a) => a.actor)).size).toBe(1);
      expect(cre.actor).toMatch(/^key_/);
      await expectConsistent(store);
    });
  });
}

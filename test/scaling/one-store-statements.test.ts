/**
 * Every statement on the request path names exactly one store, and every transaction one store, the
 * caller's: what Citus needs to send each request to the one worker holding that store's shards
 * (docs/scaling.md). The app runs on a database that writes down every statement; one request of
 * every route (two stores present), a few richer flows, migrations and a scheduler tick are driven
 * through it, and each statement is checked with the rule in one-store-rule.ts.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { runScheduledWork } from "../../src/jobs/due-work-tick.ts";
import { decodeJwt } from "jose";
import { looksLikeJwt } from "../../src/services/member-tokens.ts";
import { parseKey } from "../../src/services/api-keys.ts";
import type { Services } from "../../src/services/context.ts";
import { migrate } from "../../src/storage/migrate.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { registeredRoutes, sampleStore, type RouteInfo, type SampleStore } from "../hardening/route-fixture.ts";
import { onlyStores } from "../jobs/seed.ts";
import { call, createTestStore, OPERATOR_TOKEN } from "../support/app.ts";
import { TestClock } from "../support/clock.ts";
import { openTestDatabase } from "../support/db.ts";
import { checkStatement, type StoreKeys } from "./one-store-rule.ts";
import { recordingDatabase, type Recorder, type RecordedStatement } from "./recording-db.ts";

/** Tables named by a column other than `store_id`, each with why that column is its store. */
const OTHER_KEY_COLUMNS: Record<string, { column: string; reason: string }> = {
  stores: { column: "id", reason: "a store's own row: distributed by its id, in the same shard group as every row carrying it as store_id" },
};

interface Allowance {
  /** The work it applies to (a request's route, "scheduler", "migrations"). */
  label: RegExp;
  /** The statement it excuses (normalized: lower case, one space); for "transaction" any statement. */
  sql?: RegExp;
  check: "statement" | "transaction";
  reason: string;
}

/** What may break the rule, and why. An entry nothing needs any more fails the test. */
const ALLOWED: Allowance[] = [
  {
    label: /^migrations$/, check: "statement", sql: /\bschema_migrations\b/,
    reason: "migrations run once at start-up, before any request; schema_migrations belongs to no store (a reference table on Citus)",
  },
  {
    label: /^POST \/v1\/stores\b/, check: "transaction",
    reason: "creating a store is the operator's: its Idempotency-Key is kept under the name 'operator', as the store does not exist yet",
  },
  {
    label: /^scheduler$/, check: "statement", sql: /^select \* from stores order by id$/,
    reason: "the scheduler reads the list of stores once per tick to visit them one by one, off the request path",
  },
  {
    label: /^scheduler$/, check: "statement", sql: /^delete from idempotency where/,
    reason: "forgetting expired Idempotency-Keys sweeps all stores in bounded batches, off the request path",
  },
  {
    label: /^scheduler$/, check: "statement", sql: /^delete from platform_deliveries where/,
    reason: "forgetting Shopify and WooCommerce delivery ids past their 30 days sweeps all stores in bounded batches, off the request path",
  },
];

const normalized = (sql: string) => sql.toLowerCase().replace(/\s+/g, " ").trim();
const short = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

describe("the one-store rule", () => {
  const keys: StoreKeys = new Map([["members", "store_id"], ["lots", "store_id"], ["orders", "store_id"], ["order_awards", "store_id"], ["stores", "id"]]);
  const tables = new Set([...keys.keys(), "schema_migrations"]);
  const check = (sql: string, params: unknown[] = ["st_a", "st_b"]) => checkStatement(sql, params, keys, tables);

  it.each([
    ["SELECT * FROM members WHERE store_id = $1 AND member_id = $2", ["st_a", "m"]],
    ["SELECT * FROM stores WHERE id = $1 FOR UPDATE", ["st_a"]],
    ["INSERT INTO lots (store_id, id) SELECT $1, x.id FROM jsonb_to_recordset($2::jsonb) AS x(id text)", ["st_a", "[]"]],
    ["INSERT INTO members (store_id, member_id) VALUES ($1, $2), ($1, $3) ON CONFLICT (store_id, member_id) DO UPDATE SET email = $2", ["st_a", "m", "n"]],
    ["UPDATE lots SET remaining = x.r FROM jsonb_to_recordset($2) AS x(id text, r int) WHERE lots.store_id = $1 AND lots.id = x.id", ["st_a", "[]"]],
    ["SELECT o.id, (SELECT sum(a.awarded) FROM order_awards a WHERE a.store_id = o.store_id AND a.order_id = o.id) FROM orders o WHERE o.store_id = $1", ["st_a"]],
    ["SELECT m.member_id FROM members m JOIN lots l ON l.store_id = m.store_id AND l.member_id = m.member_id WHERE m.store_id = $1", ["st_a"]],
    ["SELECT member_id FROM lots WHERE store_id = $1 UNION SELECT member_id FROM members WHERE store_id = $1 AND (tier IS NULL OR member_id > $2)", ["st_a", "m"]],
    ["UPDATE members SET tier = 'gold' WHERE store_id = 'st_a' AND member_id = $1", ["m"]],
    ["SELECT a ->> 'lotId' FROM members m, lots l, jsonb_array_elements(l.allocations) a WHERE m.store_id = $1 AND l.store_id = m.store_id", ["st_a"]],
  ])("passes %s", (sql, params) => {
    expect(check(sql, params)).toEqual({ problems: [], stores: ["st_a"] });
  });

  it("passes a statement that touches no table, naming no store", () => {
    expect(check("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["st_a:k"])).toEqual({ problems: [], stores: [] });
  });

  it.each([
    ["SELECT * FROM members WHERE member_id = $1", "no condition"],
    ["SELECT * FROM members WHERE store_id = ANY($1::text[])", "no condition"],
    ["SELECT * FROM members WHERE (store_id = $1 OR email IS NULL)", "no condition"],
    ["SELECT * FROM members WHERE store_id = $1 OR email IS NULL", "an OR at the top level"],
    ["SELECT * FROM members m JOIN lots l ON l.member_id = m.member_id WHERE m.store_id = $1", "lots l: no condition"],
    ["SELECT * FROM members WHERE store_id = $1 AND member_id IN (SELECT member_id FROM lots WHERE points > 0)", "lots: no condition"],
    ["SELECT * FROM members m JOIN lots l ON l.store_id = $2 WHERE m.store_id = $1", "names 2 stores"],
    ["SELECT * FROM members m, lots l WHERE m.store_id = $1 AND l.member_id = m.member_id", "lots l: no condition"],
    ["INSERT INTO lots (store_id, id) SELECT x.store_id, x.id FROM jsonb_to_recordset($1) AS x(store_id text, id text)", "not one value"],
    ["INSERT INTO members (store_id, member_id) VALUES ($1, 'm'), ($2, 'n')", "names 2 stores"],
    ["SELECT * FROM stores ORDER BY id", "stores: no condition"],
    ["SELECT version FROM schema_migrations", "no store column"],
    ["DELETE FROM lots WHERE store_id = $1", "is [\"st_a\"]"],
  ])("fails %s", (sql, problem) => {
    const params = sql.startsWith("DELETE") ? [["st_a"]] : undefined;
    expect(check(sql, params).problems.join("; ")).toContain(problem);
  });
});

describe("statements on the request path", () => {
  let db: Database;
  let rec: Recorder;
  let app: FastifyInstance;
  let keys: StoreKeys;
  let tables: Set<string>;
  let routes: RouteInfo[];
  const stores: SampleStore[] = [];
  const clock = new TestClock();
  const driven = new Map<string, number>();

  /** One request, labelled with its route and the store of the key that sends it. */
  async function send(label: string, method: string, url: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
    // A staff key names its store; a member token names it as its issuer (iss).
    rec.label(label, key ? (parseKey(key)?.storeId ?? (looksLikeJwt(key) ? String(decodeJwt(key).iss) : null)) : null);
    const res = await call(app, method, url, { key, headers, ...(body !== undefined ? { body } : {}) });
    rec.label("between requests");
    expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
    driven.set(label, res.statusCode);
    return res;
  }

  beforeAll(async () => {
    const inner = await openTestDatabase();
    const columns = await inner.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`);
    tables = new Set(columns.map((c) => c.table_name));
    keys = new Map([...tables].flatMap((t): Array<[string, string]> => {
      if (OTHER_KEY_COLUMNS[t]) return [[t, OTHER_KEY_COLUMNS[t]!.column]];
      return columns.some((c) => c.table_name === t && c.column_name === "store_id") ? [[t, "store_id"]] : [];
    }));
    // Every table names its store (docs/scaling.md lists them), but the migrations' own.
    expect([...tables].filter((t) => !keys.has(t))).toEqual(["schema_migrations"]);
    rec = recordingDatabase(inner);
    db = rec.db;
    rec.label("migrations");
    await migrate(db);
    rec.label("app start");
    const services = { tx: transactor(db), clock };
    app = await buildApp({ services, operatorToken: OPERATOR_TOKEN, ping: async () => void (await db.query("SELECT 1")), rateLimitPerSecond: 0 });
    routes = await registeredRoutes(app);
    for (const tag of ["a", "b"]) {
      rec.label(`setting up store ${tag} (fixture requests)`);
      stores.push(await sampleStore(app, tag, services));
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("drives one request of every route, for each of two stores", async () => {
    // Deletions after everything that needs what they delete; the sandbox clock last.
    const rank = (r: RouteInfo) => (r.id === "POST /v1/clock/advance" ? 2 : r.method === "DELETE" ? 1 : 0);
    const ordered = [...routes].sort((x, y) => rank(x) - rank(y));
    for (const s of stores) {
      // The fixture's hold is captured by one sample; release one of its own.
      const cash = (await call(app, "GET", "/v1/redeem-methods", { key: s.keys.admin })).json().data.find((m: { type: string }) => m.type === "cashback");
      const order = `order-release-${s.store.id}`;
      const cart = { lines: [{ sku: "shirt", quantity: 1, amount: 5000 }] };
      const held = (await call(app, "POST", "/v1/redemptions", { key: s.keys.admin, body: { memberId: `member-${s === stores[0] ? "a" : "b"}`, methodId: cash.id, points: 10, orderId: order, cart } })).json();
      for (const r of ordered) {
        if (r.role === "none") {
          await send(r.id, r.method, r.path, null);
          continue;
        }
        const sample = s.samples[r.id];
        expect(sample, `no sample for ${r.id}`).toBeDefined();
        const url = r.id === "POST /v1/redemptions/{id}/release" ? `/v1/redemptions/${held.id}/release` : sample!.url;
        const key = r.role === "operator" ? OPERATOR_TOKEN : r.role === "member" ? s.keys.member : s.keys.admin;
        const res = await send(r.id, r.method, url, key, sample!.body, sample!.headers);
        expect(res.statusCode, `${r.id}: ${res.body}`).toBeLessThan(400);
      }
    }
    expect(routes.filter((r) => !driven.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it("drives writes that do more: order awards and refunds, pending points, replays, store creation with a key, a full program import", async () => {
    const s = stores[0]!;
    const admin = s.keys.admin;
    const member = "member-a";
    await send("POST /v1/earn-rules (order rule)", "POST", "/v1/earn-rules", admin, { name: "Orders", event: "order", award: { type: "per_amount", points: 1, per: 100 } });
    await send("POST /v1/earn-rules (pending rule)", "POST", "/v1/earn-rules", admin, { name: "Later", event: "visit", award: { type: "fixed", points: 3 }, timing: { delayDays: 1 } });
    const order = { memberId: member, placedAt: "2026-01-16T00:00:00Z", paidAt: "2026-01-16T00:00:00Z", lines: [{ sku: "mug", quantity: 1, amount: 9000 }] };
    const paid = await send("PUT /v1/orders/{orderId} (paid)", "PUT", "/v1/orders/o-rich", admin, order);
    expect(paid.json().points.earned).toBeGreaterThan(0);
    await send("PUT /v1/orders/{orderId} (refunded)", "PUT", "/v1/orders/o-rich", admin, { ...order, refunds: [{ id: "r1", amount: 4000, at: "2026-01-16T01:00:00Z" }] });
    await send("POST /v1/events (pending award)", "POST", "/v1/events", admin, { id: "visit-1", type: "visit", memberId: member });
    await send("POST /v1/events (replay)", "POST", "/v1/events", admin, { id: "visit-1", type: "visit", memberId: member });
    const headers = { "idempotency-key": "rich-adjust-1" };
    await send("POST /v1/members/{memberId}/adjustments (keyed)", "POST", `/v1/members/${member}/adjustments`, admin, { points: 9, reason: "keyed" }, headers);
    const replay = await send("POST /v1/members/{memberId}/adjustments (replay)", "POST", `/v1/members/${member}/adjustments`, admin, { points: 9, reason: "keyed" }, headers);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    await send("POST /v1/members/{memberId}/adjustments (key conflict)", "POST", `/v1/members/${member}/adjustments`, admin, { points: 8, reason: "keyed" }, headers);
    await send("POST /v1/members/{memberId}/adjustments (refused)", "POST", `/v1/members/${member}/adjustments`, admin, { points: -1_000_000, reason: "too much" });
    await send("POST /v1/clock/advance (matures, expires holds)", "POST", "/v1/clock/advance", admin, { to: "2026-03-01T00:00:00Z" });
    await send("POST /v1/stores (keyed)", "POST", "/v1/stores", OPERATOR_TOKEN, { name: "Keyed", currency: "USD", timezone: "UTC" }, { "idempotency-key": "store-1" });
    await send("POST /v1/stores (keyed replay)", "POST", "/v1/stores", OPERATOR_TOKEN, { name: "Keyed", currency: "USD", timezone: "UTC" }, { "idempotency-key": "store-1" });
    const b = stores[1]!;
    const program = (await call(app, "GET", "/v1/program/export", { key: admin })).json();
    await send("PUT /v1/program/import (applied)", "PUT", "/v1/program/import", b.keys.admin, program);
  });

  it("drives a scheduler tick on a store on wall time: points to mature, a hold to time out, expiry reminders, tiers to re-check", async () => {
    rec.label("setting up a store on wall time");
    const store = await createTestStore(app, { name: "Wall", sandbox: false, clock: undefined });
    const key = store.adminKey;
    const ok = (res: { statusCode: number; body: string }) => expect(res.statusCode, res.body).toBeLessThan(300);
    ok(await call(app, "PATCH", "/v1/program", { key, body: { holdTtlMinutes: 1, validity: { type: "rolling", days: 5 }, expiryReminderDays: 7 } }));
    const window = { type: "rolling", days: 30 };
    ok(await call(app, "POST", "/v1/tiers", { key, body: { code: "gold", name: "Gold", rank: 2, qualification: { metric: "points_earned", threshold: 10, window } } }));
    ok(await call(app, "POST", "/v1/tiers", { key, body: { code: "silver", name: "Silver", rank: 1, qualification: { metric: "amount_spent", threshold: 100, window } } }));
    ok(await call(app, "PUT", "/v1/orders/w-first", { key, body: { memberId: "w", placedAt: clock.now().toISOString(), lines: [{ sku: "x", quantity: 1, amount: 500 }] } }));
    await call(app, "POST", "/v1/earn-rules", { key, body: { name: "Later", event: "visit", award: { type: "fixed", points: 30 }, timing: { delayDays: 1 } } });
    await call(app, "POST", "/v1/members/w/adjustments", { key, body: { points: 500, reason: "funds" } });
    await call(app, "POST", "/v1/events", { key, body: { id: "w-visit", type: "visit", memberId: "w" } });
    const cash = (await call(app, "POST", "/v1/redeem-methods", { key, body: { type: "cashback", name: "Cash", points: 10, amount: 100 } })).json();
    const hold = await call(app, "POST", "/v1/redemptions", { key, body: { memberId: "w", methodId: cash.id, points: 100, orderId: "w-order", cart: { lines: [{ sku: "x", quantity: 1, amount: 50_000 }] } } });
    expect(hold.statusCode, hold.body).toBe(201);
    clock.set(new Date(clock.now().getTime() + 3 * 86_400_000));

    // Keys older than a century only: the shared PostgreSQL holds other test files' keys.
    const services: Services = onlyStores({ tx: transactor(db), clock, idempotencyTtlMs: 100 * 365 * 86_400_000 }, [store.id]);
    rec.label("scheduler");
    const report = await runScheduledWork(services, { holder: "one-store-test", ttlMs: 30_000 });
    rec.label("after the scheduler");
    expect(report.failed).toEqual([]);
    expect(report.counts).toMatchObject({ matured: 1, released: 1 });
    expect(report.counts.reminded).toBeGreaterThan(0);
  });

  it("finds every statement naming exactly one store, every transaction one store, and that store the caller's", () => {
    const used = new Set<Allowance>();
    const allowed = (s: RecordedStatement, check: Allowance["check"]) => {
      const a = ALLOWED.find((x) => x.check === check && x.label.test(s.label) && (!x.sql || x.sql.test(normalized(s.text))));
      if (a) used.add(a);
      return a !== undefined;
    };
    const offenders: string[] = [];
    const byTx = new Map<number, { stores: Set<string>; statements: RecordedStatement[] }>();
    for (const s of rec.statements) {
      const verdict = checkStatement(s.text, s.params, keys, tables);
      const where = `[${s.label}] ${normalized(s.text)}\n    params: ${s.params.map(short).join(", ")}`;
      if (verdict.problems.length > 0 && !allowed(s, "statement")) offenders.push(`${where}\n    ${verdict.problems.join("\n    ")}`);
      if (s.callerStore && verdict.stores.some((id) => id !== s.callerStore)) offenders.push(`${where}\n    names ${verdict.stores.join(", ")}, the caller's store is ${s.callerStore}`);
      if (s.tx !== null) {
        const tx = byTx.get(s.tx) ?? { stores: new Set(), statements: [] };
        for (const id of verdict.stores) tx.stores.add(id);
        tx.statements.push(s);
        byTx.set(s.tx, tx);
      }
    }
    for (const [id, tx] of byTx) {
      if (tx.stores.size > 1 && !allowed(tx.statements[0]!, "transaction")) {
        offenders.push(`transaction ${id} [${tx.statements[0]!.label}] names ${[...tx.stores].join(", ")}:\n    ${tx.statements.map((s) => normalized(s.text).slice(0, 160)).join("\n    ")}`);
      }
    }
    expect(rec.statements.length).toBeGreaterThan(500);
    expect(offenders, `statements that do not name exactly one store:\n\n${offenders.join("\n\n")}`).toEqual([]);
    expect(ALLOWED.filter((a) => !used.has(a)).map((a) => a.reason), "allow-list entries nothing needs any more").toEqual([]);
    // Every store route reached the database naming its caller's store, so the check above saw it.
    for (const r of routes.filter((x) => x.role !== "none" && x.role !== "operator")) {
      expect(rec.statements.some((s) => s.label === r.id && s.callerStore !== null && checkStatement(s.text, s.params, keys, tables).stores[0] === s.callerStore), r.id).toBe(true);
    }
  });
});

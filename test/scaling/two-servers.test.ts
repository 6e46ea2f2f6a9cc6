/**
 * Two real server processes on one PostgreSQL behind one client load: requests alternate between
 * them, and some are sent to both at once with the same Idempotency-Key or event id. Afterwards the
 * books must hold exactly the acknowledged writes: every balance is the sum of what the clients were
 * told, nothing is applied twice, and verifyLedger finds nothing. Needs PostgreSQL (two processes
 * cannot share an in-memory PGlite); the test works in a schema of its own.
 */
import { describe, expect, it } from "vitest";
import { verifyLedger } from "../../src/storage/verify.ts";
import { exitWithin, OPERATOR, type ServerProcess } from "../jobs/server-process.ts";
import { twoServersOnPostgres } from "../jobs/two-servers.ts";

const WORKERS = 8;
const OPS_PER_WORKER = 32;
/** No new operation starts after this long; each request gives up after REQUEST_MS. */
const LOAD_MS = 35_000;
const REQUEST_MS = 15_000;
const EVENT_POINTS = 7;
const SEED_POINTS = 1_000;
const MEMBERS = Array.from({ length: 5 }, (_, i) => `member-${i}`);

/** JSON with sorted keys: a stored answer comes back from jsonb with its keys in another order. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => Array.isArray(v) ? v.map(sort)
    : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(sort(value));
}

interface Answer {
  status: number;
  body: any;
  replayed: boolean;
}

/** What the clients were told was applied, by member. */
interface Expected {
  balance: number;
  held: number;
}

describe.runIf(process.env.DATABASE_URL)("two server processes behind one client load", () => {
  // A short scheduler interval keeps both processes taking and giving back due-work leases during the load.
  const pg = twoServersOnPostgres({ schemaPrefix: "scaling_", dirPrefix: "pointbook-scaling-", poolSize: 2, schedulerIntervalMs: 200 });

  async function send(server: ServerProcess, method: string, path: string, key: string, body?: unknown, idempotencyKey?: string): Promise<Answer> {
    const res = await fetch(`${server.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, replayed: res.headers.get("idempotent-replayed") === "true" };
  }

  it("keep the books exact: every acknowledged write once, balances the sum of them, verify clean, both exit 0", async () => {
    const { db, servers } = pg;
    const [a, b] = [servers[0]!, servers[1]!];
    const setup = async (server: ServerProcess, method: string, path: string, key: string, body: unknown, status: number) => {
      const answer = await send(server, method, path, key, body);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
      return answer.body;
    };
    const store = await setup(a, "POST", "/v1/stores", OPERATOR, { name: "Two servers", currency: "USD", timezone: "UTC" }, 201);
    const key: string = store.apiKey;
    await setup(b, "POST", "/v1/earn-rules", key, { name: "Visit", event: "visit", award: { type: "fixed", points: EVENT_POINTS } }, 201);
    await setup(a, "POST", "/v1/earn-rules", key, { name: "Orders", event: "order", award: { type: "per_amount", points: 1, per: 100 } }, 201);
    const method = await setup(b, "POST", "/v1/redeem-methods", key, { type: "cashback", name: "Cash", points: 10, amount: 100, maxPointsPerOrder: 500 }, 201);

    const expected = new Map<string, Expected>(MEMBERS.map((m) => [m, { balance: 0, held: 0 }]));
    const problems: string[] = [];
    const journal = { events: new Map<string, number>(), adjustments: new Map<string, { memberId: string; points: number; entryId: string | null }>(), orders: new Map<string, number>(), holds: new Map<string, { id: string; points: number; status: string }>() };
    let twins = 0;

    /** Sends one request to one server, or the same request to both at once; both must get the same answer. */
    async function once(targets: ServerProcess[], what: string, method: string, path: string, body: unknown, idempotencyKey?: string, same: (body: any) => unknown = (x) => x): Promise<Answer> {
      const answers = await Promise.all(targets.map((s) => send(s, method, path, key, body, idempotencyKey)));
      if (answers.length === 2) {
        twins++;
        const [x, y] = answers as [Answer, Answer];
        // An event's replay answers 200 where the first sending answered 201; a keyed replay says so in a header.
        const statuses = [x.status, y.status].sort().join(",");
        const sameStatus = x.status === y.status || statuses === "200,201";
        if (!sameStatus || canonical(same(x.body)) !== canonical(same(y.body))) problems.push(`${what}: the two servers answered ${x.status} ${JSON.stringify(x.body)} and ${y.status} ${JSON.stringify(y.body)}`);
        if (idempotencyKey && x.status < 500 && x.replayed === y.replayed) problems.push(`${what}: replayed ${x.replayed}/${y.replayed}; exactly one should be the replay`);
      }
      return answers.find((r) => r.status === 201) ?? answers[0]!;
    }

    const credit = (memberId: string, points: number) => void (expected.get(memberId)!.balance += points);

    async function adjust(servers: ServerProcess[], tag: string, memberId: string, points: number): Promise<void> {
      const idem = `adj-${tag}`;
      const r = await once(servers, idem, "POST", `/v1/members/${memberId}/adjustments`, { points, reason: `load ${idem}` }, idem);
      if (r.status === 201 && r.body.points === points) {
        journal.adjustments.set(idem, { memberId, points, entryId: r.body.id });
        credit(memberId, points);
      } else if (r.status === 409 && r.body.code === "insufficient_points" && points < 0) journal.adjustments.set(idem, { memberId, points, entryId: null });
      else problems.push(`${idem} (${points}): ${r.status} ${JSON.stringify(r.body)}`);
    }

    async function event(servers: ServerProcess[], tag: string, memberId: string): Promise<void> {
      const id = `visit-${tag}`;
      const r = await once(servers, id, "POST", "/v1/events", { id, type: "visit", memberId });
      const points = (r.body?.awards ?? []).reduce((s: number, x: { points: number }) => s + x.points, 0);
      if ((r.status === 201 || r.status === 200) && points === EVENT_POINTS) {
        journal.events.set(id, points);
        credit(memberId, points);
      } else problems.push(`${id}: ${r.status} ${JSON.stringify(r.body)}`);
    }

    async function order(servers: ServerProcess[], tag: string, memberId: string, amount: number): Promise<void> {
      const id = `order-${tag}`;
      const at = new Date().toISOString();
      // PUT sets the whole order: sent twice at once, the second finds nothing to change, so the points are the same.
      const r = await once(servers, id, "PUT", `/v1/orders/${id}`, { memberId, placedAt: at, paidAt: at, lines: [{ sku: "tea", quantity: 1, amount }] }, undefined, (x) => x?.points);
      if (r.status === 200 && r.body.points?.earned === Math.floor(amount / 100) && r.body.points.pending === 0) {
        journal.orders.set(id, r.body.points.earned);
        credit(memberId, r.body.points.earned);
      } else problems.push(`${id}: ${r.status} ${JSON.stringify(r.body)}`);
    }

    async function hold(servers: ServerProcess[], finishOn: ServerProcess[], tag: string, memberId: string, points: number, finish: "capture" | "release" | "keep"): Promise<void> {
      const idem = `hold-${tag}`;
      const cart = { lines: [{ sku: "tea", quantity: 1, amount: 50_000 }], shipping: 500 };
      const r = await once(servers, idem, "POST", "/v1/redemptions", { memberId, methodId: method.id, points, orderId: `cart-${tag}`, cart }, idem);
      if (r.status === 409 && ["insufficient_points", "exceeds_order_limit"].includes(r.body.code)) return;
      if (r.status !== 201 || r.body.status !== "held" || r.body.points !== points) {
        problems.push(`${idem}: ${r.status} ${JSON.stringify(r.body)}`);
        return;
      }
      const e = expected.get(memberId)!;
      e.balance -= points;
      e.held += points;
      journal.holds.set(idem, { id: r.body.id, points, status: "held" });
      if (finish === "keep") return;
      const done = await once(finishOn, `${finish}-${tag}`, "POST", `/v1/redemptions/${r.body.id}/${finish}`, {}, `${finish}-${tag}`);
      const status = finish === "capture" ? "completed" : "released";
      if (done.status !== 200 || done.body.status !== status) {
        problems.push(`${finish}-${tag}: ${done.status} ${JSON.stringify(done.body)}`);
        return;
      }
      journal.holds.get(idem)!.status = status;
      e.held -= points;
      if (finish === "release") e.balance += points;
    }

    // Funds first, each through one server or the other (and two of them through both at once).
    await Promise.all(MEMBERS.map((m, i) => adjust(i < 2 ? [a, b] : [servers[i % 2]!], `seed-${m}`, m, SEED_POINTS)));

    const deadline = Date.now() + LOAD_MS;
    const worker = async (w: number) => {
      for (let n = 0; n < OPS_PER_WORKER && Date.now() < deadline; n++) {
        const tag = `${w}-${n}`;
        const one = [servers[(w + n) % 2]!];
        const other = [servers[(w + n + 1) % 2]!];
        // Every third operation goes to both servers at once, with the same key or event id.
        const target = n % 3 === 2 ? [a, b] : one;
        const memberId = MEMBERS[(w * 7 + n) % MEMBERS.length]!;
        switch (n % 4) {
          case 0: await event(target, tag, memberId); break;
          // Now and then a deduction, some too large to be allowed (refused, and the refusal replayed).
          case 1: await adjust(target, tag, memberId, n % 8 === 5 ? (w % 3 === 0 ? -50_000 : -(40 + w * 30)) : 25 + w + n); break;
          case 2: await order(target, tag, memberId, 1_000 + 137 * (w + 1) * (n + 1)); break;
          default: await hold(target, n % 8 === 7 ? [a, b] : other, tag, memberId, 10 * (1 + ((w + n) % 8)), (["capture", "release", "keep"] as const)[(w + n) % 3]!);
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    expect(problems).toEqual([]);
    expect(twins).toBeGreaterThan(WORKERS * 3);

    // Through the API, each member read from one server or the other: what the clients were told.
    for (const [i, memberId] of MEMBERS.entries()) {
      const r = await send(servers[i % 2]!, "GET", `/v1/members/${memberId}`, key);
      expect(r.status).toBe(200);
      expect({ memberId, balance: r.body.balance, held: r.body.held, pending: r.body.pending }).toEqual({ memberId, ...expected.get(memberId), pending: 0 });
    }

    // In the ledger: each acknowledged write once, nothing else.
    const storeId: string = store.id;
    const rows = async <T>(sql: string) => db.query<T>(sql, [storeId]);
    const eventCredits = await rows<{ source_ref: string; n: number; points: number }>(
      "SELECT source_ref, count(*)::int AS n, sum(points)::int AS points FROM entries WHERE store_id = $1 AND source_type = 'event' GROUP BY source_ref");
    expect(new Map(eventCredits.map((r) => [r.source_ref, [r.n, r.points]]))).toEqual(new Map([...journal.events].map(([id, p]) => [id, [1, p]])));
    expect((await rows<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE store_id = $1"))[0]!.n).toBe(journal.events.size);

    const adjustments = await rows<{ id: string; member_id: string; points: number; reason: string }>(
      "SELECT id, member_id, points, reason FROM entries WHERE store_id = $1 AND type = 'adjust' ORDER BY reason");
    const applied = [...journal.adjustments].filter(([, x]) => x.entryId !== null);
    expect(adjustments.map((r) => [r.reason, r.id, r.member_id, r.points]).sort()).toEqual(
      applied.map(([idem, x]) => [`load ${idem}`, x.entryId, x.memberId, x.points]).sort());

    const awards = await rows<{ order_id: string; awarded: number }>("SELECT order_id, awarded::int AS awarded FROM order_awards WHERE store_id = $1");
    expect(new Map(awards.map((r) => [r.order_id, r.awarded]))).toEqual(journal.orders);
    const orderLots = await rows<{ source_ref: string; n: number }>("SELECT source_ref, count(*)::int AS n FROM lots WHERE store_id = $1 AND source_type = 'order' GROUP BY source_ref");
    expect(orderLots.every((r) => r.n === 1)).toBe(true);

    const redemptions = await rows<{ id: string; points: number; status: string }>("SELECT id, points::int AS points, status FROM redemptions WHERE store_id = $1");
    expect(new Map(redemptions.map((r) => [r.id, [r.points, r.status]]))).toEqual(new Map([...journal.holds.values()].map((h) => [h.id, [h.points, h.status]])));

    expect(await verifyLedger(db, storeId)).toEqual([]);

    for (const s of servers) s.child.kill("SIGTERM");
    for (const s of servers) expect(await exitWithin(s, 15_000), s.output()).toMatchObject({ code: 0 });
  }, 120_000);
});

/**
 * Two real server processes on one PostgreSQL share webhook delivery (SPEC §3 Webhooks): both
 * run the outgoing loop, claiming deliveries under leases with `FOR UPDATE SKIP LOCKED`.
 * - Normal case: every event of the store reaches the endpoint exactly once, correctly signed.
 * - kill -9 of one process while deliveries are in flight: once its leases run out the other
 *   process sends what it held; every event arrives at least once, and an event arrives twice only
 *   if the killed process had already sent it (at most its concurrency), nothing stays pending.
 * Needs a PostgreSQL server (two processes cannot share an in-memory PGlite); CI runs the suite on
 * one. The servers work in a schema of their own, so they never touch other test files' stores.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONCURRENCY } from "../../src/services/webhooks/deliver.ts";
import { startReceiver, type Receiver } from "../delivery/webhooks/receiver.ts";
import { signatureHeaders } from "../webhooks/support.ts";
import { exitWithin, OPERATOR, type ServerProcess } from "./server-process.ts";
import { twoServersOnPostgres } from "./two-servers.ts";

/**
 * Short enough to wait out in the test, long enough for a whole pass of this test's slow sends:
 * a lease starts when a pass claims its deliveries, not when each is sent.
 */
const LEASE_MS = 12_000;
const NORMAL_ADJUSTMENTS = 200;
const KILL_ADJUSTMENTS = 60;
const KILL_ADJUSTMENTS_MAX = 150;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms: number, every = 100): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Runs `fn` over `items`, `lanes` at a time. */
async function eachBounded<T>(items: readonly T[], lanes: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

/** A receiver that records when each `webhook-id` arrived and how many requests are open. */
async function recordingReceiver(delayMs: () => number) {
  const arrivals = new Map<string, number[]>();
  let open = 0;
  let maxOpen = 0;
  const receiver: Receiver = await startReceiver((req: IncomingMessage, res: ServerResponse) => {
    const id = String(req.headers["webhook-id"]);
    arrivals.set(id, [...(arrivals.get(id) ?? []), Date.now()]);
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.once("close", () => void open--);
    const delay = delayMs();
    if (delay === 0) res.writeHead(204).end();
    else setTimeout(() => res.writeHead(204).end(), delay);
  });
  return {
    receiver,
    arrivals,
    open: () => open,
    maxOpen: () => maxOpen,
    duplicates: () => [...arrivals].filter(([, at]) => at.length > 1),
  };
}

describe.runIf(process.env.DATABASE_URL)("two server processes share webhook delivery", () => {
  const pg = twoServersOnPostgres({
    schemaPrefix: "outgoing_two_", dirPrefix: "pointbook-outgoing-two-", poolSize: 2, schedulerIntervalMs: 10_000,
    env: {
      POINTBOOK_WEBHOOK_ALLOW_PRIVATE: "true", POINTBOOK_WEBHOOK_RETRY_BASE_MS: "200", POINTBOOK_WEBHOOK_LEASE_MS: String(LEASE_MS),
      POINTBOOK_OUTGOING_INTERVAL_MS: "100",
    },
  });
  const receivers: Receiver[] = [];
  afterAll(async () => {
    for (const r of receivers) await r.close();
  });

  const api = async (server: ServerProcess, method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${server.base}${path}`, {
      method, headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as any };
  };

  /** A store with one endpoint for every event type at `url`, and `members` members. */
  async function storeWithEndpoint(server: ServerProcess, name: string, url: string, members: string[]) {
    const store = await api(server, "POST", "/v1/stores", OPERATOR, { name, currency: "USD", timezone: "UTC" });
    expect(store.status, JSON.stringify(store.json)).toBe(201);
    const key = store.json.apiKey as string;
    const endpoint = await api(server, "POST", "/v1/webhook-endpoints", key, { url, events: ["*"] });
    expect(endpoint.status, JSON.stringify(endpoint.json)).toBe(201);
    for (const m of members) expect((await api(server, "PUT", `/v1/members/${m}`, key, {})).status).toBe(200);
    return { storeId: store.json.id as string, key, endpointId: endpoint.json.id as string, secret: endpoint.json.secret as string };
  }

  async function adjust(server: ServerProcess, key: string, memberId: string, points: number) {
    const res = await api(server, "POST", `/v1/members/${memberId}/adjustments`, key, { points, reason: "two processes" });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  }

  /** Every event id of the store, all pages of the event feed. */
  async function feedIds(server: ServerProcess, key: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page = await api(server, "GET", `/v1/event-feed?limit=500${after ? `&after=${after}` : ""}`, key);
      expect(page.status).toBe(200);
      ids.push(...(page.json.data as { id: string }[]).map((e) => e.id));
      after = page.json.nextCursor;
    } while (after);
    return ids;
  }

  /** Every delivery of the endpoint, all pages. */
  async function allDeliveries(server: ServerProcess, key: string, endpointId: string): Promise<any[]> {
    const out: any[] = [];
    let cursor: string | null = null;
    do {
      const page = await api(server, "GET", `/v1/webhook-endpoints/${endpointId}/deliveries?limit=500${cursor ? `&cursor=${cursor}` : ""}`, key);
      expect(page.status).toBe(200);
      out.push(...page.json.data);
      cursor = page.json.nextCursor;
    } while (cursor);
    return out;
  }

  /** Waits until every event of the feed has arrived and every delivery is `delivered`; returns the event ids. */
  async function allDelivered(server: ServerProcess, key: string, endpointId: string, arrivals: Map<string, number[]>, ms: number): Promise<string[]> {
    return until("every event delivered", async () => {
      const ids = await feedIds(server, key);
      if (!ids.every((id) => arrivals.has(id))) return undefined;
      const deliveries = await allDeliveries(server, key, endpointId);
      return deliveries.length === ids.length && deliveries.every((d) => d.status === "delivered") ? ids : undefined;
    }, ms, 250);
  }

  beforeAll(async () => {
    // Both servers are up and serving before anything is sent.
    for (const s of pg.servers) expect((await fetch(`${s.base}/readyz`)).status).toBe(200);
  });

  it(`${NORMAL_ADJUSTMENTS} adjustments through both servers: every event arrives exactly once, signed`, async () => {
    const fast = await recordingReceiver(() => 0);
    receivers.push(fast.receiver);
    const [a, b] = pg.servers as [ServerProcess, ServerProcess];
    const members = Array.from({ length: 20 }, (_, i) => `normal_${i}`);
    const { key, endpointId, secret } = await storeWithEndpoint(a, "Two processes", fast.receiver.url, members);

    const started = Date.now();
    // Four at once, alternating between the two servers' ports.
    await eachBounded(Array.from({ length: NORMAL_ADJUSTMENTS }, (_, i) => i), 4, (i) => adjust(i % 2 ? b : a, key, members[i % members.length]!, 10 + i));
    const ids = await allDelivered(b, key, endpointId, fast.arrivals, 30_000);
    const elapsed = Date.now() - started;

    expect(ids.length).toBeGreaterThanOrEqual(NORMAL_ADJUSTMENTS);
    expect(new Set(ids).size).toBe(ids.length);
    // Exactly once each, and nothing that is not an event of the store.
    expect(fast.duplicates().map(([id]) => id)).toEqual([]);
    expect(fast.receiver.received.length).toBe(ids.length);
    expect(new Set(fast.arrivals.keys())).toEqual(new Set(ids));
    const wh = new Webhook(secret);
    for (const r of fast.receiver.received) {
      const event = wh.verify(r.body, signatureHeaders(r.headers)) as { id: string };
      expect(event.id).toBe(r.headers["webhook-id"]);
    }
    const deliveries = await allDeliveries(a, key, endpointId);
    expect(deliveries.filter((d) => d.status !== "delivered" || d.attempts !== 1)).toEqual([]);
    // Both processes did some of the sending.
    const delivered = await Promise.all(pg.servers.map(async (s) => Number(/pointbook_webhook_deliveries_total\{result="delivered"\} (\d+)/.exec(await (await fetch(`${s.base}/metrics`)).text())?.[1] ?? 0)));
    expect(delivered[0]! + delivered[1]!).toBe(ids.length);
    console.info(`normal case: ${ids.length} events, each delivered once (server a ${delivered[0]}, b ${delivered[1]}), all delivered ${elapsed} ms after the first adjustment`);
  }, 60_000);

  it("kill -9 of one server with deliveries in flight: the other sends what it held once its leases run out", async () => {
    const slow = await recordingReceiver(() => 300 + Math.floor(Math.random() * 500));
    receivers.push(slow.receiver);
    const [survivor, victim] = pg.servers as [ServerProcess, ServerProcess];
    const members = Array.from({ length: 10 }, (_, i) => `kill_${i}`);
    const { key, endpointId, secret } = await storeWithEndpoint(survivor, "Kill nine", slow.receiver.url, members);

    // Adjustments go to the survivor, two at a time, while both servers send; the kill comes once
    // more requests are open than one process sends at once, so the victim has some in flight.
    // Posting goes on until the kill (at least KILL_ADJUSTMENTS, at most KILL_ADJUSTMENTS_MAX).
    let posted = 0;
    let killed = false;
    const posting = Promise.all([0, 1].map(async () => {
      while (posted < KILL_ADJUSTMENTS_MAX && (!killed || posted < KILL_ADJUSTMENTS)) {
        const i = posted++;
        await adjust(survivor, key, members[i % members.length]!, 5 + i);
        await new Promise((r) => setTimeout(r, 50));
      }
    }));
    await until("both servers sending", () => (slow.open() > DEFAULT_CONCURRENCY ? true : undefined), 20_000, 5);
    killed = true;
    const killedAt = Date.now();
    const openAtKill = slow.open();
    victim.child.kill("SIGKILL");
    expect((await exitWithin(victim, 10_000)).signal).toBe("SIGKILL");
    const exitedAt = Date.now();
    // The deliveries under a lease at the kill, the victim's and the survivor's.
    const leased = await pg.db.query<{ id: string; lease_until: Date }>(
      "SELECT id, lease_until FROM webhook_deliveries WHERE endpoint_id = $1 AND lease_until IS NOT NULL AND status IN ('pending', 'failed')", [endpointId]);
    await posting;

    const ids = await allDelivered(survivor, key, endpointId, slow.arrivals, LEASE_MS + 25_000);
    const elapsed = Date.now() - killedAt;

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(KILL_ADJUSTMENTS);
    expect(new Set(slow.arrivals.keys())).toEqual(new Set(ids));
    // A second arrival only for an event the victim had sent before it died, at most as many as
    // it sends at once.
    const duplicates = slow.duplicates();
    expect(duplicates.length).toBeLessThanOrEqual(DEFAULT_CONCURRENCY);
    for (const [id, at] of duplicates) {
      expect(at.length, id).toBe(2);
      expect(at[0]!, id).toBeLessThanOrEqual(exitedAt + 1_000);
    }
    const wh = new Webhook(secret);
    for (const r of slow.receiver.received) wh.verify(r.body, signatureHeaders(r.headers));

    const deliveries = await allDeliveries(survivor, key, endpointId);
    expect(deliveries.filter((d) => d.status !== "delivered")).toEqual([]);
    // What the victim held was sent only after its lease ran out: the survivor finishes its own
    // deliveries within their leases.
    const byId = new Map(deliveries.map((d) => [d.id as string, d]));
    const recovered = leased.filter((l) => Date.parse(byId.get(l.id)!.deliveredAt) >= new Date(l.lease_until).getTime());
    expect(recovered.length).toBeGreaterThan(0);
    // Each duplicate is one of those: sent by the victim, then again after its lease.
    const recoveredEvents = new Set(recovered.map((l) => byId.get(l.id)!.eventId as string));
    expect(duplicates.map(([id]) => id).filter((id) => !recoveredEvents.has(id))).toEqual([]);
    console.info(
      `kill -9: ${posted} adjustments, ${ids.length} events, ${openAtKill} requests open at the kill, ${leased.length} deliveries leased at the kill, ` +
      `${recovered.length} sent by the survivor after the victim's lease ran out, ${duplicates.length} duplicates; ` +
      `all delivered ${elapsed} ms after the kill`,
    );

    survivor.child.kill("SIGTERM");
    expect(await exitWithin(survivor, 15_000)).toMatchObject({ code: 0 });
  }, 60_000);
});

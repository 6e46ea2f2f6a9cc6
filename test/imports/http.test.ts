/**
 * Imports through the API (SPEC §6 Imports): upload (text/csv) → 202 {id}, the server's worker
 * runs it, GET shows the outcome with rejected rows by line. Members, balances and orders; the
 * historical-orders rule; the route's refusals (401, 403, 413, 415, 422, 409) and idempotency.
 */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { runWaitingImports } from "../../src/services/imports/worker.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { kindsUnderTest } from "../support/db.ts";
import { call, createTestStore, OPERATOR_TOKEN, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { csv, getImport, importVia, upload, work } from "./support.ts";
import { feedSettled } from "../support/feed.ts";

describe.each(kindsUnderTest())("imports over HTTP on %s", (kind) => {
  let t: TestApp;
  let store: TestStore;
  const api = (method: string, url: string, body?: unknown) => call(t.app, method, url, { key: store.adminKey, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    t = await startTestApp(kind);
    store = await createTestStore(t.app);
  });
  afterAll(async () => t.close());

  it("imports opening balances, reporting bad rows by line while the good ones are imported", async () => {
    const result = await importVia(t.app, t.services, store, "kind=balances&fileName=opening.csv", [
      "memberId,points,expiresAt,reason", // line 1
      "bal-1,100,,migrated from the old shop", // 2
      "bal-2,50,2027-01-01T00:00:00Z,", // 3
      "", // 4: an empty line is skipped, and still counted in line numbers
      "bal-1,abc,,", // 5
      "\"bal-3\",\"20\",,\"a reason", // 6: a quoted cell running over two lines
      "on two lines\"", // 7
      "bal-4,5,2020-01-01T00:00:00Z,", // 8: expired already
      "bal-1,25,2026-12-31T23:59:59Z,", // 9: a second lot for bal-1
      "bal-5,7", // 10: too few cells
      "bal-6,\"8\"x,,", // 11: a stray quote
      "bal-7,1000000000001,,", // 12: past 10^12
    ].join("\r\n"));
    // Nine records: line 4 is empty, lines 6 and 7 are one record.
    expect(result).toMatchObject({ status: "done", total: 9, processed: 9, imported: 4, rejected: 5, failure: null, line: 12 });
    expect(result.bytes.read).toBe(result.bytes.total);
    expect(result.errors).toEqual([
      { line: 5, message: "points: must be a whole number" },
      { line: 8, message: expect.stringMatching(/^expiresAt: has already passed/) },
      { line: 10, message: "the row has 2 cells; the header has 4" },
      { line: 11, message: "points: must be a whole number" },
      { line: 12, message: expect.stringMatching(/^points: Too big/) },
    ]);
    const one = (await api("GET", "/v1/members/bal-1")).json();
    expect(one).toMatchObject({ balance: 125, expiring: [{ expiresAt: "2026-12-31T23:59:59.000Z", points: 25 }] });
    expect((await api("GET", "/v1/members/bal-3")).json()).toMatchObject({ balance: 20 });
    expect((await api("GET", "/v1/members/bal-4")).statusCode).toBe(404);
    const activity = (await api("GET", "/v1/members/bal-3/activity")).json() as { data: Array<Record<string, unknown>> };
    expect(activity.data).toMatchObject([{ type: "import", points: 20, reason: "a reason\r\non two lines", source: { type: "import", ref: result.id }, explanation: { import: result.id, line: 6 } }]);
    expect(await verifyLedger(t.db, store.id)).toEqual([]);
  });

  it("announces each imported balance as points changed, and sends no member message", async () => {
    const s = await createTestStore(t.app);
    const r = await importVia(t.app, t.services, s, "kind=balances", csv("memberId,points", "feed-1,10", "feed-2,20"));
    expect(r.imported).toBe(2);
    await feedSettled(t.db, s.id);
    const feed = (await call(t.app, "GET", "/v1/event-feed?type=member.points_changed", { key: s.adminKey })).json() as { data: Array<{ data: Record<string, unknown> }> };
    expect(feed.data.map((e) => e.data)).toMatchObject([{ entryType: "import", points: 10 }, { entryType: "import", points: 20 }]);
  });

  it("imports member attributes; an empty cell leaves a value as it is; a tier must exist", async () => {
    expect((await api("POST", "/v1/tiers", { code: "gold", name: "Gold", rank: 1 })).statusCode).toBe(201);
    expect((await api("PUT", "/v1/members/mem-1", { email: "old@example.com", language: "en" })).statusCode).toBe(200);
    const result = await importVia(t.app, t.services, store, "kind=members", csv(
      "memberId,email,phone,birthday,tier,tags,isMember,language",
      "mem-1,,+15551234567,1990-02-03,gold,vip|early,true,",
      "mem-2,new@example.com,,,,,false,zh-TW",
      "mem-3,not-an-email,,,,,,",
      "mem-4,,,,platinum,,,",
    ));
    expect(result).toMatchObject({ status: "done", imported: 2, rejected: 2 });
    expect(result.errors).toEqual([
      { line: 4, message: expect.stringMatching(/^email:/) },
      { line: 5, message: "tier: the store has no tier \"platinum\" (its tiers: gold)" },
    ]);
    expect((await api("GET", "/v1/members/mem-1")).json()).toMatchObject({
      email: "old@example.com", phone: "+15551234567", birthday: "1990-02-03", tier: "gold", tags: ["vip", "early"], isMember: true, language: "en",
    });
    expect((await api("GET", "/v1/members/mem-2")).json()).toMatchObject({ email: "new@example.com", isMember: false, language: "zh-TW", tier: null });
    expect((await api("GET", "/v1/members/mem-3")).statusCode).toBe(404);
  });

  describe("orders", () => {
    let s: TestStore;
    const sapi = (method: string, url: string, body?: unknown) => call(t.app, method, url, { key: s.adminKey, ...(body !== undefined ? { body } : {}) });
    const HEADER = "orderId,memberId,channel,currency,placedAt,paidAt,fulfilledAt,deliveredAt,canceledAt,sku,quantity,amount,giftCard,discounts,shipping";

    beforeAll(async () => {
      s = await createTestStore(t.app);
      // $1 = 1 point, on payment; money spent over a rolling year makes a member silver.
      expect((await sapi("POST", "/v1/earn-rules", { name: "Purchases", event: "order", award: { type: "per_amount", points: 1, per: 100 }, timing: { awardOn: "paid" } })).statusCode).toBe(201);
      expect((await sapi("POST", "/v1/tiers", { code: "silver", name: "Silver", rank: 1, qualification: { metric: "amount_spent", threshold: 20_000, window: { type: "rolling", months: 12 } } })).statusCode).toBe(201);
      expect((await sapi("PUT", "/v1/orders/api-1", { memberId: "ord-2", placedAt: "2025-12-01T10:00:00Z", lines: [{ sku: "x", quantity: 1, amount: 100 }] })).statusCode).toBe(200);
    });

    it("records historical orders without earning; they count for tiers; bad and repeated orders are refused by line", async () => {
      const result = await importVia(t.app, t.services, s, "kind=orders", csv(
        HEADER,
        "hist-1,ord-1,online,USD,2025-11-01T10:00:00Z,2025-11-01T10:05:00Z,,,,tea,2,15000,,,500", // 2
        "hist-1,ord-1,,,,,,,,card,1,5000,true,,", // 3: second line item of hist-1
        "hist-2,ord-2,pos,,2025-11-02T10:00:00Z,,,,,tea,1,abc,,,", // 4: bad amount
        "hist-3,,online,,2025-11-03T10:00:00Z,2025-11-03T10:00:00Z,,,,tea,1,100,,,", // 5: a guest order
        "hist-1,ord-1,,,2025-11-01T10:00:00Z,,,,,cake,1,100,,,", // 6: hist-1 again, not consecutive
        "api-1,ord-2,,,2025-12-01T10:00:00Z,,,,,tea,1,100,,,", // 7: already in the store
        "hist-4,ord-1,,,2030-01-01T00:00:00Z,,,,,tea,1,100,,,", // 8: in the future
        "hist-2,ord-2,,,2025-11-02T10:00:00Z,,,,,tea,1,100,,,", // 9: hist-2 refused before: not consecutive either
      ));
      expect(result).toMatchObject({ status: "done", processed: 8, imported: 3, rejected: 5 });
      expect(result.errors).toEqual([
        { line: 4, message: "amount: must be a whole number" },
        { line: 6, message: "the rows of order hist-1 are not consecutive: the order began at an earlier line" },
        { line: 7, message: "order api-1 already exists in the store; an import records new orders only" },
        { line: 8, message: "placedAt: must not be in the future" },
        { line: 9, message: "the rows of order hist-2 are not consecutive: the order began at an earlier line" },
      ]);
      const order = (await sapi("GET", "/v1/orders/hist-1")).json();
      expect(order).toMatchObject({ memberId: "ord-1", points: { earned: 0, pending: 0 }, import: { id: result.id, award: false }, lines: [{ sku: "tea" }, { sku: "card", giftCard: true }] });
      expect((await sapi("GET", "/v1/members/ord-1")).json()).toMatchObject({ balance: 0, tier: "silver", isMember: true });
      // Updated later through the API (delivered, refunded): it still earns nothing.
      const later = await sapi("PUT", "/v1/orders/hist-1", {
        memberId: "ord-1", placedAt: "2025-11-01T10:00:00Z", paidAt: "2025-11-01T10:05:00Z", deliveredAt: "2025-11-05T10:00:00Z",
        lines: [{ sku: "tea", quantity: 2, amount: 15_000 }], refunds: [{ id: "r1", amount: 5_000, at: "2025-11-10T00:00:00Z" }],
      });
      expect(later.statusCode).toBe(200);
      expect(later.json()).toMatchObject({ points: { earned: 0, pending: 0, reversed: 0 }, import: { id: result.id, award: false } });
      expect((await sapi("GET", "/v1/members/ord-1")).json()).toMatchObject({ balance: 0 });
      expect(await verifyLedger(t.db, s.id)).toEqual([]);
    });

    it("with award=true, imported orders earn as the rules say", async () => {
      const result = await importVia(t.app, t.services, s, "kind=orders&award=true", csv(HEADER, "awd-1,ord-9,online,USD,2026-01-10T10:00:00Z,2026-01-10T10:05:00Z,,,,tea,1,12345,,,"));
      expect(result).toMatchObject({ status: "done", imported: 1 });
      expect((await sapi("GET", "/v1/orders/awd-1")).json()).toMatchObject({ points: { earned: 123 }, import: { award: true } });
      expect((await sapi("GET", "/v1/members/ord-9")).json()).toMatchObject({ balance: 123 });
    });
  });

  describe("the route", () => {
    it("refuses a caller without a key (401) or without the admin role (403), before reading the body", async () => {
      expect((await upload(t.app, null, "kind=balances", csv("memberId,points", "a,1"))).statusCode).toBe(401);
      expect((await upload(t.app, await store.key("points_manager"), "kind=balances", csv("memberId,points", "a,1"))).statusCode).toBe(403);
      expect((await call(t.app, "GET", "/v1/imports", {})).statusCode).toBe(401);
    });

    it("names the problem: an unknown kind (422), a body that is not text/csv (415), the wrong header (422), award for members (422)", async () => {
      const unknown = await upload(t.app, store.adminKey, "kind=points", csv("memberId,points", "a,1"));
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "kind" }] });
      const json = await call(t.app, "POST", "/v1/imports?kind=balances", { key: store.adminKey, body: { memberId: "a" } });
      expect(json.statusCode).toBe(415);
      expect(json.headers["content-type"]).toMatch(/problem\+json/);
      const header = await upload(t.app, store.adminKey, "kind=balances", csv("memberId,pts", "a,1"));
      expect(header.statusCode).toBe(422);
      expect(header.json()).toMatchObject({ errors: [{ path: "body", message: expect.stringMatching(/^line 1: the header: unknown column "pts"/) }] });
      expect((await upload(t.app, store.adminKey, "kind=balances", "")).statusCode).toBe(422);
      const award = await upload(t.app, store.adminKey, "kind=members&award=true", csv("memberId", "a"));
      expect(award.statusCode).toBe(422);
      expect(award.json()).toMatchObject({ errors: [{ path: "award" }] });
    });

    it("refuses the same file twice (409) unless again=true", async () => {
      const s = await createTestStore(t.app);
      const body = csv("memberId,points", "twice-1,10");
      expect((await importVia(t.app, t.services, s, "kind=balances", body)).imported).toBe(1);
      const repeated = await upload(t.app, s.adminKey, "kind=balances", body);
      expect(repeated.statusCode).toBe(409);
      expect(repeated.json()).toMatchObject({ code: "conflict", detail: expect.stringMatching(/imported already as imp_.*again=true/) });
      expect((await importVia(t.app, t.services, s, "kind=balances&again=true", body)).imported).toBe(1);
      expect((await call(t.app, "GET", "/v1/members/twice-1", { key: s.adminKey })).json()).toMatchObject({ balance: 20 });
    });

    it("an Idempotency-Key replays the upload's answer; the same key with other bytes is a conflict", async () => {
      const s = await createTestStore(t.app);
      const body = csv("memberId,points", "idem-1,10");
      const headers = { "idempotency-key": "import-once" };
      const first = await upload(t.app, s.adminKey, "kind=balances", body, headers);
      const again = await upload(t.app, s.adminKey, "kind=balances", body, headers);
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(again.json()).toEqual(first.json());
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect((await upload(t.app, s.adminKey, "kind=balances", csv("memberId,points", "idem-1,11"), headers)).statusCode).toBe(409);
      await work(t.services, s.id);
      expect((await call(t.app, "GET", "/v1/members/idem-1", { key: s.adminKey })).json()).toMatchObject({ balance: 10 });
      // Only the first upload's bytes were kept, and they are gone once the import is done.
      const chunks = await t.services.tx.run((repos) => repos.imports.chunks(s.id, (first.json() as { id: string }).id, 0, 10));
      expect(chunks).toEqual([]);
    });

    it("lists imports newest first, page by page; another store's import is not found", async () => {
      const s = await createTestStore(t.app);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await importVia(t.app, t.services, s, "kind=balances", csv("memberId,points", `list-${i},1`))).id);
      const page1 = (await call(t.app, "GET", "/v1/imports?limit=2", { key: s.adminKey })).json() as { data: Array<{ id: string; errors?: unknown }>; nextCursor: string };
      const page2 = (await call(t.app, "GET", `/v1/imports?limit=2&cursor=${page1.nextCursor}`, { key: s.adminKey })).json() as { data: Array<{ id: string }>; nextCursor: string | null };
      expect([...page1.data, ...page2.data].map((d) => d.id)).toEqual([...ids].reverse());
      expect(page2.nextCursor).toBeNull();
      expect(page1.data[0]).not.toHaveProperty("errors");
      expect((await call(t.app, "GET", `/v1/imports/${ids[0]}`, { key: store.adminKey })).statusCode).toBe(404);
      expect(await getImport(t.app, s.adminKey, ids[0]!)).toMatchObject({ status: "done", imported: 1 });
    });
  });

  it("an upload whose worker died is resumed by another worker once the lease ran out, every row once", async () => {
    const s = await createTestStore(t.app);
    const rows = Array.from({ length: 30 }, (_, i) => `lease-${i % 4},${i + 1}`);
    const res = await upload(t.app, s.adminKey, "kind=balances", csv("memberId,points", ...rows));
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    const start = t.clock.now();
    const died = runWaitingImports(t.services, { storeId: s.id, holder: "dies", leaseMs: 60_000, batchRows: 7, faults: { afterBatch: (n) => {
      if (n === 2) throw new Error("killed");
    } } });
    await expect(died).rejects.toThrow("killed");
    expect(await getImport(t.app, s.adminKey, id)).toMatchObject({ status: "running", total: 30, processed: 14 });
    expect(await work(t.services, s.id, "next")).toEqual({ claimed: 0, finished: 0 });
    t.clock.set(new Date(start.getTime() + 60_000));
    try {
      expect(await work(t.services, s.id, "next")).toEqual({ claimed: 1, finished: 1 });
    } finally {
      t.clock.set(start);
    }
    expect(await getImport(t.app, s.adminKey, id)).toMatchObject({ status: "done", total: 30, processed: 30, imported: 30, rejected: 0 });
    const balances = await Promise.all([0, 1, 2, 3].map(async (m) => (await call(t.app, "GET", `/v1/members/lease-${m}`, { key: s.adminKey })).json().balance as number));
    expect(balances.reduce((a, b) => a + b, 0)).toBe((30 * 31) / 2);
  });

  describe("the size limit", () => {
    let small: FastifyInstance;
    beforeAll(async () => {
      small = await buildApp({ services: t.services, operatorToken: OPERATOR_TOKEN, ping: async () => undefined, rateLimitPerSecond: 0, importMaxBytes: 1_000 });
    });
    afterAll(async () => small.close());

    it("answers 413 above the limit, from Content-Length or from the bytes sent, and keeps nothing of it", async () => {
      const big = csv("memberId,points", ...Array.from({ length: 200 }, (_, i) => `big-${i},1`));
      const declared = await upload(small, store.adminKey, "kind=balances", big);
      expect(declared.statusCode).toBe(413);
      expect(declared.json()).toMatchObject({ code: "body_too_large" });
      const streamed = await small.inject({
        method: "POST", url: "/v1/imports?kind=balances", headers: { "content-type": "text/csv", authorization: `Bearer ${store.adminKey}`, "transfer-encoding": "chunked" },
        payload: Readable.from((function* () {
          yield Buffer.from("memberId,points\n");
          for (let i = 0; i < 200; i++) yield Buffer.from(`big-${i},1\n`);
        })()),
      });
      expect(streamed.statusCode).toBe(413);
      expect((await upload(small, store.adminKey, "kind=balances", csv("memberId,points", "fits,1"))).statusCode).toBe(202);
    });
  });
});

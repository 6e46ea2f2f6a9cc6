import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectProblem, rawCall } from "../support/http.ts";

/** SPEC §4 "Limits and hostile input": each case is a request that once got a 500 or stalled. */
describe("hostile input", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
    const rule = await call(t.app, "POST", "/v1/earn-rules", {
      key: store.adminKey,
      body: { name: "Products listed", event: "products.listed", award: { type: "per_unit", points: 10, per: 50, field: "properties.count" } },
    });
    expect(rule.statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  const deepArrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  const member = (id: string) => call(t.app, "GET", `/v1/members/${id}`, { key: store.adminKey });

  it("refuses a 1 MB body of nested arrays without a key with 401, before reading it", async () => {
    const body = `{"events": ${deepArrays(500_000)}}`;
    const res = await rawCall(t.app, "POST", "/v1/events/batch", null, body);
    expectProblem(res, 401, "unauthorized");
  });

  it("refuses JSON nested deeper than 32 with 400, and accepts 32", async () => {
    const deep = await rawCall(t.app, "POST", "/v1/events", store.adminKey, `{"id":"d1","type":"x","memberId":"m","properties":{"a":${deepArrays(40)}}}`);
    const body = expectProblem(deep, 400, "invalid_json");
    expect(body.detail).toContain("32");
    // 31 levels of arrays inside the body's own object and properties: 33 in all is too deep, 32 is fine.
    const ok = await rawCall(t.app, "POST", "/v1/events", store.adminKey, `{"id":"d2","type":"x","memberId":"m","properties":{"a":${deepArrays(30)}}}`);
    expect(ok.statusCode).toBe(201);
    // Brackets inside strings do not count as nesting.
    const inString = await rawCall(t.app, "POST", "/v1/events", store.adminKey, JSON.stringify({ id: "d3", type: "x", memberId: "m", properties: { s: deepArrays(100) } }));
    expect(inString.statusCode).toBe(201);
  });

  it("refuses a per_unit count that is not a whole number up to 10^12 with 422 naming the field, recording nothing", async () => {
    for (const count of [1e20, -5, 2.5, "30", null]) {
      const res = await call(t.app, "POST", "/v1/events", { key: store.adminKey, body: { id: `big-${String(count)}`, type: "products.listed", memberId: "units-1", properties: { count } } });
      expectFieldErrors(res, ["properties.count"]);
      expect(res.json().code).toBe("validation_failed");
    }
    expectProblem(await member("units-1"), 404, "not_found");
    // The refused id was not used up: the corrected event is recorded.
    const fixed = await call(t.app, "POST", "/v1/events", { key: store.adminKey, body: { id: "big-1e+20", type: "products.listed", memberId: "units-1", properties: { count: 1e12 } } });
    expect(fixed.statusCode).toBe(201);
    expect(fixed.json().awards[0].points).toBe(200_000_000_000);
  });

  it("isolates a bad event in a batch: it gets its own 422, the others are recorded, and a retry records the fixed one", async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({ id: `batch-${i}`, type: "products.listed", memberId: `bm-${i % 5}`, properties: { count: 50 } }));
    events[7] = { ...events[7]!, properties: { count: 1e20 } };
    (events[9] as Record<string, unknown>).memberId = "\ud800";
    (events[11] as Record<string, unknown>).occurredAt = "0000-01-01T00:00:00Z";
    const res = await call(t.app, "POST", "/v1/events/batch", { key: store.adminKey, body: { events } });
    expect(res.statusCode).toBe(200);
    const results = res.json().results as Array<{ eventId: string | null; status: number; error?: { code: string; errors: Array<{ path: string }> } }>;
    expect(results.map((r) => r.status)).toEqual(events.map((_, i) => ([7, 9, 11].includes(i) ? 422 : 201)));
    expect(results[7]!.error!.errors[0]!.path).toBe("properties.count");
    expect(results[9]!.error!.errors[0]!.path).toBe("memberId");
    expect(results[11]!.error!.errors[0]!.path).toBe("occurredAt");
    const balances = await Promise.all([0, 1, 2, 3, 4].map(async (i) => (await member(`bm-${i}`)).json().balance as number));
    expect(balances.reduce((a, b) => a + b, 0)).toBe(47 * 10);
    events[7] = { ...events[7]!, properties: { count: 50 } };
    const retry = await call(t.app, "POST", "/v1/events/batch", { key: store.adminKey, body: { events: [events[6], events[7]] } });
    expect(retry.json().results.map((r: { status: number }) => r.status)).toEqual([200, 201]);
  });

  it("refuses a lone surrogate in any string with 422 naming the field", async () => {
    const res = await call(t.app, "POST", "/v1/members/s1/adjustments", { key: store.adminKey, body: { points: 5, reason: "\ud800" } });
    expectFieldErrors(res, ["reason"]);
    const inKey = await rawCall(t.app, "PUT", "/v1/members/s1", store.adminKey, '{"tags": ["ok"], "\\udc00": 1}');
    expect(inKey.statusCode).toBe(422);
    // A well-formed pair (an emoji) is fine.
    expect((await call(t.app, "POST", "/v1/members/s1/adjustments", { key: store.adminKey, body: { points: 5, reason: "thanks \ud83c\udf89" } })).statusCode).toBe(201);
  });

  it("refuses instants before 1970 or after 9999 with 422 naming the field", async () => {
    const order = await call(t.app, "PUT", "/v1/orders/o-zero", { key: store.adminKey, body: { memberId: "m", placedAt: "0000-01-01T00:00:00Z", lines: [] } });
    expectFieldErrors(order, ["placedAt"]);
    const event = await call(t.app, "POST", "/v1/events", { key: store.adminKey, body: { id: "old", type: "x", memberId: "m", occurredAt: "1969-12-31T23:59:59Z" } });
    expectFieldErrors(event, ["occurredAt"]);
  });

  it("refuses money and points over 10^12 with 422 naming the field, and never overflows on redemption", async () => {
    const huge = await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "cashback", name: "Huge", points: 1, amount: 1e20, channels: ["online"] } });
    expectFieldErrors(huge, ["amount"]);
    const line = await call(t.app, "PUT", "/v1/orders/o-huge", { key: store.adminKey, body: { memberId: "m", placedAt: "2026-01-10T00:00:00Z", lines: [{ sku: "a", quantity: 1, amount: 1e13 }] } });
    expectFieldErrors(line, ["lines.0.amount"]);

    // The largest allowed rate on the largest allowed cart: exact, no 500.
    const method = await call(t.app, "POST", "/v1/redeem-methods", { key: store.adminKey, body: { type: "cashback", name: "Rich", points: 1, amount: 1e12, channels: ["online"] } });
    expect(method.statusCode).toBe(201);
    await call(t.app, "POST", "/v1/members/rich/adjustments", { key: store.adminKey, body: { points: 1_000_000_000, reason: "funds" } });
    const cart = { lines: [{ sku: "a", quantity: 1, amount: 1e12 }, { sku: "b", quantity: 3, amount: 1e12 }, { sku: "c", quantity: 1, amount: 1e12 }], discounts: 5, credits: 3, shipping: 0 };
    const quote = await call(t.app, "POST", "/v1/checkout/quote", { key: store.adminKey, body: { memberId: "rich", methodId: method.json().id, ...cart } });
    expect(quote.statusCode).toBe(200);
    // Payable 3×10^12 − 8 on eligible lines; at 1 point = 10^12 minor units that is 2 whole points.
    expect(quote.json(), JSON.stringify(quote.json())).toMatchObject({ maxPoints: 2, maxDiscount: 2e12 });
    const hold = await call(t.app, "POST", "/v1/redemptions", { key: store.adminKey, body: { memberId: "rich", methodId: method.json().id, points: 2, orderId: "o-rich", cart } });
    expect(hold.statusCode).toBe(201);
    expect(hold.json().discount).toBe(2e12);
  });

  it("reads an empty JSON body as {}", async () => {
    const res = await rawCall(t.app, "POST", "/v1/members/e1/adjustments", store.adminKey, "");
    expectFieldErrors(res, ["points", "reason"]);
  });

  it("answers an oversized body with 413: 1 MB in general, 16 MB for batches", async () => {
    const twoMb = JSON.stringify({ events: Array.from({ length: 4 }, (_, i) => ({ id: `pad-${i}`, type: "x", memberId: "pad", properties: { pad: "x".repeat(512 * 1024) } })) });
    const batch = await rawCall(t.app, "POST", "/v1/events/batch", store.adminKey, twoMb);
    expect(batch.statusCode).toBe(200);
    const single = await rawCall(t.app, "POST", "/v1/events", store.adminKey, JSON.stringify({ id: "pad", type: "x", memberId: "pad", properties: { pad: "x".repeat(1024 * 1024) } }));
    expectProblem(single, 413, "body_too_large");
    const tooBig = await rawCall(t.app, "POST", "/v1/events/batch", store.adminKey, JSON.stringify({ events: [{ id: "p", type: "x", memberId: "p", properties: { pad: "x".repeat(16 * 1024 * 1024) } }] }));
    expectProblem(tooBig, 413, "body_too_large");
  });

  it("neutralises spreadsheet formulas in CSV exports, keeping negative numbers as numbers", async () => {
    await call(t.app, "PUT", "/v1/members/csv-1", { key: store.adminKey, body: { tags: ["=HYPERLINK(\"http://evil\")"] } });
    await call(t.app, "POST", "/v1/members/csv-1/adjustments", { key: store.adminKey, body: { points: 50, reason: "@SUM(A1:A9)" } });
    await call(t.app, "POST", "/v1/members/csv-1/adjustments", { key: store.adminKey, body: { points: -20, reason: "+1 correction" } });
    const members = await call(t.app, "GET", "/v1/exports/members.csv", { key: store.adminKey });
    expect(members.body).toContain("'=HYPERLINK");
    expect(members.body).not.toMatch(/[,\n]"?=HYPERLINK/);
    const ledger = (await call(t.app, "GET", "/v1/exports/ledger.csv", { key: store.adminKey })).body;
    expect(ledger).toContain("'@SUM(A1:A9)");
    expect(ledger).toContain("'+1 correction");
    expect(ledger).toMatch(/,-20,/);
  });
});

describe("key revocation", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("a revoked key gets 401 from then on; revocation is admin-only, audited, and scoped to the store", async () => {
    const store = await createTestStore(t.app);
    const other = await createTestStore(t.app);
    const viewer = await store.key("viewer");
    const created = await call(t.app, "POST", "/v1/keys", { key: store.adminKey, body: { name: "Storefront", role: "points_manager" } });
    const { id, key } = created.json() as { id: string; key: string };
    expect((await call(t.app, "GET", "/v1/program", { key })).statusCode).toBe(200);

    expectProblem(await call(t.app, "DELETE", `/v1/keys/${id}`, { key: viewer }), 403, "forbidden");
    expectProblem(await call(t.app, "DELETE", `/v1/keys/${id}`, { key: other.adminKey }), 404, "not_found");
    const revoked = await call(t.app, "DELETE", `/v1/keys/${id}`, { key: store.adminKey });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id, name: "Storefront", revokedAt: expect.any(String) });
    expectProblem(await call(t.app, "GET", "/v1/program", { key }), 401, "unauthorized");
    expectProblem(await call(t.app, "DELETE", `/v1/keys/${id}`, { key: store.adminKey }), 404, "not_found");
    const audit = await call(t.app, "GET", "/v1/audit-log", { key: store.adminKey });
    expect(audit.json().data[0]).toMatchObject({ action: "key.revoked", entityId: id });
    const list = await call(t.app, "GET", "/v1/keys", { key: store.adminKey });
    expect(list.json().data.find((k: { id: string }) => k.id === id).revokedAt).not.toBeNull();
  });
});

describe("rate limit", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(undefined, { rateLimitPerSecond: 5 });
  });
  afterAll(async () => t.close());

  it("answers a key past its limit with 429, Retry-After and a problem; other keys and health checks are not affected", async () => {
    const store = await createTestStore(t.app);
    const viewer = await store.key("viewer");
    const statuses: number[] = [];
    let limited = null;
    for (let i = 0; i < 8; i++) {
      const res = await call(t.app, "GET", "/v1/program", { key: viewer });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    const body = expectProblem(limited!, 429, "rate_limited");
    expect(Number(limited!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(body.detail).toContain("requests per second");
    expect((await call(t.app, "GET", "/healthz")).statusCode).toBe(200);
    const other = await store.key("points_manager").catch(() => null);
    // The admin key that makes the new key has its own allowance.
    expect(other).not.toBeNull();
  });
});

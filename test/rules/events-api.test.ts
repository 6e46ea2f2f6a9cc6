import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";

describe("POST /v1/events", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
  });
  afterAll(async () => t.close());

  const rule = (body: Record<string, unknown>) => call(t.app, "POST", "/v1/earn-rules", { key: store.adminKey, body });
  const event = (body: Record<string, unknown>) => call(t.app, "POST", "/v1/events", { key: store.adminKey, body });

  it("awards per_unit points as units accumulate, capped per month, and replays idempotently", async () => {
    const created = await rule({
      name: "List products", event: "products.listed",
      award: { type: "per_unit", points: 10, per: 50, field: "properties.count" },
      limits: { maxPoints: { month: 50 } },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ version: 1, name: "List products" });

    const first = await event({ id: "e1", type: "products.listed", memberId: "u1", properties: { count: 30 } });
    expect(first.statusCode).toBe(201);
    expect(first.json().awards).toEqual([]);
    const second = await event({ id: "e2", type: "products.listed", memberId: "u1", properties: { count: 30 } });
    expect(second.json().awards).toHaveLength(1);
    expect(second.json().awards[0]).toMatchObject({ points: 10, status: "available", explanation: { inputs: { unitsBefore: 30, unitsAfter: 60 } } });

    const big = await event({ id: "e3", type: "products.listed", memberId: "u1", properties: { count: 300 } });
    expect(big.json().awards[0]).toMatchObject({ points: 40, explanation: { raw: 60, caps: [{ cap: "month", limit: 50, used: 10, cut: 20 }] } });

    const replay = await event({ properties: { count: 300 }, memberId: "u1", type: "products.listed", id: "e3" });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(big.json());
    const conflict = await event({ id: "e3", type: "products.listed", memberId: "u1", properties: { count: 1 } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe("idempotency_conflict");
    // The same id dated differently is another event too.
    const dated = await event({ id: "e3", type: "products.listed", memberId: "u1", occurredAt: "2026-01-10T00:00:00Z", properties: { count: 300 } });
    expect(dated.statusCode).toBe(409);
    // Spelling out the default empty properties is the same event.
    await event({ id: "e4", type: "page.viewed", memberId: "u9", occurredAt: "2026-01-10T00:00:00Z", properties: {} });
    expect((await event({ id: "e4", type: "page.viewed", memberId: "u9", occurredAt: "2026-01-10T00:00:00.000Z" })).statusCode).toBe(200);

    const member = await call(t.app, "GET", "/v1/members/u1", { key: store.adminKey });
    expect(member.json().balance).toBe(50);
  });

  it("refuses events dated more than five minutes ahead of the store clock", async () => {
    const res = await event({ id: "future", type: "login", memberId: "u2", occurredAt: "2026-01-15T12:06:00Z" });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: "occurred_in_future", errors: [{ path: "occurredAt" }] });
  });

  it("names each bad path of an invalid rule", async () => {
    const res = await rule({ name: "", event: "login", award: { type: "per_amount", points: 1, per: 0 }, limits: { maxTimesPerDay: -1 } });
    expect(res.statusCode).toBe(422);
    const paths = res.json().errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(["name", "award.per", "limits.maxTimesPerDay"]));
  });

  it("processes a batch with per-event results", async () => {
    await rule({ name: "Daily login", event: "login", award: { type: "fixed", points: 5 }, limits: { maxTimesPerDay: 1 } });
    const res = await call(t.app, "POST", "/v1/events/batch", {
      key: store.adminKey,
      body: { events: [
        { id: "l1", type: "login", memberId: "u3", occurredAt: "2026-01-14T08:00:00Z" },
        { id: "l2", type: "login", memberId: "u3", occurredAt: "2026-01-14T20:00:00Z" },
        { id: "l3", type: "login", memberId: "u3", occurredAt: "2026-01-15T08:00:00Z" },
        { id: "l1", type: "login", memberId: "u3", occurredAt: "2026-01-14T08:00:00Z" },
        { id: "bad", type: "", memberId: "u3" },
      ] },
    });
    expect(res.statusCode).toBe(200);
    const results = res.json().results;
    expect(results.map((r: { status: number }) => r.status)).toEqual([201, 201, 201, 200, 422]);
    expect(results.map((r: { awards?: Array<{ points: number }> }) => r.awards?.reduce((s, a) => s + a.points, 0) ?? null)).toEqual([5, 0, 5, 5, null]);
    expect(results[4].error.errors[0].path).toBe("type");
  });
});

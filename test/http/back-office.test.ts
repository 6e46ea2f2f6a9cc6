import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { kindsUnderTest } from "../support/db.ts";

describe.each(kindsUnderTest())("back office reads on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t.close());

  it("GET /v1/session names the key's role and store", async () => {
    const store = await createTestStore(t.app, { name: "Tea House" });
    const viewer = await store.key("viewer");
    const res = await call(t.app, "GET", "/v1/session", { key: viewer });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ key: { role: "viewer" }, store: { id: store.id, name: "Tea House", currency: "USD", sandbox: true } });
  });

  it("GET /v1/members finds members by the start of id, email or phone, page by page", async () => {
    const store = await createTestStore(t.app);
    for (const [id, email, phone] of [["alice", "Alice@Example.com", "+15550001"], ["albert", "bert@example.com", null], ["bob", "bob@shop.test", "+15550002"], ["50%_off", null, null]]) {
      expect((await call(t.app, "PUT", `/v1/members/${encodeURIComponent(id!)}`, { key: store.adminKey, body: { email, phone } })).statusCode).toBe(200);
    }
    const ids = async (q: string, extra = "") => ((await call(t.app, "GET", `/v1/members?q=${encodeURIComponent(q)}${extra}`, { key: store.adminKey })).json() as { data: Array<{ memberId: string }> }).data.map((m) => m.memberId);
    expect(await ids("al")).toEqual(["albert", "alice"]);
    expect(await ids("alice@")).toEqual(["alice"]);
    expect(await ids("BOB@")).toEqual(["bob"]);
    expect(await ids("+1555")).toEqual(["alice", "bob"]);
    expect(await ids("50%")).toEqual(["50%_off"]);
    // % and _ are literal, not wildcards.
    expect(await ids("%")).toEqual([]);
    expect(await ids("")).toEqual(["50%_off", "albert", "alice", "bob"]);
    const first = (await call(t.app, "GET", "/v1/members?limit=2", { key: store.adminKey })).json() as { data: Array<{ memberId: string; balance: number }>; nextCursor: string };
    expect(first.data.map((m) => m.memberId)).toEqual(["50%_off", "albert"]);
    expect(await ids("", `&cursor=${first.nextCursor}`)).toEqual(["alice", "bob"]);
    const other = await createTestStore(t.app);
    expect(((await call(t.app, "GET", "/v1/members?q=al", { key: other.adminKey })).json() as { data: unknown[] }).data).toEqual([]);
  });

  it("GET /v1/dashboard aggregates per month in the store's time zone, with the money value of what is outstanding", async () => {
    // 2026-01-31 20:00 in UTC is already February 1st in Taipei.
    const store = await createTestStore(t.app, { timezone: "Asia/Taipei", clock: "2026-01-15T00:00:00Z" });
    const key = store.adminKey;
    const adjust = (member: string, points: number) => call(t.app, "POST", `/v1/members/${member}/adjustments`, { key, body: { points, reason: "test" } });
    expect((await adjust("m1", 1_000)).statusCode).toBe(201);
    await call(t.app, "POST", "/v1/clock/advance", { key, body: { to: "2026-01-31T20:00:00Z" } });
    expect((await adjust("m2", 500)).statusCode).toBe(201);
    expect((await adjust("m1", -200)).statusCode).toBe(201);
    const pack = (await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "catalog", name: "Pack", points: 300, grant: { sku: "credits", units: 1 } } })).json() as { id: string };
    expect((await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "m2", methodId: pack.id } })).statusCode).toBe(201);
    await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "cashback", name: "Cash", points: 100, amount: 100, channels: ["online"] } });

    const res = await call(t.app, "GET", "/v1/dashboard?months=3", { key: await store.key("viewer") });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d.members).toBe(2);
    expect(d.months.map((m: { month: string }) => m.month)).toEqual(["2025-12", "2026-01", "2026-02"]);
    expect(d.months[0]).toMatchObject({ issued: 0, outstanding: 0, liability: 0 });
    expect(d.months[1]).toMatchObject({ issued: 1_000, redeemed: 0, reversed: 0, outstanding: 1_000, liability: 1_000 });
    expect(d.months[2]).toMatchObject({ issued: 500, redeemed: 300, reversed: 200, outstanding: 1_000 });
    expect(d.thisMonth).toMatchObject({ month: "2026-02", issued: 500, redeemed: 300 });
    // 1 000 points at 100 points = $1.00.
    expect(d.outstanding).toEqual({ points: 1_000, value: { amount: 1_000, currency: "USD" } });
  });
});

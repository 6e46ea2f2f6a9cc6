import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../src/storage/verify.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectForbidden, expectProblem } from "../support/http.ts";

/** Tiers (SPEC §3 "Tiers") through the HTTP API, on the configured database. */

describe("tiers", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const api = (store: TestStore, method: string, url: string, body?: unknown) => call(t.app, method, url, { key: store.adminKey, body });
  const ok = async (res: Promise<LightMyRequestResponse>, status = 200) => {
    const r = await res;
    expect(r.statusCode, r.body).toBe(status);
    return r.json();
  };
  const tier = (store: TestStore, body: Record<string, unknown>) => ok(api(store, "POST", "/v1/tiers", body), 201);
  const rule = async (store: TestStore, body: Record<string, unknown>) => (await ok(api(store, "POST", "/v1/earn-rules", body), 201)).id as string;
  const event = (store: TestStore, body: Record<string, unknown>) => ok(api(store, "POST", "/v1/events", body), 201);
  const earned = (body: { awards: Array<{ points: number }> }) => body.awards.reduce((s, a) => s + a.points, 0);
  const tierOf = async (store: TestStore, memberId: string) => (await ok(api(store, "GET", `/v1/members/${memberId}`))).tier as string | null;
  const advance = (store: TestStore, to: string) => ok(api(store, "POST", "/v1/clock/advance", { to }));
  const tierChanges = async (store: TestStore, memberId?: string) =>
    (await t.db.query<{ member_id: string; occurred_at: Date; payload: { from: string | null; to: string | null; by: string } }>(
      `SELECT member_id, occurred_at, payload FROM outbox WHERE store_id = $1 AND topic = 'member.tier_changed' ${memberId ? "AND member_id = $2" : ""} ORDER BY created_at, id`,
      memberId ? [store.id, memberId] : [store.id],
    )).map((r) => ({ member: r.member_id, from: r.payload.from, to: r.payload.to, by: r.payload.by, at: r.occurred_at.toISOString() }));
  const keyId = async (store: TestStore) => {
    // The admin key's id is the actor of the tier definitions it created.
    const audit = (await ok(api(store, "GET", "/v1/audit-log?limit=100"))).data as Array<{ actor: string; action: string }>;
    const actor = audit.find((a) => a.action === "tier.created")!.actor;
    expect(actor).toMatch(/^key_/);
    return actor;
  };

  it("CRUD: create, list by rank, read, patch (code fixed), delete — validated and audited", async () => {
    const store = await createTestStore(t.app);
    const gold = { code: "gold", name: "Gold", rank: 2, multiplier: 1.5, qualification: { metric: "points_earned", threshold: 500, window: { type: "rolling", days: 365 } } };
    expect(await tier(store, gold)).toEqual(gold);
    expect(await tier(store, { code: "silver", name: "Silver", rank: 1 })).toEqual({ code: "silver", name: "Silver", rank: 1, multiplier: 1, qualification: null });
    expect(await tier(store, { code: "bronze", name: "Bronze", rank: 0, qualification: { metric: "points_earned", threshold: 1, window: { type: "calendar_year" } } }))
      .toMatchObject({ code: "bronze", qualification: { window: { type: "calendar_year" } } });

    const list = await ok(api(store, "GET", "/v1/tiers"));
    expect(list.data.map((x: { code: string }) => x.code)).toEqual(["bronze", "silver", "gold"]);
    expect(list.nextCursor).toBeNull();
    const viewer = await store.key("viewer");
    const read = await call(t.app, "GET", "/v1/tiers/gold", { key: viewer });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(gold);
    await expectForbidden(t.app, { method: "POST", url: "/v1/tiers", body: { code: "x", name: "X", rank: 9 } }, viewer, "admin");

    const patched = await ok(api(store, "PATCH", "/v1/tiers/gold", { name: "Gold+", multiplier: 2, code: "platinum" }));
    expect(patched).toEqual({ ...gold, name: "Gold+", multiplier: 2 });
    expect(await ok(api(store, "GET", "/v1/tiers/gold"))).toEqual({ ...gold, name: "Gold+", multiplier: 2 });
    expectProblem(await api(store, "GET", "/v1/tiers/platinum"), 404, "not_found");

    expectProblem(await api(store, "POST", "/v1/tiers", { code: "silver", name: "Again", rank: 5 }), 409, "conflict");
    expectFieldErrors(await api(store, "POST", "/v1/tiers", { code: "Bad Code", name: "", rank: -1, multiplier: 0 }), ["code", "name", "rank", "multiplier"]);
    expectFieldErrors(
      await api(store, "POST", "/v1/tiers", { code: "vip", name: "VIP", rank: 3, qualification: { metric: "money_spent", threshold: 0, window: { type: "rolling" } } }),
      ["qualification.metric", "qualification.threshold", "qualification.window"],
    );
    expectFieldErrors(await api(store, "PATCH", "/v1/tiers/gold", { rank: "high" }), ["rank"]);
    expectProblem(await api(store, "PATCH", "/v1/tiers/nope", { name: "x" }), 404, "not_found");

    expect((await api(store, "DELETE", "/v1/tiers/bronze")).statusCode).toBe(204);
    expectProblem(await api(store, "GET", "/v1/tiers/bronze"), 404, "not_found");
    expectProblem(await api(store, "DELETE", "/v1/tiers/bronze"), 404, "not_found");
    expect((await ok(api(store, "GET", "/v1/tiers"))).data.map((x: { code: string }) => x.code)).toEqual(["silver", "gold"]);

    const audit = ((await ok(api(store, "GET", "/v1/audit-log?limit=100"))).data as Array<Record<string, any>>).filter((a) => a.entityType === "tier");
    expect(audit.map((a) => [a.action, a.entityId])).toEqual([
      ["tier.deleted", "bronze"], ["tier.updated", "gold"], ["tier.created", "bronze"], ["tier.created", "silver"], ["tier.created", "gold"],
    ]);
    expect(audit[0]).toMatchObject({ before: { code: "bronze", rank: 0 }, after: null });
    expect(audit[1]).toMatchObject({ before: { name: "Gold", multiplier: 1.5 }, after: { name: "Gold+", multiplier: 2, code: "gold" } });
    expect(audit[4]).toMatchObject({ before: null, after: gold });
  });

  it("manual assignment via PUT /v1/members/{id} {tier} and POST /v1/tiers/{code}/members", async () => {
    const store = await createTestStore(t.app);
    await tier(store, { code: "silver", name: "Silver", rank: 1 });
    await tier(store, { code: "gold", name: "Gold", rank: 2 });
    const actor = await keyId(store);

    expect(await ok(api(store, "PUT", "/v1/members/m1", { tier: "silver" }))).toMatchObject({ memberId: "m1", tier: "silver" });
    expect(await tierOf(store, "m1")).toBe("silver");
    expect(await ok(api(store, "POST", "/v1/tiers/gold/members", { memberIds: ["m2", "m3", "m2"] }))).toEqual({ count: 2 });
    expect([await tierOf(store, "m2"), await tierOf(store, "m3")]).toEqual(["gold", "gold"]);
    expectProblem(await api(store, "POST", "/v1/tiers/nope/members", { memberIds: ["m1"] }), 404, "not_found");
    expect(await tierOf(store, "m1")).toBe("silver");
    expectFieldErrors(await api(store, "POST", "/v1/tiers/gold/members", { memberIds: [] }), ["memberIds"]);

    // Moving m1 up, then removing the manual tier.
    expect(await ok(api(store, "POST", "/v1/tiers/gold/members", { memberIds: ["m1"] }))).toEqual({ count: 1 });
    expect(await tierOf(store, "m1")).toBe("gold");
    expect(await ok(api(store, "PUT", "/v1/members/m1", { tier: null }))).toMatchObject({ tier: null });
    // Setting the same tier again changes nothing and sends nothing.
    await ok(api(store, "PUT", "/v1/members/m2", { tier: "gold", email: "m2@example.com" }));
    expect(await tierOf(store, "m2")).toBe("gold");

    expect(await tierChanges(store)).toEqual([
      { member: "m1", from: null, to: "silver", by: actor, at: "2026-01-15T12:00:00.000Z" },
      expect.objectContaining({ from: null, to: "gold", by: actor }),
      expect.objectContaining({ from: null, to: "gold", by: actor }),
      { member: "m1", from: "silver", to: "gold", by: actor, at: "2026-01-15T12:00:00.000Z" },
      { member: "m1", from: "gold", to: null, by: actor, at: "2026-01-15T12:00:00.000Z" },
    ]);
    expect((await tierChanges(store)).slice(1, 3).map((c) => c.member).sort()).toEqual(["m2", "m3"]);
  });

  it("automatic qualification by points earned over a rolling window, with the sandbox clock", async () => {
    const store = await createTestStore(t.app, { clock: "2026-01-15T12:00:00Z", timezone: "UTC" });
    await tier(store, { code: "silver", name: "Silver", rank: 1, qualification: { metric: "points_earned", threshold: 100, window: { type: "rolling", days: 30 } } });
    await rule(store, { name: "Purchase", event: "purchase.made", award: { type: "fixed", points: 60 } });
    let n = 0;
    const buy = async (memberId: string, occurredAt?: string) =>
      earned(await event(store, { id: `p${++n}`, type: "purchase.made", memberId, ...(occurredAt ? { occurredAt } : {}) }));

    // T0: 60 → no tier; 120 → silver.
    expect(await buy("r1")).toBe(60);
    expect(await tierOf(store, "r1")).toBeNull();
    expect(await buy("r1")).toBe(60);
    expect(await tierOf(store, "r1")).toBe("silver");

    // Points earned (backfilled) before the window do not count.
    expect(await buy("r2", "2025-12-01T12:00:00Z")).toBe(60);
    expect(await buy("r2")).toBe(60);
    expect(await tierOf(store, "r2")).toBeNull();
    expect(await buy("r2", "2025-12-20T12:00:00Z")).toBe(60);
    expect(await tierOf(store, "r2")).toBe("silver");

    // One second before the 30 days are over, the first two purchases still count: 180 → silver.
    await advance(store, "2026-02-14T11:59:59Z");
    expect(await buy("r1")).toBe(60);
    expect(await tierOf(store, "r1")).toBe("silver");
    // Just after, they are out; the third and fourth make 120 → still silver.
    await advance(store, "2026-02-14T12:00:01Z");
    expect(await buy("r1")).toBe(60);
    expect(await tierOf(store, "r1")).toBe("silver");
    // 31 days later only the newest purchase is in the window: 60 → no tier.
    await advance(store, "2026-03-17T12:00:02Z");
    expect(await buy("r1")).toBe(60);
    expect(await tierOf(store, "r1")).toBeNull();

    expect(await tierChanges(store, "r1")).toEqual([
      { member: "r1", from: null, to: "silver", by: "qualification", at: "2026-01-15T12:00:00.000Z" },
      { member: "r1", from: "silver", to: null, by: "qualification", at: "2026-03-17T12:00:02.000Z" },
    ]);
    // r2's backfilled purchases fall out of the window first; the daily re-check drops it with no new earning.
    expect(await tierChanges(store, "r2")).toEqual([
      { member: "r2", from: null, to: "silver", by: "qualification", at: "2026-01-15T12:00:00.000Z" },
      { member: "r2", from: "silver", to: null, by: "qualification", at: "2026-02-14T11:59:59.000Z" },
    ]);
    expect(await verifyLedger(t.db, store.id)).toEqual([]);
  });

  it("drops a qualified tier once the rolling window passes, without a new earning (daily re-check on clock advance)", async () => {
    const store = await createTestStore(t.app, { clock: "2026-01-15T12:00:00Z", timezone: "UTC" });
    await tier(store, { code: "silver", name: "Silver", rank: 1, qualification: { metric: "points_earned", threshold: 100, window: { type: "rolling", days: 30 } } });
    await rule(store, { name: "Purchase", event: "purchase.made", award: { type: "fixed", points: 100 } });
    await event(store, { id: "q1", type: "purchase.made", memberId: "d1" });
    expect(await tierOf(store, "d1")).toBe("silver");
    // Later the same day nothing is re-checked; the next store-local day the window still holds.
    await advance(store, "2026-02-13T12:00:00Z");
    expect(await tierOf(store, "d1")).toBe("silver");
    // Once the 30 days are over, the next day's re-check drops the tier with no event at all.
    await advance(store, "2026-02-15T00:00:01Z");
    expect(await tierOf(store, "d1")).toBeNull();
    expect(await tierChanges(store, "d1")).toEqual([
      { member: "d1", from: null, to: "silver", by: "qualification", at: "2026-01-15T12:00:00.000Z" },
      { member: "d1", from: "silver", to: null, by: "qualification", at: "2026-02-15T00:00:01.000Z" },
    ]);
  });

  it("qualifies by money spent on orders in the window, after refunds, canceled orders excluded", async () => {
    const store = await createTestStore(t.app, { clock: "2026-01-15T12:00:00Z", timezone: "UTC" });
    await tier(store, { code: "vip", name: "VIP", rank: 1, qualification: { metric: "amount_spent", threshold: 50_000, window: { type: "rolling", months: 12 } } });
    const order = (id: string, amount: number, extra: Record<string, unknown> = {}) =>
      ok(api(store, "PUT", `/v1/orders/${id}`, { memberId: "s1", lines: [{ sku: "a", quantity: 1, amount }], placedAt: "2026-01-15T11:00:00Z", ...extra }));
    await order("s-1", 30_000);
    expect(await tierOf(store, "s1")).toBeNull();
    await order("s-2", 25_000);
    expect(await tierOf(store, "s1")).toBe("vip");
    // A refund of 10 000 brings the total to 45 000: below the threshold again.
    await order("s-2", 25_000, { refunds: [{ id: "r1", amount: 10_000, at: "2026-01-15T11:30:00Z" }] });
    expect(await tierOf(store, "s1")).toBeNull();
    await order("s-3", 5_000);
    expect(await tierOf(store, "s1")).toBe("vip");
    await order("s-3", 5_000, { canceledAt: "2026-01-15T11:40:00Z" });
    expect(await tierOf(store, "s1")).toBeNull();
  });

  it("calendar-year qualification follows the store's time zone; a manual tier is a floor", async () => {
    // Asia/Tokyo is UTC+9: 2026-12-31T15:00Z is 2027-01-01 00:00 local.
    const store = await createTestStore(t.app, { clock: "2026-12-31T14:00:00Z", timezone: "Asia/Tokyo" });
    await tier(store, { code: "silver", name: "Silver", rank: 1 });
    await tier(store, { code: "gold", name: "Gold", rank: 2, qualification: { metric: "points_earned", threshold: 200, window: { type: "calendar_year" } } });
    await rule(store, { name: "Purchase", event: "purchase.made", award: { type: "fixed", points: 100 } });
    const actor = await keyId(store);
    let n = 0;
    const buy = async (memberId: string, occurredAt?: string) =>
      earned(await event(store, { id: `p${++n}`, type: "purchase.made", memberId, ...(occurredAt ? { occurredAt } : {}) }));

    // 2025-12-31 23:30 local is last year; 2026-01-01 00:30 local is this year.
    expect(await buy("y1", "2025-12-31T14:30:00Z")).toBe(100);
    expect(await buy("y1", "2025-12-31T15:30:00Z")).toBe(100);
    expect(await tierOf(store, "y1")).toBeNull();
    expect(await buy("y1")).toBe(100);
    expect(await tierOf(store, "y1")).toBe("gold");

    // A manual silver member qualifies for gold and rises above the floor.
    await ok(api(store, "PUT", "/v1/members/y2", { tier: "silver" }));
    expect(await buy("y2")).toBe(100);
    expect(await tierOf(store, "y2")).toBe("silver");
    expect(await buy("y2")).toBe(100);
    expect(await tierOf(store, "y2")).toBe("gold");

    // New local year: this year's points alone count.
    await advance(store, "2026-12-31T15:00:00Z");
    expect(await buy("y1")).toBe(100);
    expect(await tierOf(store, "y1")).toBeNull();
    expect(await buy("y2")).toBe(100);
    expect(await tierOf(store, "y2")).toBe("silver");
    expect(await buy("y2")).toBe(100);
    expect(await tierOf(store, "y2")).toBe("gold");

    expect(await tierChanges(store, "y1")).toEqual([
      { member: "y1", from: null, to: "gold", by: "qualification", at: "2026-12-31T14:00:00.000Z" },
      { member: "y1", from: "gold", to: null, by: "qualification", at: "2026-12-31T15:00:00.000Z" },
    ]);
    expect(await tierChanges(store, "y2")).toEqual([
      { member: "y2", from: null, to: "silver", by: actor, at: "2026-12-31T14:00:00.000Z" },
      { member: "y2", from: "silver", to: "gold", by: "qualification", at: "2026-12-31T14:00:00.000Z" },
      { member: "y2", from: "gold", to: "silver", by: "qualification", at: "2026-12-31T15:00:00.000Z" },
      { member: "y2", from: "silver", to: "gold", by: "qualification", at: "2026-12-31T15:00:00.000Z" },
    ]);
  });

  it("a manual tier above what the member qualifies for stays", async () => {
    const store = await createTestStore(t.app);
    await tier(store, { code: "silver", name: "Silver", rank: 1, qualification: { metric: "points_earned", threshold: 50, window: { type: "rolling", months: 12 } } });
    await tier(store, { code: "gold", name: "Gold", rank: 2 });
    await rule(store, { name: "Purchase", event: "purchase.made", award: { type: "fixed", points: 60 } });
    await ok(api(store, "POST", "/v1/tiers/gold/members", { memberIds: ["vip"] }));
    expect(earned(await event(store, { id: "v1", type: "purchase.made", memberId: "vip" }))).toBe(60);
    expect(await tierOf(store, "vip")).toBe("gold");
    expect(earned(await event(store, { id: "v2", type: "purchase.made", memberId: "plain" }))).toBe(60);
    expect(await tierOf(store, "plain")).toBe("silver");
    // Removing the manual tier leaves what the member qualifies for.
    await ok(api(store, "PUT", "/v1/members/vip", { tier: null }));
    expect(await tierOf(store, "vip")).toBe("silver");
    expect((await tierChanges(store, "vip")).map((c) => [c.from, c.to])).toEqual([[null, "gold"], ["gold", "silver"]]);
  });

  it("the tier multiplier applies to awards, and rule audiences filter by tier", async () => {
    const store = await createTestStore(t.app);
    await tier(store, { code: "silver", name: "Silver", rank: 1 });
    await tier(store, { code: "gold", name: "Gold", rank: 2, multiplier: 1.5 });
    await tier(store, { code: "platinum", name: "Platinum", rank: 3, multiplier: 1.15 });
    const purchase = await rule(store, { name: "Purchase", event: "purchase.made", award: { type: "fixed", points: 15 } });
    const vip = await rule(store, { name: "VIP bonus", event: "vip.bonus", audience: { tiers: ["gold", "platinum"] }, award: { type: "fixed", points: 100 } });
    await ok(api(store, "POST", "/v1/tiers/gold/members", { memberIds: ["g"] }));
    await ok(api(store, "POST", "/v1/tiers/platinum/members", { memberIds: ["p"] }));
    await ok(api(store, "PUT", "/v1/members/s", { tier: "silver" }));
    let n = 0;
    const send = (type: string, memberId: string) => event(store, { id: `e${++n}`, type, memberId });

    const g = await send("purchase.made", "g");
    expect(g.awards).toMatchObject([{ ruleId: purchase, points: 22, explanation: { raw: 15, multipliers: [{ source: "tier gold", factor: 1.5 }], multiplied: 22, points: 22 } }]);
    expect(earned(await send("purchase.made", "p"))).toBe(17);
    const s = await send("purchase.made", "s");
    expect(s.awards).toMatchObject([{ points: 15 }]);
    expect(s.awards[0].explanation).not.toHaveProperty("multipliers");
    expect(earned(await send("purchase.made", "none"))).toBe(15);

    expect(earned(await send("vip.bonus", "g"))).toBe(150);
    expect(earned(await send("vip.bonus", "p"))).toBe(115);
    for (const memberId of ["s", "none"]) {
      const refused = await send("vip.bonus", memberId);
      expect(refused).toMatchObject({ awards: [], skipped: [{ ruleId: vip, reason: "member's tier is not in the rule's audience" }] });
    }

    // A changed multiplier applies to later awards.
    await ok(api(store, "PATCH", "/v1/tiers/gold", { multiplier: 2 }));
    expect(earned(await send("purchase.made", "g"))).toBe(30);
    expect((await ok(api(store, "GET", "/v1/members/g"))).balance).toBe(22 + 150 + 30);
    expect(await verifyLedger(t.db, store.id)).toEqual([]);
  });
});

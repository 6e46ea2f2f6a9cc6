/**
 * Outgoing events (SPEC §3) through GET /v1/event-feed: one `member.points_changed` for every ledger
 * entry that moved a member's balance, pending or held points — adjustments, bulk adds, pending
 * awards and their maturing, holds, releases, captures, reversals and expiry — with the figures
 * after it, in the order they happened; paging that never skips; filters; roles and stores.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outgoingData, type OutgoingType } from "../../src/core/outgoing/events.ts";
import { awardPoints, reversePoints } from "../../src/services/awards.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors, expectProblem } from "../support/http.ts";
import { feedSettled } from "../support/feed.ts";

interface FeedEvent { id: string; type: OutgoingType; storeId: string; memberId: string | null; occurredAt: string; data: Record<string, unknown> }
interface ActivityEntry { id: string; type: string; points: number; balanceAfter: number }

describe("GET /v1/event-feed", () => {
  let t: TestApp;
  let store: TestStore;
  const feedAll = async (query = "", key = store.adminKey): Promise<FeedEvent[]> => {
    await feedSettled(t.db, store.id);
    const out: FeedEvent[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await call(t.app, "GET", `/v1/event-feed?limit=3${query}${after ? `&after=${after}` : ""}`, { key });
      expect(res.statusCode).toBe(200);
      const page = res.json() as { data: FeedEvent[]; nextCursor: string | null };
      out.push(...page.data);
      if (!page.nextCursor) return out;
      after = page.nextCursor;
    }
  };
  const activity = async (memberId: string): Promise<ActivityEntry[]> =>
    ((await call(t.app, "GET", `/v1/members/${memberId}/activity?limit=100`, { key: store.adminKey })).json().data as ActivityEntry[]).reverse();

  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
    const key = store.adminKey;
    const system = { id: "system", role: "system" as const };
    expect((await call(t.app, "PATCH", "/v1/program", { key, body: { validity: { type: "rolling", days: 10 } } })).statusCode).toBe(200);
    await call(t.app, "POST", "/v1/members/a/adjustments", { key, body: { points: 100, reason: "welcome" } });
    await call(t.app, "POST", "/v1/members/a/adjustments", { key, body: { points: -30, reason: "correction" } });
    await call(t.app, "POST", "/v1/adjustments/bulk", { key, body: { memberIds: ["a", "b"], points: 50, reason: "apology" } });
    // A pending award (an order's, three days), then a reversal taking more than is spendable.
    await t.services.tx.run((repos) => awardPoints(repos, t.services, store.id, {
      memberId: "b", points: 40, earnedAt: new Date("2026-01-15T12:00:00Z"), availableAt: new Date("2026-01-18T12:00:00Z"),
      validity: { type: "never" }, source: { type: "order", ref: "o-1" },
    }, system));
    await t.services.tx.run((repos) => reversePoints(repos, t.services, store.id, { memberId: "a", points: 20, reason: "refund", source: { type: "order", ref: "o-0" } }, system));
    // A cashback hold that is released, one that is captured.
    const method = (await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "cashback", name: "Pay with points", points: 10, amount: 100 } })).json();
    expect(method.id, JSON.stringify(method)).toMatch(/^rm_/);
    const cart = { lines: [{ sku: "x", quantity: 1, amount: 10_000 }] };
    const h1 = (await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "a", methodId: method.id, points: 20, orderId: "o-2", cart } })).json();
    expect(h1.status, JSON.stringify(h1)).toBe("held");
    await call(t.app, "POST", `/v1/redemptions/${h1.id}/release`, { key });
    const h2 = (await call(t.app, "POST", "/v1/redemptions", { key, body: { memberId: "a", methodId: method.id, points: 30, orderId: "o-3", cart } })).json();
    await call(t.app, "POST", `/v1/redemptions/${h2.id}/capture`, { key });
    // Three days on the pending award matures; ten days on the adjusted points expire.
    await call(t.app, "POST", "/v1/clock/advance", { key, body: { to: "2026-01-18T12:00:00Z" } });
    await call(t.app, "POST", "/v1/clock/advance", { key, body: { to: "2026-02-01T12:00:00Z" } });
  });
  afterAll(async () => t.close());

  it("announces every entry that moved points, once, with the member's figures after it, in order", async () => {
    const events = await feedAll("&type=member.points_changed");
    for (const memberId of ["a", "b"]) {
      const entries = (await activity(memberId)).filter((e) => e.type !== "write_off");
      const mine = events.filter((e) => e.memberId === memberId);
      expect(mine.map((e) => [e.data.entryId, e.data.entryType, e.data.points, e.data.balance])).toEqual(entries.map((e) => [e.id, e.type, e.points, e.balanceAfter]));
    }
    const types = new Set(events.map((e) => e.data.entryType));
    for (const type of ["adjust", "pending", "mature", "reverse", "hold", "release", "capture", "expire"]) expect(types, type).toContain(type);
    const hold = events.find((e) => e.data.entryType === "hold")!;
    expect(hold.data).toMatchObject({ points: -20, held: 20 });
    const pending = events.find((e) => e.data.entryType === "pending")!;
    expect(pending.data).toMatchObject({ points: 40, pending: 40, source: { type: "order", ref: "o-1" } });
  });

  it("every event has its type's exact shape, the store's id, and an instant", async () => {
    const events = await feedAll();
    expect(events.length).toBeGreaterThan(10);
    for (const e of events) {
      expect(e.id).toMatch(/^evt_/);
      expect(e.storeId).toBe(store.id);
      expect(Number.isNaN(Date.parse(e.occurredAt))).toBe(false);
      expect(() => outgoingData[e.type].parse(e.data), `${e.type} ${JSON.stringify(e.data)}`).not.toThrow();
    }
    const kinds = new Set(events.map((e) => e.type));
    for (const type of ["member.points_changed", "redemption.held", "redemption.released", "redemption.completed"]) expect(kinds, type).toContain(type);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it("pages oldest first without repeats, and filters by type and member", async () => {
    const all = await feedAll();
    const first = (await call(t.app, "GET", "/v1/event-feed?limit=500", { key: store.adminKey })).json();
    expect(first.data.map((e: FeedEvent) => e.id)).toEqual(all.map((e) => e.id));
    expect(first.nextCursor).toBeNull();
    const forB = await feedAll("&memberId=b");
    expect(forB.length).toBeGreaterThan(0);
    expect(forB.every((e) => e.memberId === "b")).toBe(true);
    const redemptions = await feedAll("&type=redemption.held");
    expect(redemptions.map((e) => e.data.points)).toEqual([20, 30]);
  });

  it("a viewer may read it; another store sees none of it; bad queries name the field", async () => {
    const viewer = await store.key("viewer");
    expect((await call(t.app, "GET", "/v1/event-feed", { key: viewer })).statusCode).toBe(200);
    const other = await createTestStore(t.app);
    expect((await call(t.app, "GET", "/v1/event-feed", { key: other.adminKey })).json()).toEqual({ data: [], nextCursor: null });
    expectFieldErrors(await call(t.app, "GET", "/v1/event-feed?type=member.nope", { key: viewer }), ["type"]);
    expectFieldErrors(await call(t.app, "GET", "/v1/event-feed?after=abc", { key: viewer }), ["after"]);
    expectFieldErrors(await call(t.app, "GET", "/v1/event-feed?limit=0", { key: viewer }), ["limit"]);
    expectProblem(await call(t.app, "GET", "/v1/event-feed"), 401, "unauthorized");
  });
});

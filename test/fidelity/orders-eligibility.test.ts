import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors } from "../support/http.ts";

/**
 * SPEC §3 Orders: eligibility (isMember, tier, audience) is fixed when Pointbook first records the
 * order; a member first seen on an order is a registered member unless the order says `guest`.
 */
describe("order eligibility is fixed when the order is first recorded", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const PLACED = "2026-03-01T10:00:00Z";
  const ZERO = { earned: 0, pending: 0, reversed: 0, redeemed: 0 };

  /** $1 = 1 point once the order is delivered, for the audience given (default: members). */
  const deliveredRule = (over: Record<string, unknown> = {}) => ({
    name: "Points on delivery", event: "order", award: { type: "per_amount", points: 1, per: 100 }, timing: { awardOn: "delivered" }, ...over,
  });
  const order = (memberId: string | null, over: Record<string, unknown> = {}) => ({
    memberId, lines: [{ sku: "tee", quantity: 1, amount: 8_000 }], placedAt: PLACED, paidAt: "2026-03-01T10:05:00Z", ...over,
  });
  const delivered = { deliveredAt: "2026-03-03T10:00:00Z" };

  async function setup(rules: Array<Record<string, unknown>> = [deliveredRule()]) {
    const store = await createTestStore(t.app, { clock: "2026-03-05T00:00:00Z" });
    const api = (method: string, url: string, body?: unknown) => call(t.app, method, url, { key: store.adminKey, body });
    for (const rule of rules) expect((await api("POST", "/v1/earn-rules", rule)).statusCode).toBe(201);
    const put = async (id: string, body: unknown) => {
      const res = await api("PUT", `/v1/orders/${id}`, body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const member = async (id: string) => (await api("GET", `/v1/members/${id}`)).json();
    const setMember = async (id: string, body: Record<string, unknown>) => expect((await api("PUT", `/v1/members/${id}`, body)).statusCode).toBe(200);
    return { store, api, put, member, setMember };
  }

  it("a guest made a member after placing the order earns nothing for it, and earns for the next one", async () => {
    const s = await setup();
    await s.setMember("neo", { isMember: false });
    expect((await s.put("o-1", order("neo"))).eligibility).toEqual({ isMember: false, tier: null, guest: false });
    // Registers between checkout and delivery.
    await s.setMember("neo", { isMember: true });
    const done = await s.put("o-1", order("neo", delivered));
    expect(done.points).toEqual(ZERO);
    expect(done.eligibility).toMatchObject({ isMember: false });
    expect(await s.member("neo")).toMatchObject({ isMember: true, balance: 0 });
    // The award moment passing again (an edit) still finds the order a non-member's.
    expect((await s.put("o-1", order("neo", { ...delivered, lines: [{ sku: "tee", quantity: 2, amount: 16_000 }] }))).points).toEqual(ZERO);
    // An order placed after registering earns.
    expect((await s.put("o-2", order("neo", { placedAt: "2026-03-02T10:00:00Z", ...delivered }))).points.earned).toBe(80);
    expect(await s.member("neo")).toMatchObject({ balance: 80 });
  });

  it("a member who stops being one after placing the order still earns for it", async () => {
    const s = await setup();
    await s.setMember("amy", { isMember: true });
    await s.put("a-1", order("amy"));
    await s.setMember("amy", { isMember: false });
    const done = await s.put("a-1", order("amy", delivered));
    expect(done.points.earned).toBe(80);
    expect(done.eligibility).toEqual({ isMember: true, tier: null, guest: false });
    // Orders placed since are a non-member's.
    expect((await s.put("a-2", order("amy", { placedAt: "2026-03-02T10:00:00Z", ...delivered }))).points).toEqual(ZERO);
    expect(await s.member("amy")).toMatchObject({ isMember: false, balance: 80 });
  });

  it("a member never seen before is created as a member, or as a non-member when the order says guest", async () => {
    const s = await setup();
    const regular = await s.put("n-1", order("new-member", delivered));
    expect(regular.points.earned).toBe(80);
    expect(await s.member("new-member")).toMatchObject({ isMember: true, balance: 80 });

    const guest = await s.put("g-1", order("new-guest", { ...delivered, guest: true }));
    expect(guest.points).toEqual(ZERO);
    expect(guest).toMatchObject({ guest: true, eligibility: { isMember: false, tier: null, guest: true } });
    expect(await s.member("new-guest")).toMatchObject({ isMember: false, balance: 0 });
    expect((await s.api("GET", "/v1/members/new-guest/activity")).json().data).toEqual([]);
  });

  it("a guest checkout by a registered member earns nothing and leaves the member a member", async () => {
    const s = await setup();
    await s.setMember("amy", { isMember: true });
    expect((await s.put("g-2", order("amy", { ...delivered, guest: true }))).points).toEqual(ZERO);
    expect(await s.member("amy")).toMatchObject({ isMember: true, balance: 0 });
    // Signed in the next time, the same member earns.
    expect((await s.put("m-2", order("amy", delivered))).points.earned).toBe(80);
  });

  it("a guest checkout counts as a non-member's order: rules open to non-members still apply", async () => {
    const s = await setup([deliveredRule(), deliveredRule({ name: "Everyone, 1 per $2", award: { type: "per_amount", points: 1, per: 200 }, audience: { members: true, nonMembers: true } })]);
    await s.setMember("amy", { isMember: true });
    const guest = await s.put("g-3", order("amy", { ...delivered, guest: true }));
    expect(guest.points.earned).toBe(40);
    expect(guest.awards).toHaveLength(1);
    expect((await s.put("m-3", order("amy", delivered))).points.earned).toBe(120);
  });

  it("the tier is the one the member had when the order was first recorded", async () => {
    const s = await setup([deliveredRule({ name: "Gold bonus", audience: { tiers: ["gold"] } })]);
    for (const [code, rank] of [["silver", 1], ["gold", 2]] as const) {
      expect((await s.api("POST", "/v1/tiers", { code, name: code, rank })).statusCode).toBe(201);
    }
    await s.setMember("sam", { tier: "silver" });
    await s.put("s-1", order("sam"));
    await s.setMember("sam", { tier: "gold" });
    const done = await s.put("s-1", order("sam", delivered));
    expect(done.points).toEqual(ZERO);
    expect(done.eligibility).toMatchObject({ tier: "silver" });
    expect((await s.put("s-2", order("sam", { placedAt: "2026-03-02T10:00:00Z", ...delivered }))).points.earned).toBe(80);
  });

  it("an order that moves to another member takes that member's eligibility as it is then", async () => {
    const s = await setup();
    await s.setMember("neo", { isMember: false });
    await s.put("x-1", order("wrong", {}));
    const moved = await s.put("x-1", order("neo", delivered));
    expect(moved.points).toEqual(ZERO);
    expect(moved.eligibility).toMatchObject({ isMember: false });
    expect(await s.member("wrong")).toMatchObject({ balance: 0 });
  });

  it("guest must be a boolean", async () => {
    const s = await setup();
    expectFieldErrors(await s.api("PUT", "/v1/orders/bad", order("amy", { guest: "yes" })), ["guest"]);
  });
});

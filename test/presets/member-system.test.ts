import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectFieldErrors, expectProblem } from "../support/http.ts";
import { applyPreset, loadPreset } from "../support/presets.ts";

/**
 * The e-commerce "Member System" scheme (seeds/001), replayed through the public API on sandbox
 * stores in America/New_York (USD). Each test gets its own store with the preset applied, so the
 * store clock and the members' ledgers of one scenario never leak into another.
 */
describe("preset member-system", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** Monday 2026-03-02 10:00 in New York (EST, UTC−5; DST starts 2026-03-08). */
  const T0 = "2026-03-02T15:00:00Z";

  async function setup(clock = T0) {
    const store = await createTestStore(t.app, { timezone: "America/New_York", currency: "USD", clock });
    const key = store.adminKey;
    await applyPreset(t.app, key, "member-system");
    const get = (url: string) => call(t.app, "GET", url, { key });
    const put = (url: string, body: unknown) => call(t.app, "PUT", url, { key, body });
    const post = (url: string, body?: unknown) => call(t.app, "POST", url, { key, body });
    const patch = (url: string, body: unknown) => call(t.app, "PATCH", url, { key, body });
    const rules = new Map<string, string>(((await get("/v1/earn-rules?limit=100")).json().data as Array<{ id: string; name: string }>).map((r) => [r.name, r.id]));
    const methods = new Map<string, string>(((await get("/v1/redeem-methods?limit=100")).json().data as Array<{ id: string; name: string }>).map((m) => [m.name, m.id]));
    let n = 0;
    /** Posts an event and returns the points it earned (and the raw body). */
    const event = async (memberId: string, type: string, properties: Record<string, unknown> = {}, occurredAt?: string, channel?: string) => {
      const res = await post("/v1/events", { id: `ev-${++n}`, type, memberId, properties, ...(occurredAt ? { occurredAt } : {}), ...(channel ? { channel } : {}) });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json() as { awards: Array<{ points: number; expiresAt: string | null; ruleId: string }>; skipped?: Array<{ ruleId: string; reason: string }> };
      return { points: body.awards.reduce((s, a) => s + a.points, 0), body };
    };
    const order = async (id: string, body: Record<string, unknown>) => {
      const res = await put(`/v1/orders/${id}`, body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { points: { earned: number; pending: number; reversed: number; redeemed: number }; awards: Array<Record<string, any>> };
    };
    const member = async (id: string) => (await get(`/v1/members/${id}`)).json();
    const advance = async (to: string) => {
      const res = await post("/v1/clock/advance", { to });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { now: string; ran: { matured: number; released: number; expired: number; reminded: number } };
    };
    const redeem = (body: Record<string, unknown>) => post("/v1/redemptions", body);
    return { store, key, get, put, post, patch, rules, methods, event, order, member, advance, redeem };
  }

  const tee = (amount: number) => ({ sku: "tee", quantity: 1, amount });
  const giftCard = (amount: number) => ({ sku: "gift-card", quantity: 1, amount, giftCard: true });

  it("applies as one document: two levels, an earn rule per method and channel, online and POS cashback; applying it again changes nothing", async () => {
    const s = await setup();
    const exported = (await s.get("/v1/program/export")).json();
    expect(exported.settings).toMatchObject({
      enabled: true,
      pointsName: { en: "Shop Points", "zh-TW": "購物點數", "zh-CN": "购物积分" },
      validity: { type: "rolling", months: 12 },
      holdTtlMinutes: 60,
    });
    expect(exported.tiers.map((x: { code: string }) => x.code)).toEqual(["silver", "gold"]);
    expect(exported.earnRules.map((r: { name: string }) => r.name).sort()).toEqual([
      "Customer's birthday", "Daily attendance", "Email subscription", "Enter birthday", "Enter phone number",
      "Follow us on Facebook", "Follow us on Instagram", "Login success", "Product reviews", "Share to Facebook",
      "Successful orders (POS)", "Successful orders (online)", "Successful orders (online, Gold level)",
      "Successful orders (online, non-members)", "Successful registration",
    ]);
    expect(exported.redeemMethods.map((m: { name: string; channels: string[] }) => [m.name, m.channels])).toEqual([
      ["Cashback (online)", ["online"]], ["Cashback (POS)", ["pos"]],
    ]);
    const again = await call(t.app, "PUT", "/v1/program/import?dryRun=true", { key: s.key, body: loadPreset("member-system") });
    expect(again.statusCode).toBe(200);
    expect(again.json().diff).toEqual({
      settings: [],
      tiers: { added: [], changed: [], removed: [], unchanged: 2 },
      earnRules: { added: [], changed: [], removed: [], unchanged: 15 },
      redeemMethods: { added: [], changed: [], removed: [], unchanged: 2 },
    });
  });

  it("the eleven activity methods, each with its once or daily limit (store-local days)", async () => {
    const s = await setup();
    await s.put("/v1/members/amy", { email: "amy@example.com", isMember: true });
    const sunday = "2026-03-01T20:00:00Z"; // Sunday 15:00 in New York
    const earned: number[] = [];
    const expectPoints = async (points: number, ...args: Parameters<typeof s.event>) => {
      const { points: got, body } = await s.event(...args);
      expect(got, JSON.stringify(body)).toBe(points);
      earned.push(got);
      return body;
    };

    // Successful registration: 100, once.
    const registered = await expectPoints(100, "amy", "account.registered");
    expect(registered.awards[0]).toMatchObject({ points: 100, status: "available", expiresAt: "2027-03-02T15:00:00.000Z" });
    const again = await expectPoints(0, "amy", "account.registered");
    expect(again.skipped).toEqual([{ ruleId: s.rules.get("Successful registration"), reason: "already rewarded once" }]);
    // Enter phone number, email subscription, enter birthday: 20 each, once.
    for (const type of ["phone.entered", "email.subscribed", "birthday.entered"]) {
      await expectPoints(20, "amy", type);
      await expectPoints(0, "amy", type);
    }
    // Customer's birthday: 200 once a year, valid 60 days (2026-05-01 10:00 EDT).
    const birthday = await expectPoints(200, "amy", "birthday", { year: 2026 });
    expect(birthday.awards[0]!.expiresAt).toBe("2026-05-01T14:00:00.000Z");
    await expectPoints(0, "amy", "birthday", { year: 2026 });
    // Product reviews: 10 each, once per product, at most 3 a day.
    for (const productId of ["p1", "p2", "p3"]) await expectPoints(10, "amy", "review.posted", { productId }, sunday);
    await expectPoints(0, "amy", "review.posted", { productId: "p1" }, T0);
    const fourth = await expectPoints(0, "amy", "review.posted", { productId: "p4" }, sunday);
    expect(fourth.skipped![0]!.reason).toBe("already rewarded 3 time(s) today");
    await expectPoints(10, "amy", "review.posted", { productId: "p4" }, T0);
    // Login success: 5 once a day; the day turns at midnight in New York, not UTC.
    await expectPoints(5, "amy", "login", {}, "2026-03-02T04:59:59Z"); // Sunday 23:59:59 local
    await expectPoints(5, "amy", "login", {}, "2026-03-02T05:00:00Z"); // Monday 00:00 local
    const secondLogin = await expectPoints(0, "amy", "login", {}, T0);
    expect(secondLogin.skipped![0]!.reason).toBe("already rewarded 1 time(s) today");
    // Daily attendance: 2 once a day.
    await expectPoints(2, "amy", "attendance.checked_in", {}, sunday);
    await expectPoints(0, "amy", "attendance.checked_in", {}, "2026-03-02T04:00:00Z");
    await expectPoints(2, "amy", "attendance.checked_in", {}, T0);
    // Share to Facebook: 10 once a day; other networks earn nothing.
    await expectPoints(10, "amy", "social.shared", { network: "facebook" }, sunday);
    await expectPoints(0, "amy", "social.shared", { network: "facebook" }, sunday);
    const twitter = await expectPoints(0, "amy", "social.shared", { network: "twitter" }, T0);
    expect(twitter.skipped).toEqual([{ ruleId: s.rules.get("Share to Facebook"), reason: "conditions not met" }]);
    await expectPoints(10, "amy", "social.shared", { network: "facebook" }, T0);
    // Follow us on Facebook / Instagram: 50 each, once.
    await expectPoints(50, "amy", "social.followed", { network: "facebook" });
    await expectPoints(0, "amy", "social.followed", { network: "facebook" });
    await expectPoints(50, "amy", "social.followed", { network: "instagram" });
    await expectPoints(0, "amy", "social.followed", { network: "instagram" });
    await expectPoints(0, "amy", "social.followed", { network: "tiktok" });

    const total = 100 + 3 * 20 + 200 + 4 * 10 + 2 * 5 + 2 * 2 + 2 * 10 + 2 * 50;
    expect(earned.reduce((a, b) => a + b, 0)).toBe(total);
    expect(await s.member("amy")).toMatchObject({ balance: total, pending: 0 });

    // The next year's birthday earns again.
    await s.advance("2027-02-20T15:00:00Z");
    await expectPoints(200, "amy", "birthday", { year: 2027 });
  });

  it("successful online orders: $1 = 1 point once paid, orders below $10 earn nothing, gift cards excluded", async () => {
    const s = await setup();
    await s.put("/v1/members/ben", { isMember: true });
    const placed = { memberId: "ben", channel: "online", shipping: 800, placedAt: "2026-03-02T14:00:00Z" };
    // Placed, not yet paid: nothing yet.
    const o1 = { ...placed, lines: [{ sku: "tee", quantity: 2, amount: 4_599 }, giftCard(2_500)] };
    expect((await s.order("o-1", o1)).points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
    // Paid: $45.99 of tees → 45 points; the $25 gift card and the shipping do not count.
    const paid = await s.order("o-1", { ...o1, paidAt: "2026-03-02T14:05:00Z" });
    expect(paid.points).toEqual({ earned: 45, pending: 0, reversed: 0, redeemed: 0 });
    expect(paid.awards).toHaveLength(1);
    expect(paid.awards[0]).toMatchObject({
      ruleId: s.rules.get("Successful orders (online)"), points: 45, status: "available",
      earnedAt: "2026-03-02T14:05:00.000Z", expiresAt: "2027-03-02T14:05:00.000Z",
      explanation: { base: 4_599, inputs: { subtotal: 4_599, excludedLines: ["gift-card"], baseKind: "subtotal" } },
    });
    // Exactly the minimum ($10.00) earns; a cent below earns nothing.
    expect((await s.order("o-2", { ...placed, lines: [tee(1_000)], paidAt: "2026-03-02T14:10:00Z" })).points.earned).toBe(10);
    const below = await s.order("o-3", { ...placed, lines: [tee(999)], paidAt: "2026-03-02T14:10:00Z" });
    expect(below.points.earned).toBe(0);
    expect(below.awards).toEqual([]);
    // A gift card does not lift an order over the minimum: $9 of goods + $50 gift card → nothing.
    expect((await s.order("o-4", { ...placed, lines: [tee(900), giftCard(5_000)], paidAt: "2026-03-02T14:10:00Z" })).points.earned).toBe(0);
    expect(await s.member("ben")).toMatchObject({ balance: 55 });
  });

  it("POS has its own configuration: 1 point per $2 as soon as the sale is placed, no minimum", async () => {
    const s = await setup();
    await s.put("/v1/members/ben", { isMember: true });
    await s.put("/v1/members/nora", { isMember: false });
    const sale = { channel: "pos", lines: [tee(4_599), giftCard(2_500)], placedAt: "2026-03-02T14:00:00Z" };
    const pos = await s.order("pos-1", { ...sale, memberId: "ben" });
    expect(pos.points.earned).toBe(22); // floor($45.99 / $2)
    expect(pos.awards.map((a) => a.ruleId)).toEqual([s.rules.get("Successful orders (POS)")]);
    expect((await s.order("pos-2", { ...sale, memberId: "ben", lines: [tee(500)] })).points.earned).toBe(2);
    // Non-members earn nothing at the POS; the online rules do not apply there.
    expect((await s.order("pos-3", { ...sale, memberId: "nora", paidAt: "2026-03-02T14:00:00Z", fulfilledAt: "2026-03-02T14:00:00Z" })).points.earned).toBe(0);
    // And the POS rule does not apply online: the same basket online earns $1 = 1 point once paid.
    expect((await s.order("web-1", { ...sale, channel: "online", memberId: "ben", paidAt: "2026-03-02T14:00:00Z" })).points.earned).toBe(45);
    expect(await s.member("ben")).toMatchObject({ balance: 22 + 2 + 45 });
  });

  it("audience by level and membership: Gold earns 2 per $1, Silver and no level 1 per $1, non-members 1 per $2 once fulfilled, guests nothing", async () => {
    const s = await setup();
    await s.put("/v1/members/gina", { tier: "gold" });
    await s.put("/v1/members/sam", { tier: "silver" });
    await s.put("/v1/members/neo", {});
    await s.put("/v1/members/nora", { isMember: false });
    expect(await s.member("gina")).toMatchObject({ tier: "gold", isMember: true });
    const basket = { channel: "online", lines: [tee(8_000)], placedAt: "2026-03-02T14:00:00Z", paidAt: "2026-03-02T14:01:00Z" };

    const gold = await s.order("g-1", { ...basket, memberId: "gina" });
    expect(gold.points.earned).toBe(160);
    expect(gold.awards.map((a) => [a.ruleId, a.points]).sort()).toEqual([
      [s.rules.get("Successful orders (online)"), 80], [s.rules.get("Successful orders (online, Gold level)"), 80],
    ].sort());
    expect((await s.order("s-1", { ...basket, memberId: "sam" })).points.earned).toBe(80);
    expect((await s.order("n-1", { ...basket, memberId: "neo" })).points.earned).toBe(80);

    // Non-members: paid is not enough, the rule waits for fulfilment; $80 → 40.
    expect((await s.order("nm-1", { ...basket, memberId: "nora" })).points.earned).toBe(0);
    const shipped = await s.order("nm-1", { ...basket, memberId: "nora", fulfilledAt: "2026-03-02T14:30:00Z" });
    expect(shipped.points.earned).toBe(40);
    expect(shipped.awards.map((a) => a.ruleId)).toEqual([s.rules.get("Successful orders (online, non-members)")]);
    expect((await s.order("nm-2", { ...basket, memberId: "nora", lines: [tee(900)], fulfilledAt: "2026-03-02T14:30:00Z" })).points.earned).toBe(0);
    // A guest checkout (no member) earns nothing.
    expect((await s.order("guest-1", { ...basket, memberId: null, fulfilledAt: "2026-03-02T14:30:00Z" })).points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });

    // Promoting Sam to Gold changes what Sam's next orders earn; earlier orders keep their points.
    expect((await s.post("/v1/tiers/gold/members", { memberIds: ["sam"] })).statusCode).toBe(200);
    expect((await s.order("s-2", { ...basket, memberId: "sam" })).points.earned).toBe(160);
    expect(await s.member("sam")).toMatchObject({ tier: "gold", balance: 240 });
    expect(await s.member("nora")).toMatchObject({ balance: 40 });
  });

  it("the award moment can be placed, paid or fulfilled: editing the rule applies to orders placed afterwards", async () => {
    const s = await setup();
    await s.put("/v1/members/ben", {});
    const online = s.rules.get("Successful orders (online)")!;
    const basket = { memberId: "ben", channel: "online", lines: [tee(3_000)] };

    // Once fulfilled: placed and paid earn nothing yet; shipping credits the points.
    const toFulfilled = await s.patch(`/v1/earn-rules/${online}`, { timing: { awardOn: "fulfilled", delayDays: 0 } });
    expect(toFulfilled.json()).toMatchObject({ version: 2, timing: { awardOn: "fulfilled", delayDays: 0 } });
    const f = { ...basket, placedAt: T0, paidAt: T0 };
    expect((await s.order("f-1", f)).points.earned).toBe(0);
    await s.advance("2026-03-03T15:00:00Z");
    const fulfilled = await s.order("f-1", { ...f, fulfilledAt: "2026-03-03T15:00:00Z" });
    expect(fulfilled.points.earned).toBe(30);
    expect(fulfilled.awards[0]).toMatchObject({ ruleVersion: 2, earnedAt: "2026-03-03T15:00:00.000Z" });
    // An order placed before the edit keeps the version in force then: credited once paid.
    expect((await s.order("early-1", { ...basket, placedAt: "2026-03-02T12:00:00Z", paidAt: "2026-03-02T12:30:00Z" })).points.earned).toBe(30);

    // When the order is placed: credited at once.
    await s.patch(`/v1/earn-rules/${online}`, { timing: { awardOn: "placed", delayDays: 0 } });
    await s.advance("2026-03-03T16:00:00Z");
    const p = await s.order("p-1", { ...basket, placedAt: "2026-03-03T16:00:00Z" });
    expect(p.points.earned).toBe(30);
    expect(p.awards[0]).toMatchObject({ ruleVersion: 3, earnedAt: "2026-03-03T16:00:00.000Z" });

    // Back to once paid (the preset's setting).
    await s.patch(`/v1/earn-rules/${online}`, { timing: { awardOn: "paid", delayDays: 0 } });
    await s.advance("2026-03-03T17:00:00Z");
    const q = { ...basket, placedAt: "2026-03-03T17:00:00Z" };
    expect((await s.order("q-1", q)).points.earned).toBe(0);
    expect((await s.order("q-1", { ...q, paidAt: "2026-03-03T17:00:00Z" })).points.earned).toBe(30);
    expect(await s.member("ben")).toMatchObject({ balance: 120 });
  });

  it("validity: 12 months for every method, 60 days for birthday points; a changed validity leaves points already issued alone", async () => {
    const s = await setup();
    await s.put("/v1/members/val", {});
    const reg = await s.event("val", "account.registered");
    expect(reg.body.awards[0]!.expiresAt).toBe("2027-03-02T15:00:00.000Z");
    const bday = await s.event("val", "birthday", { year: 2026 });
    expect(bday.body.awards[0]!.expiresAt).toBe("2026-05-01T14:00:00.000Z");

    // Switch to 6 months for all methods: new points get 6 months, the registration lot keeps 12.
    const patched = await s.patch("/v1/program", { validity: { type: "rolling", months: 6 } });
    expect(patched.json().validity).toEqual({ type: "rolling", months: 6 });
    const phone = await s.event("val", "phone.entered");
    expect(phone.body.awards[0]!.expiresAt).toBe("2026-09-02T14:00:00.000Z");
    const order = await s.order("v-1", { memberId: "val", lines: [tee(5_000)], placedAt: T0, paidAt: T0 });
    expect(order.awards[0]!.expiresAt).toBe("2026-09-02T14:00:00.000Z");
    expect((await s.member("val")).expiring).toEqual([
      { expiresAt: "2026-05-01T14:00:00.000Z", points: 200 },
      { expiresAt: "2026-09-02T14:00:00.000Z", points: 70 },
      { expiresAt: "2027-03-02T15:00:00.000Z", points: 100 },
    ]);

    // A method's own validity still overrides the program's: the next birthday is valid 60 days.
    await s.advance("2027-01-10T15:00:00Z");
    // (by now the 2026 points have expired; the 12-month registration lot has not)
    const next = await s.event("val", "birthday", { year: 2027 });
    expect(next.body.awards[0]!.expiresAt).toBe("2027-03-11T15:00:00.000Z");
    expect(await s.member("val")).toMatchObject({ balance: 300 });
  });

  it("points expire at their expiry instant when the clock passes it", async () => {
    const s = await setup();
    await s.put("/v1/members/exp", {});
    await s.event("exp", "account.registered");
    await s.event("exp", "birthday", { year: 2026 });
    await s.order("x-1", { memberId: "exp", lines: [tee(2_500)], placedAt: T0, paidAt: T0 });
    expect(await s.member("exp")).toMatchObject({ balance: 325 });

    expect((await s.advance("2026-05-01T13:59:59Z")).ran.expired).toBe(0);
    expect((await s.advance("2026-05-01T14:00:00Z")).ran.expired).toBe(1);
    expect(await s.member("exp")).toMatchObject({ balance: 125, expiring: [{ expiresAt: "2027-03-02T15:00:00.000Z", points: 125 }] });
    expect((await s.advance("2027-03-02T15:00:00Z")).ran.expired).toBe(2);
    expect(await s.member("exp")).toMatchObject({ balance: 0, expiring: [] });
    const activity = (await s.get("/v1/members/exp/activity")).json().data;
    expect(activity.filter((e: { type: string }) => e.type === "expire").map((e: { points: number }) => e.points).sort()).toEqual([-200, -100, -25].sort());
  });

  it("program on/off: while off, events and orders are recorded but earn nothing and redemptions are refused; turning it on again awards nothing retroactively", async () => {
    const s = await setup();
    await s.put("/v1/members/pat", {});
    await s.event("pat", "account.registered");
    expect(await s.member("pat")).toMatchObject({ balance: 100 });

    const off = await s.patch("/v1/program", { enabled: false });
    expect(off.json().enabled).toBe(false);
    const login = await s.post("/v1/events", { id: "off-login", type: "login", memberId: "pat", properties: {} });
    expect(login.statusCode).toBe(201);
    expect(login.json()).toMatchObject({ eventId: "off-login", awards: [] });
    const offOrder = await s.order("off-1", { memberId: "pat", lines: [tee(5_000)], placedAt: T0, paidAt: T0 });
    expect(offOrder.points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
    expect((await s.get("/v1/orders/off-1")).json()).toMatchObject({ memberId: "pat", paidAt: T0 });
    const refused = await s.redeem({ memberId: "pat", methodId: s.methods.get("Cashback (online)"), points: 100 });
    expectProblem(refused, 409, "program_disabled");

    const on = await s.patch("/v1/program", { enabled: true });
    expect(on.json().enabled).toBe(true);
    // Nothing is credited for what happened while the program was off; the event replays as recorded.
    expect(await s.member("pat")).toMatchObject({ balance: 100, pending: 0 });
    const replay = await s.post("/v1/events", { id: "off-login", type: "login", memberId: "pat", properties: {} });
    expect(replay.statusCode).toBe(200);
    expect(replay.json().awards).toEqual([]);
    expect((await s.get("/v1/orders/off-1")).json().points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
    // The order paid while the program was off is updated again (shipped): still nothing for it.
    const resent = await s.order("off-1", { memberId: "pat", lines: [tee(5_000)], placedAt: T0, paidAt: T0, fulfilledAt: T0 });
    expect(resent.points).toEqual({ earned: 0, pending: 0, reversed: 0, redeemed: 0 });
    // New activity earns again.
    await s.advance("2026-03-02T15:10:00Z");
    expect((await s.event("pat", "login")).points).toBe(5);
    expect((await s.order("on-1", { memberId: "pat", lines: [tee(5_000)], placedAt: "2026-03-02T15:10:00Z", paidAt: "2026-03-02T15:10:00Z" })).points.earned).toBe(50);
    expect(await s.member("pat")).toMatchObject({ balance: 155 });
  });

  it("points name: set per language by the preset and changed by PATCH /v1/program", async () => {
    const s = await setup();
    expect((await s.get("/v1/program")).json().pointsName).toEqual({ en: "Shop Points", "zh-TW": "購物點數", "zh-CN": "购物积分" });
    const res = await s.patch("/v1/program", { pointsName: { en: "Stars", "zh-TW": "星星" } });
    expect(res.statusCode).toBe(200);
    expect((await s.get("/v1/program")).json().pointsName).toEqual({ en: "Stars", "zh-TW": "星星" });
    expect((await s.get("/v1/program/export")).json().settings.pointsName).toEqual({ en: "Stars", "zh-TW": "星星" });
  });

  describe("cashback", () => {
    it("online: 100 points = $1, needs a balance of 500, at most 2,000 points per order; held at checkout, captured once paid", async () => {
      const s = await setup();
      const cashback = s.methods.get("Cashback (online)")!;
      await s.post("/v1/members/cara/adjustments", { points: 400, reason: "opening balance" });
      // Below the accumulated-points threshold.
      const low = await s.redeem({ memberId: "cara", methodId: cashback, points: 100, orderId: "c-0" });
      expect(expectProblem(low, 409, "insufficient_points").detail).toBe("cashback needs a balance of at least 500 points");
      await s.post("/v1/members/cara/adjustments", { points: 2_600, reason: "top up" });

      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: cashback, points: 2_100, orderId: "c-1" }), [{ path: "points", message: "at most 2000 points per order" }]);
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: cashback, points: 150, orderId: "c-1" }), [{ path: "points", message: "spend cashback points in steps of 100" }]);

      const held = await s.redeem({ memberId: "cara", methodId: cashback, points: 1_500, orderId: "c-1" });
      expect(held.statusCode).toBe(201);
      expect(held.json()).toMatchObject({ status: "held", points: 1_500, discount: 1_500, orderId: "c-1", type: "cashback" });
      expect(await s.member("cara")).toMatchObject({ balance: 1_500, held: 1_500 });
      // The per-order limit counts every hold on the order: 1,500 + 600 > 2,000, 1,500 + 500 is fine.
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: cashback, points: 600, orderId: "c-1" }), [{ path: "points", message: "at most 2000 points per order; 1500 already used on this order" }]);
      const topUp = await s.redeem({ memberId: "cara", methodId: cashback, points: 500, orderId: "c-1" });
      expect(topUp.statusCode).toBe(201);

      for (const r of [held, topUp]) {
        const captured = await s.post(`/v1/redemptions/${r.json().id}/capture`);
        expect(captured.json()).toMatchObject({ status: "completed" });
      }
      expect(await s.member("cara")).toMatchObject({ balance: 1_000, held: 0 });
      const order = await s.order("c-1", { memberId: "cara", lines: [tee(6_000)], placedAt: T0, paidAt: T0 });
      expect(order.points).toEqual({ earned: 60, pending: 0, reversed: 0, redeemed: 2_000 });
    });

    it("a canceled order releases the hold; an unpaid one is released automatically after 60 minutes", async () => {
      const s = await setup();
      const cashback = s.methods.get("Cashback (online)")!;
      await s.post("/v1/members/cara/adjustments", { points: 2_000, reason: "opening balance" });
      const canceled = (await s.redeem({ memberId: "cara", methodId: cashback, points: 1_000, orderId: "c-2" })).json();
      expect(await s.member("cara")).toMatchObject({ balance: 1_000, held: 1_000 });
      expect((await s.post(`/v1/redemptions/${canceled.id}/release`)).json()).toMatchObject({ status: "released" });
      expect(await s.member("cara")).toMatchObject({ balance: 2_000, held: 0 });

      const unpaid = (await s.redeem({ memberId: "cara", methodId: cashback, points: 800, orderId: "c-3" })).json();
      expect((await s.advance("2026-03-02T15:59:59Z")).ran.released).toBe(0);
      expect((await s.get(`/v1/redemptions/${unpaid.id}`)).json().status).toBe("held");
      expect((await s.advance("2026-03-02T16:00:00Z")).ran.released).toBe(1);
      expect((await s.get(`/v1/redemptions/${unpaid.id}`)).json()).toMatchObject({ status: "released", updatedAt: "2026-03-02T16:00:00.000Z" });
      expect(await s.member("cara")).toMatchObject({ balance: 2_000, held: 0 });
      expectProblem(await s.post(`/v1/redemptions/${unpaid.id}/capture`), 409, "invalid_state");
    });

    it("POS cashback is a separate method: offered at the POS only, at most 1,000 points per order", async () => {
      const s = await setup();
      const pos = s.methods.get("Cashback (POS)")!;
      const online = s.methods.get("Cashback (online)")!;
      await s.post("/v1/members/cara/adjustments", { points: 3_000, reason: "opening balance" });
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: pos, points: 500 }), [{ path: "channel", message: "this redeem method is not offered on channel online" }]);
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: online, points: 500, channel: "pos" }), [{ path: "channel", message: "this redeem method is not offered on channel pos" }]);
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: pos, points: 1_100, channel: "pos" }), [{ path: "points", message: "at most 1000 points per order" }]);
      const held = await s.redeem({ memberId: "cara", methodId: pos, points: 1_000, channel: "pos", orderId: "pos-9" });
      expect(held.json()).toMatchObject({ status: "held", points: 1_000, discount: 1_000 });
      // The method keeps its eligible products and stacking settings (applied by the checkout quote).
      expect((await s.get(`/v1/redeem-methods/${pos}`)).json()).toMatchObject({ eligibleProducts: ["tea-classic", "tea-oolong"], stackWithDiscounts: false });
      expect((await s.get(`/v1/redeem-methods/${online}`)).json()).toMatchObject({ minSubtotal: 2_000, minBalance: 500, maxPointsPerOrder: 2_000, maxDiscount: { type: "percent", percent: 30 }, stackWithDiscounts: true, excludeProducts: ["gift-card"] });
    });
  });
});

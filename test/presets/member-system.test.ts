import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectFaithfulReplay } from "../support/replay.ts";
import { call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectFieldErrors, expectProblem } from "../support/http.ts";
import { applyPreset, loadPreset } from "../support/presets.ts";

/**
 * The e-commerce "Member System" scheme (seeds/001), replayed through the public API on sandbox
 * stores in America/New_York (USD). Each test gets its own store with the preset applied, so the
 * store clock and the members' ledgers of one scenario never leak into another.
 */
describe("preset member-system", () => {
  /** Every store the scenarios created: the simulator must replay each one exactly (SPEC §8). */
  const replayed: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** Monday 2026-03-02 10:00 in New York (EST, UTC−5; DST starts 2026-03-08). */
  const T0 = "2026-03-02T15:00:00Z";

  async function setup(clock = T0) {
    const store = await createTestStore(t.app, { timezone: "America/New_York", currency: "USD", clock });
    replayed.push(store.id);
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
    expect(exported.redeemMethods.map((m: { name: string; type: string; channels: string[] }) => [m.name, m.type, m.channels])).toEqual([
      ["Cashback (online)", "cashback", ["online"]], ["Cashback (POS)", "cashback", ["pos"]],
      ["Redeem coupon code", "coupon", ["online"]], ["Redeem coupon", "coupon", ["online"]],
      ["Redeem product", "product", ["online"]], ["Redeem shipping coupon", "coupon", ["online"]],
    ]);
    expect(exported.redeemMethods.slice(2)).toMatchObject([
      { points: 300, discount: { type: "percent", percent: 10 }, conditions: { minSubtotal: 5_000 }, usableBy: "anyone", products: ["tee", "hoodie", "cap"], stackable: false, validDays: 30 },
      { points: 500, discount: { type: "fixed", amount: 500 }, conditions: { minQuantity: 2 }, usableBy: "owner", stackable: true, validDays: 30 },
      { points: 800, product: { sku: "tote-bag", name: "Canvas tote bag" }, conditions: {}, usableBy: "owner", stackable: true, validDays: 30 },
      { points: 200, discount: { type: "free_shipping" }, conditions: {}, usableBy: "owner", stackable: true, validDays: 30 },
    ]);
    // The description no longer promises methods "to come": all five usage methods of the source are there.
    expect(loadPreset("member-system").description).not.toMatch(/to come|not accepted/i);
    const again = await call(t.app, "PUT", "/v1/program/import?dryRun=true", { key: s.key, body: loadPreset("member-system") });
    expect(again.statusCode).toBe(200);
    expect(again.json().diff).toEqual({
      settings: [],
      tiers: { added: [], changed: [], removed: [], unchanged: 2 },
      earnRules: { added: [], changed: [], removed: [], unchanged: 15 },
      redeemMethods: { added: [], changed: [], removed: [], unchanged: 6 },
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
    const refused = await s.redeem({ memberId: "pat", methodId: s.methods.get("Cashback (online)"), points: 100, orderId: "off-2", cart: { lines: [tee(5_000)] } });
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
      // At checkout the order is recorded (placed, not yet paid): the holds name it and its lines are the cart.
      // $100 of tees: 30% = $30, but at most 2,000 points per order.
      const lines = [tee(10_000)];
      await s.order("c-1", { memberId: "cara", lines, placedAt: T0 });
      // Below the accumulated-points threshold.
      const low = await s.redeem({ memberId: "cara", methodId: cashback, points: 100, orderId: "c-1" });
      expect(expectProblem(low, 409, "insufficient_points").detail).toBe("cashback needs a balance of at least 500 points");
      await s.post("/v1/members/cara/adjustments", { points: 2_600, reason: "top up" });

      expect(expectProblem(await s.redeem({ memberId: "cara", methodId: cashback, points: 2_100, orderId: "c-1" }), 409, "exceeds_order_limit").maxPoints).toBe(2_000);
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: cashback, points: 150, orderId: "c-1" }), [{ path: "points", message: "spend cashback points in steps of 100" }]);

      const held = await s.redeem({ memberId: "cara", methodId: cashback, points: 1_500, orderId: "c-1" });
      expect(held.statusCode).toBe(201);
      expect(held.json()).toMatchObject({ status: "held", points: 1_500, discount: 1_500, orderId: "c-1", type: "cashback" });
      expect(await s.member("cara")).toMatchObject({ balance: 1_500, held: 1_500 });
      // The per-order limit counts every hold on the order: 1,500 + 600 > 2,000, 1,500 + 500 is fine.
      expect(expectProblem(await s.redeem({ memberId: "cara", methodId: cashback, points: 600, orderId: "c-1" }), 409, "exceeds_order_limit").maxPoints).toBe(500);
      const topUp = await s.redeem({ memberId: "cara", methodId: cashback, points: 500, orderId: "c-1" });
      expect(topUp.statusCode).toBe(201);
      expect(expectProblem(await s.redeem({ memberId: "cara", methodId: cashback, points: 100, orderId: "c-1" }), 409, "exceeds_order_limit")).toMatchObject({ maxPoints: 0, reason: "order_limit_reached" });

      for (const r of [held, topUp]) {
        const captured = await s.post(`/v1/redemptions/${r.json().id}/capture`);
        expect(captured.json()).toMatchObject({ status: "completed" });
      }
      expect(await s.member("cara")).toMatchObject({ balance: 1_000, held: 0 });
      const order = await s.order("c-1", { memberId: "cara", lines, placedAt: T0, paidAt: T0 });
      expect(order.points).toEqual({ earned: 100, pending: 0, reversed: 0, redeemed: 2_000 });
    });

    it("a canceled order releases the hold; an unpaid one is released automatically after 60 minutes", async () => {
      const s = await setup();
      const cashback = s.methods.get("Cashback (online)")!;
      await s.post("/v1/members/cara/adjustments", { points: 2_000, reason: "opening balance" });
      const canceled = (await s.redeem({ memberId: "cara", methodId: cashback, points: 1_000, orderId: "c-2", cart: { lines: [tee(5_000)] } })).json();
      expect(await s.member("cara")).toMatchObject({ balance: 1_000, held: 1_000 });
      expect((await s.post(`/v1/redemptions/${canceled.id}/release`)).json()).toMatchObject({ status: "released" });
      expect(await s.member("cara")).toMatchObject({ balance: 2_000, held: 0 });

      const unpaid = (await s.redeem({ memberId: "cara", methodId: cashback, points: 800, orderId: "c-3", cart: { lines: [tee(5_000)] } })).json();
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
      // $20 of house tea: room for 2,000 points but for the per-order limit.
      const cart = { lines: [{ sku: "tea-classic", quantity: 1, amount: 2_000 }] };
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: pos, points: 500, orderId: "pos-8", cart }), [{ path: "channel", message: "this redeem method is not offered on channel online" }]);
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: online, points: 500, channel: "pos", orderId: "pos-8", cart }), [{ path: "channel", message: "this redeem method is not offered on channel pos" }]);
      expect(expectProblem(await s.redeem({ memberId: "cara", methodId: pos, points: 1_100, channel: "pos", orderId: "pos-9", cart }), 409, "exceeds_order_limit").maxPoints).toBe(1_000);
      const held = await s.redeem({ memberId: "cara", methodId: pos, points: 1_000, channel: "pos", orderId: "pos-9", cart });
      expect(held.json()).toMatchObject({ status: "held", points: 1_000, discount: 1_000 });
      // The method keeps its eligible products and stacking settings (applied by the checkout quote).
      expect((await s.get(`/v1/redeem-methods/${pos}`)).json()).toMatchObject({ eligibleProducts: ["tea-classic", "tea-oolong"], stackWithDiscounts: false });
      expect((await s.get(`/v1/redeem-methods/${online}`)).json()).toMatchObject({ minSubtotal: 2_000, minBalance: 500, maxPointsPerOrder: 2_000, maxDiscount: { type: "percent", percent: 30 }, stackWithDiscounts: true, excludeProducts: ["gift-card"] });
    });
  });

  describe("checkout", () => {
    /** Cart lines carry sku, quantity and amount; the gift card is kept out of cashback by its sku (excludeProducts). */
    const giftCardLine = (amount: number) => ({ sku: "gift-card", quantity: 1, amount });
    const quoteOf = async (s: Awaited<ReturnType<typeof setup>>, body: Record<string, unknown>) => {
      const res = await s.post("/v1/checkout/quote", body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as Record<string, unknown>;
    };

    it("quote online: 100 points = $1 on a subtotal of $20 or more, balance of 500 or more, at most 2,000 points and 30% of what is left to pay", async () => {
      const s = await setup();
      const online = s.methods.get("Cashback (online)")!;
      await s.post("/v1/members/quinn/adjustments", { points: 5_000, reason: "opening balance" });
      const q = (cart: Record<string, unknown>) => quoteOf(s, { memberId: "quinn", channel: "online", ...cart });

      // $50 of tees: 30% of $50 = $15 binds before the 2,000-point limit → 1,500 points.
      expect(await q({ lines: [tee(5_000)] })).toEqual({
        balance: 5_000, maxPoints: 1_500, maxDiscount: 1_500, pointsPerUnit: 100, methodId: online,
        subtotal: 5_000, eligibleSubtotal: 5_000, payable: 5_000,
      });
      // The minimum order: a cent below $20 → nothing, and why; exactly $20 → 30% = $6 → 600 points.
      expect(await q({ lines: [tee(1_999)] })).toEqual({
        balance: 5_000, maxPoints: 0, maxDiscount: 0, pointsPerUnit: 100, methodId: online, subtotal: 1_999, eligibleSubtotal: 1_999, payable: 1_999,
        reasonCode: "below_min_subtotal", reason: "the order subtotal must be at least 2000",
      });
      expect(await q({ lines: [tee(2_000)] })).toMatchObject({ maxPoints: 600, maxDiscount: 600 });
      // The per-order limit binds on a big cart: 30% of $100 = $30 = 3,000 points, but at most 2,000.
      expect(await q({ lines: [tee(10_000)] })).toMatchObject({ maxPoints: 2_000, maxDiscount: 2_000, payable: 10_000 });
      // Stacks with discounts, the cap computed after them: $50 − $10 = $40 → 30% = $12 → 1,200 points.
      expect(await q({ lines: [tee(5_000)], discounts: 1_000 })).toMatchObject({ maxPoints: 1_200, maxDiscount: 1_200, payable: 4_000 });
      // Discounts, then store credits, then points: $50 − $10 − $5 = $35 → 30% = $10.50 → 1,050, in steps of 100 → 1,000.
      expect(await q({ lines: [tee(5_000)], discounts: 1_000, credits: 500 })).toMatchObject({ maxPoints: 1_000, maxDiscount: 1_000, payable: 3_500 });
      // Shipping is never paid with points and does not lift the cap.
      expect(await q({ lines: [tee(5_000)], shipping: 1_500 })).toMatchObject({ maxPoints: 1_500, subtotal: 5_000 });
      // Gift cards are not eligible: $30 of tees + a $50 gift card → 30% of $30 = 900 points.
      expect(await q({ lines: [tee(3_000), giftCardLine(5_000)] })).toEqual({
        balance: 5_000, maxPoints: 900, maxDiscount: 900, pointsPerUnit: 100, methodId: online, subtotal: 8_000, eligibleSubtotal: 3_000, payable: 3_000,
      });
      // An $8 order discount falls on the lines in proportion: $3 of it on the tees → $27 → $8.10 → 800 points.
      expect(await q({ lines: [tee(3_000), giftCardLine(5_000)], discounts: 800 })).toMatchObject({ maxPoints: 800, maxDiscount: 800, payable: 2_700 });
      expect(await q({ lines: [giftCardLine(5_000)] })).toMatchObject({ maxPoints: 0, eligibleSubtotal: 0, reasonCode: "no_eligible_products", reason: "no product in the cart can be paid with points" });
      expect(await q({ lines: [tee(3_000)], discounts: 2_000, credits: 1_000 })).toMatchObject({ maxPoints: 0, payable: 0, reasonCode: "nothing_to_pay" });

      // The accumulated-points threshold: 400 points are not enough to use any; exactly 500 are.
      await s.post("/v1/members/lou/adjustments", { points: 400, reason: "opening balance" });
      expect(await quoteOf(s, { memberId: "lou", lines: [tee(10_000)] })).toMatchObject({
        balance: 400, maxPoints: 0, maxDiscount: 0, reasonCode: "below_min_balance", reason: "the member needs at least 500 points to use them",
      });
      await s.post("/v1/members/lou/adjustments", { points: 150, reason: "top up" });
      expect(await quoteOf(s, { memberId: "lou", lines: [tee(10_000)] })).toMatchObject({ balance: 550, maxPoints: 500, maxDiscount: 500 });
      // A member never seen has nothing to spend.
      expect(await quoteOf(s, { memberId: "nobody", lines: [tee(10_000)] })).toMatchObject({ balance: 0, maxPoints: 0, reasonCode: "no_points" });
      // The quote is read-only: nothing was held.
      expect(await s.member("quinn")).toMatchObject({ balance: 5_000, held: 0 });
    });

    it("quote at the POS: house teas only, at most 1,000 points, not with other discounts; the online method does not apply there", async () => {
      const s = await setup();
      const pos = s.methods.get("Cashback (POS)")!;
      const online = s.methods.get("Cashback (online)")!;
      await s.post("/v1/members/quinn/adjustments", { points: 5_000, reason: "opening balance" });
      const tea = (sku: string, amount: number) => ({ sku, quantity: 1, amount });
      const q = (cart: Record<string, unknown>) => quoteOf(s, { memberId: "quinn", channel: "pos", ...cart });
      expect(await q({ lines: [tea("tea-classic", 800)] })).toEqual({
        balance: 5_000, maxPoints: 800, maxDiscount: 800, pointsPerUnit: 100, methodId: pos, subtotal: 800, eligibleSubtotal: 800, payable: 800,
      });
      expect(await q({ lines: [tea("tea-classic", 1_500), tea("tea-oolong", 900), tee(2_000)] })).toMatchObject({ maxPoints: 1_000, maxDiscount: 1_000, subtotal: 4_400, eligibleSubtotal: 2_400 });
      expect(await q({ lines: [tea("tea-classic", 1_500)], discounts: 100 })).toMatchObject({ maxPoints: 0, reasonCode: "not_stackable_with_discounts", reason: "points cannot be combined with the order's discounts" });
      expect(await q({ lines: [tee(2_000)] })).toMatchObject({ maxPoints: 0, reasonCode: "no_eligible_products" });
      expectFieldErrors(await s.post("/v1/checkout/quote", { memberId: "quinn", channel: "pos", methodId: online, lines: [tee(5_000)] }), [{ path: "methodId", message: "not an enabled cashback method on channel pos" }]);
    });

    it("a hold with the cart obeys the quote: more than the quote is refused, the quoted points are held and captured", async () => {
      const s = await setup();
      const online = s.methods.get("Cashback (online)")!;
      await s.post("/v1/members/quinn/adjustments", { points: 5_000, reason: "opening balance" });
      const cart = { lines: [tee(5_000)], discounts: 0, credits: 0, shipping: 800 };
      const quote = await quoteOf(s, { memberId: "quinn", ...cart });
      expect(quote).toMatchObject({ maxPoints: 1_500, maxDiscount: 1_500 });

      const over = expectProblem(await s.redeem({ memberId: "quinn", methodId: online, points: 1_600, orderId: "h-1", cart }), 409, "exceeds_order_limit");
      expect(over.maxPoints).toBe(1_500);
      expect(over.reason).toBeUndefined();
      const below = await s.redeem({ memberId: "quinn", methodId: online, points: 100, orderId: "h-0", cart: { lines: [tee(1_500)] } });
      expect(expectProblem(below, 409, "exceeds_order_limit")).toMatchObject({ maxPoints: 0, reason: "below_min_subtotal" });
      expect(below.json().detail).toContain("the order subtotal must be at least 2000");
      // Gift card in the cart, with a discount: at most 800 (see the quote above); 900 is refused.
      const mixed = { lines: [tee(3_000), giftCardLine(5_000)], discounts: 800 };
      expect(expectProblem(await s.redeem({ memberId: "quinn", methodId: online, points: 900, orderId: "h-2", cart: mixed }), 409, "exceeds_order_limit").maxPoints).toBe(800);
      expect(await s.member("quinn")).toMatchObject({ balance: 5_000, held: 0 });

      const held = await s.redeem({ memberId: "quinn", methodId: online, points: 1_500, orderId: "h-1", cart });
      expect(held.statusCode, held.body).toBe(201);
      expect(held.json()).toMatchObject({ status: "held", points: 1_500, discount: 1_500, orderId: "h-1" });
      expect(await s.member("quinn")).toMatchObject({ balance: 3_500, held: 1_500 });
      // Held points are not spendable: the next quote sees 3,500.
      expect(await quoteOf(s, { memberId: "quinn", lines: [tee(10_000)] })).toMatchObject({ balance: 3_500, maxPoints: 2_000 });

      // Paid: capture; the order shows the points redeemed and earns on its subtotal ($50 → 50).
      expect((await s.post(`/v1/redemptions/${held.json().id}/capture`)).json()).toMatchObject({ status: "completed", points: 1_500 });
      const paid = await s.order("h-1", { memberId: "quinn", lines: [tee(5_000)], shipping: 800, placedAt: T0, paidAt: T0 });
      expect(paid.points).toEqual({ earned: 50, pending: 0, reversed: 0, redeemed: 1_500 });
      expect(await s.member("quinn")).toMatchObject({ balance: 3_550, held: 0 });
      // The per-order limit counts the captured 1,500 on h-1, and h-1 is now recorded ($50): its
      // lines win over a larger cart sent later, so 30% of $50 is used up.
      expect(expectProblem(await s.redeem({ memberId: "quinn", methodId: online, points: 600, orderId: "h-1", cart: { lines: [tee(10_000)] } }), 409, "exceeds_order_limit")).toMatchObject({ maxPoints: 0, reason: "order_limit_reached" });
      // The quote for h-1 says the same.
      expect(await quoteOf(s, { memberId: "quinn", orderId: "h-1", lines: [tee(10_000)] })).toMatchObject({ balance: 3_550, maxPoints: 0, maxDiscount: 0 });
    });
  });

  describe("coupon, product and shipping-coupon redemptions", () => {
    const CODE = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;
    /** 30 store-local days after T0: 2026-04-01 10:00 in New York, now EDT (UTC−4). */
    const EXPIRES = "2026-04-01T14:00:00.000Z";

    async function redeemed(s: Awaited<ReturnType<typeof setup>>, method: string, memberId = "cara") {
      const res = await s.redeem({ memberId, methodId: s.methods.get(method) });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body.code).toMatch(CODE);
      expect(body.coupon.code).toBe(body.code);
      return body;
    }
    const check = async (s: Awaited<ReturnType<typeof setup>>, code: string, query: Record<string, string | number | boolean> = {}) => {
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
      const res = await s.get(`/v1/coupons/${encodeURIComponent(code)}${qs ? `?${qs}` : ""}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const use = (s: Awaited<ReturnType<typeof setup>>, code: string, body: Record<string, unknown>) => s.post(`/v1/coupons/${encodeURIComponent(code)}/use`, body);

    it("redeem coupon code: 300 points → a 10% code on apparel for orders of $50 or more, usable by anyone, not with other discounts, used once", async () => {
      const s = await setup();
      await s.post("/v1/members/cara/adjustments", { points: 1_000, reason: "opening balance" });
      expectFieldErrors(await s.redeem({ memberId: "cara", methodId: s.methods.get("Redeem coupon code"), points: 200 }), [{ path: "points", message: "this reward costs exactly 300 points" }]);
      const r = await redeemed(s, "Redeem coupon code");
      expect(r).toMatchObject({ status: "completed", type: "coupon", points: 300, memberId: "cara", methodId: s.methods.get("Redeem coupon code") });
      expect(r.coupon).toEqual({
        code: r.code, kind: "coupon", discount: { type: "percent", percent: 10 }, conditions: { minSubtotal: 5_000 }, owner: "cara",
        usableBy: "anyone", products: ["tee", "hoodie", "cap"], stackable: false, expiresAt: EXPIRES, used: false, usedAt: null,
        usedOrderId: null, createdAt: "2026-03-02T15:00:00.000Z",
      });
      expect(await s.member("cara")).toMatchObject({ balance: 700, held: 0 });
      const entry = (await s.get("/v1/members/cara/activity")).json().data[0];
      expect(entry).toMatchObject({ type: "redeem", points: -300, balanceAfter: 700, reason: "Redeem coupon code", source: { type: "redemption", ref: r.id } });

      // Usable by anyone (a friend it was shared with), from exactly $50; typed in lower case without dashes.
      expect(await check(s, r.code, { memberId: "dan", subtotal: 5_000, quantity: 1 })).toMatchObject({ valid: true, used: false, owner: "cara" });
      expect(await check(s, r.code.replaceAll("-", "").toLowerCase(), { memberId: "cara", subtotal: 9_000 })).toMatchObject({ code: r.code, valid: true });
      expect(await check(s, r.code, { memberId: "dan", subtotal: 4_999 })).toMatchObject({ valid: false, reason: { code: "below_min_subtotal", message: "needs a subtotal of at least 5000" } });
      // Not combinable with automatic discounts or other codes.
      expect(await check(s, r.code, { memberId: "dan", subtotal: 6_000, otherDiscounts: true })).toMatchObject({ valid: false, reason: { code: "not_stackable", message: "cannot be combined with other discounts" } });
      expect(expectProblem(await use(s, r.code, { orderId: "friend-1", memberId: "dan", subtotal: 6_000, products: ["tee"], otherDiscounts: true }), 409, "invalid_state")).toMatchObject({ reason: "not_stackable" });
      // The conditions need the cart's subtotal and products; a cart below them leaves the code unused.
      expectFieldErrors(await use(s, r.code, { orderId: "friend-1", memberId: "dan" }), ["subtotal", "products"]);
      expect(expectProblem(await use(s, r.code, { orderId: "friend-1", memberId: "dan", subtotal: 4_999, products: ["tee"] }), 409, "coupon_conditions_not_met")).toMatchObject({ reason: "below_min_subtotal" });
      expect(expectProblem(await use(s, r.code, { orderId: "friend-1", memberId: "dan", subtotal: 6_000, products: ["mug"] }), 409, "coupon_conditions_not_met")).toMatchObject({ reason: "no_eligible_products" });

      const used = await use(s, r.code, { orderId: "friend-1", memberId: "dan", subtotal: 6_000, quantity: 2, products: ["mug", "hoodie"], otherDiscounts: false });
      expect(used.statusCode, used.body).toBe(200);
      expect(used.json()).toMatchObject({ code: r.code, used: true, usedOrderId: "friend-1", usedAt: "2026-03-02T15:00:00.000Z", valid: false });
      expect(await check(s, r.code, { memberId: "cara", subtotal: 6_000 })).toMatchObject({ used: true, valid: false, reason: { code: "used", message: "already used on order friend-1" } });
      expect(expectProblem(await use(s, r.code, { orderId: "friend-2", memberId: "dan", subtotal: 6_000, products: ["tee"] }), 409, "invalid_state")).toMatchObject({ reason: "used" });
      expectProblem(await s.get("/v1/coupons/2222-3333-4444-5555"), 404, "not_found");
    });

    it("redeem coupon: 500 points → $5 off from 2 items, the owner only, combinable; valid 30 days (store-local), then expired", async () => {
      const s = await setup();
      await s.post("/v1/members/cara/adjustments", { points: 1_200, reason: "opening balance" });
      const first = await redeemed(s, "Redeem coupon");
      const second = await redeemed(s, "Redeem coupon");
      expect(first.coupon).toMatchObject({
        kind: "coupon", discount: { type: "fixed", amount: 500 }, conditions: { minQuantity: 2 }, owner: "cara", usableBy: "owner",
        products: null, stackable: true, expiresAt: EXPIRES, used: false,
      });
      expect(second.code).not.toBe(first.code);
      expect(await s.member("cara")).toMatchObject({ balance: 200 });
      // 200 points left: not enough for another.
      const short = await s.redeem({ memberId: "cara", methodId: s.methods.get("Redeem coupon") });
      expect(expectProblem(short, 409, "insufficient_points")).toMatchObject({ available: 200, detail: "the member has 200 spendable points; 500 are needed" });

      expect(await check(s, first.code, { memberId: "cara", quantity: 2, subtotal: 1_000, otherDiscounts: true })).toMatchObject({ valid: true });
      expect(await check(s, first.code, { memberId: "cara", quantity: 1 })).toMatchObject({ valid: false, reason: { code: "below_min_quantity", message: "needs at least 2 items" } });
      expect(await check(s, first.code, { memberId: "dan", quantity: 3 })).toMatchObject({ valid: false, reason: { code: "not_owner", message: "only the member who redeemed it can use this code" } });
      expect(expectProblem(await use(s, first.code, { orderId: "o-dan", memberId: "dan", quantity: 3 }), 409, "invalid_state")).toMatchObject({ reason: "not_owner" });
      expect(expectProblem(await use(s, first.code, { orderId: "o-cara", memberId: "cara", quantity: 1 }), 409, "coupon_conditions_not_met")).toMatchObject({ reason: "below_min_quantity" });
      expectFieldErrors(await use(s, first.code, { orderId: "o-cara", memberId: "cara" }), ["quantity"]);
      expect((await use(s, first.code, { orderId: "o-cara", memberId: "cara", quantity: 2, otherDiscounts: true })).json()).toMatchObject({ used: true, usedOrderId: "o-cara" });
      expectProblem(await use(s, first.code, { orderId: "o-cara-2", memberId: "cara", quantity: 2 }), 409, "invalid_state");

      // The unused one: valid up to its expiry instant, expired from it (30 days across the switch to summer time).
      await s.advance("2026-04-01T13:59:59Z");
      expect(await check(s, second.code, { memberId: "cara", quantity: 2 })).toMatchObject({ valid: true, expiresAt: EXPIRES });
      await s.advance(EXPIRES);
      expect(await check(s, second.code, { memberId: "cara", quantity: 2 })).toMatchObject({ valid: false, used: false, reason: { code: "expired", message: `expired at ${EXPIRES}` } });
      expect(expectProblem(await use(s, second.code, { orderId: "late", memberId: "cara", quantity: 2 }), 409, "invalid_state")).toMatchObject({ reason: "expired" });
      // An expired code does not give the points back.
      expect(await s.member("cara")).toMatchObject({ balance: 200 });
    });

    it("redeem product: 800 points → a code that makes the canvas tote bag free, for the owner only, used once", async () => {
      const s = await setup();
      await s.post("/v1/members/cara/adjustments", { points: 800, reason: "opening balance" });
      const r = await redeemed(s, "Redeem product");
      expect(r).toMatchObject({ type: "product", status: "completed", points: 800 });
      expect(r.coupon).toEqual({
        code: r.code, kind: "product", discount: { type: "product", sku: "tote-bag" }, conditions: {}, owner: "cara", usableBy: "owner",
        products: ["tote-bag"], stackable: true, expiresAt: EXPIRES, used: false, usedAt: null, usedOrderId: null, createdAt: "2026-03-02T15:00:00.000Z",
      });
      expect(await s.member("cara")).toMatchObject({ balance: 0 });
      expect((await s.get(`/v1/redemptions/${r.id}`)).json()).toMatchObject({ id: r.id, type: "product", status: "completed", code: r.code, points: 800 });

      expect(await check(s, r.code, { memberId: "dan" })).toMatchObject({ valid: false, reason: { code: "not_owner" } });
      expect(await check(s, r.code, { memberId: "cara", quantity: 1, subtotal: 0, otherDiscounts: true })).toMatchObject({ valid: true });
      expectProblem(await use(s, r.code, { orderId: "o-dan", memberId: "dan" }), 409, "invalid_state");
      expect((await use(s, r.code, { orderId: "o-tote", memberId: "cara", quantity: 1 })).json()).toMatchObject({ used: true, usedOrderId: "o-tote" });
      expect(await check(s, r.code, { memberId: "cara" })).toMatchObject({ valid: false, used: true, reason: { code: "used", message: "already used on order o-tote" } });
      expectProblem(await use(s, r.code, { orderId: "o-tote-2", memberId: "cara" }), 409, "invalid_state");
      expectProblem(await s.redeem({ memberId: "cara", methodId: s.methods.get("Redeem product") }), 409, "insufficient_points");
    });

    it("redeem shipping coupon: 200 points → free shipping, no minimum, owner only, combinable; deleting the method leaves the code valid", async () => {
      const s = await setup();
      await s.post("/v1/members/cara/adjustments", { points: 450, reason: "opening balance" });
      const r = await redeemed(s, "Redeem shipping coupon");
      expect(r.coupon).toEqual({
        code: r.code, kind: "coupon", discount: { type: "free_shipping" }, conditions: {}, owner: "cara", usableBy: "owner",
        products: null, stackable: true, expiresAt: EXPIRES, used: false, usedAt: null, usedOrderId: null, createdAt: "2026-03-02T15:00:00.000Z",
      });
      expect(await s.member("cara")).toMatchObject({ balance: 250 });
      expect(await check(s, r.code, { memberId: "cara", subtotal: 100, quantity: 1, otherDiscounts: true })).toMatchObject({ valid: true });
      expect(await check(s, r.code, { memberId: "dan", subtotal: 100 })).toMatchObject({ valid: false, reason: { code: "not_owner" } });

      const del = await call(t.app, "DELETE", `/v1/redeem-methods/${s.methods.get("Redeem shipping coupon")}`, { key: s.key });
      expect(del.statusCode, del.body).toBe(204);
      expect(await check(s, r.code, { memberId: "cara" })).toMatchObject({ valid: true });
      expect((await use(s, r.code, { orderId: "o-ship", memberId: "cara", otherDiscounts: true })).json()).toMatchObject({ used: true, usedOrderId: "o-ship" });
      expect(await check(s, r.code)).toMatchObject({ valid: false, reason: { code: "used" } });
      expectProblem(await use(s, r.code, { orderId: "o-ship-2", memberId: "cara" }), 409, "invalid_state");
      // The ledger: one opening credit and one redemption, the balance what is left.
      const activity = (await s.get("/v1/members/cara/activity")).json().data;
      expect(activity.map((e: { type: string; points: number; reason: string }) => [e.type, e.points, e.reason])).toEqual([
        ["redeem", -200, "Redeem shipping coupon"], ["adjust", 450, "opening balance"],
      ]);
    });
  });

  it("the simulator replays every store of these scenarios to the ledger's own figures", async () => {
    expect(replayed.length).toBeGreaterThan(0);
    for (const storeId of replayed) await expectFaithfulReplay(t.services, storeId);
  });
});

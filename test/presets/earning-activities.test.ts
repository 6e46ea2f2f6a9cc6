import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectFaithfulReplay } from "../support/replay.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { applyPreset, loadPreset } from "../support/presets.ts";

/**
 * The AiTrillion earning activities (seeds/003), replayed through the public API on a sandbox
 * store in Asia/Kolkata (UTC+5:30, INR in paise): every sign-up, online-store and social activity.
 */
describe("preset earning-activities", () => {
  /** Every store the scenarios created: the simulator must replay each one exactly (SPEC §8). */
  const replayed: string[] = [];
  let t: TestApp;
  let store: TestStore;
  let seq = 0;
  const get = (url: string) => call(t.app, "GET", url, { key: store.adminKey });
  const put = (url: string, body: unknown) => call(t.app, "PUT", url, { key: store.adminKey, body });
  const post = (url: string, body: unknown) => call(t.app, "POST", url, { key: store.adminKey, body });
  const advance = async (to: string) => {
    const res = await post("/v1/clock/advance", { to });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { ran: { expired: number } };
  };
  const balance = async (memberId: string) => (await get(`/v1/members/${memberId}`)).json().balance as number;

  /** Records one event and returns the points it earned (the sum of its awards). */
  const earn = async (memberId: string, type: string, properties: Record<string, unknown> = {}, occurredAt?: string) => {
    const res = await post("/v1/events", { id: `evt-${++seq}`, type, memberId, properties, ...(occurredAt ? { occurredAt } : {}) });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json().awards as Array<{ points: number }>).reduce((sum, a) => sum + a.points, 0);
  };

  /** Upserts an order and returns its points (earned + pending). */
  const order = async (id: string, body: Record<string, unknown>) => {
    const res = await put(`/v1/orders/${id}`, { channel: "online", currency: "INR", placedAt: "2026-04-01T06:00:00Z", ...body });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json().points as { earned: number; pending: number; reversed: number };
    return p.earned + p.pending;
  };
  const paid = "2026-04-01T06:05:00Z";
  const rs = (rupees: number) => rupees * 100;

  beforeAll(async () => {
    t = await startTestApp();
    // 2026-04-01 17:30 in Kolkata.
    store = await createTestStore(t.app, { name: "AiTrillion demo", timezone: "Asia/Kolkata", currency: "INR", clock: "2026-04-01T12:00:00Z" });
    replayed.push(store.id);
    await applyPreset(t.app, store.adminKey, "earning-activities");
  });
  afterAll(async () => t.close());

  it("imports every listed activity as a generic earn rule", async () => {
    const rules = (await get("/v1/earn-rules?limit=100")).json().data as Array<{ event: string }>;
    expect(rules.map((r) => r.event).sort()).toEqual([
      "account.registered", "affiliate.joined", "birthday", "customer.tagged", "gift_code.redeemed",
      "order", "order", "order", "push.allowed", "referral.registered", "review.posted",
      "social.followed", "social.shared", "store.visited",
    ]);
    const again = await call(t.app, "PUT", "/v1/program/import?dryRun=true", { key: store.adminKey, body: loadPreset("earning-activities") });
    expect(again.json().diff.earnRules).toMatchObject({ added: [], changed: [], removed: [], unchanged: 14 });
  });

  it("sign-up: creating an account earns 100 once", async () => {
    expect(await earn("priya", "account.registered")).toBe(100);
    expect(await earn("priya", "account.registered")).toBe(0);
    expect(await balance("priya")).toBe(100);
  });

  it("sign-up: the VIP customer tag earns 200 once; other tags earn nothing", async () => {
    expect(await earn("priya", "customer.tagged", { tag: "wholesale" })).toBe(0);
    expect(await earn("priya", "customer.tagged", { tag: "VIP" })).toBe(200);
    expect(await earn("priya", "customer.tagged", { tag: "VIP" })).toBe(0);
    expect(await earn("rahul", "customer.tagged", { tag: "VIP" })).toBe(200);
    expect(await balance("priya")).toBe(300);
  });

  it("sign-up: allowing push notifications earns 50 once", async () => {
    expect(await earn("priya", "push.allowed")).toBe(50);
    expect(await earn("priya", "push.allowed")).toBe(0);
    expect(await balance("priya")).toBe(350);
  });

  it("sign-up: becoming an affiliate earns 200 once", async () => {
    expect(await earn("priya", "affiliate.joined", { affiliateId: "aff-17" })).toBe(200);
    expect(await earn("priya", "affiliate.joined", { affiliateId: "aff-18" })).toBe(0);
    expect(await balance("priya")).toBe(550);
  });

  it("birthday: 100 once per year", async () => {
    await put("/v1/members/priya", { birthday: "1990-04-02" });
    await advance("2026-04-02T00:00:00Z");
    expect(await earn("priya", "birthday", { year: 2026 })).toBe(100);
    expect(await earn("priya", "birthday", { year: 2026 })).toBe(0);
    await advance("2027-04-02T00:00:00Z");
    expect(await earn("priya", "birthday", { year: 2027 })).toBe(100);
    expect(await balance("priya")).toBe(750);
  });

  it("purchases: 20 per paid order, 50 per Rs. 500 spent, 150 on every 3rd paid order", async () => {
    const m = "asha";
    await put(`/v1/members/${m}`, {});
    // Placed but unpaid: nothing yet. Paid: 20 for the purchase + 2 × 50 for Rs. 1,250 (floor), not the 3rd order.
    expect(await order("o-1", { memberId: m, lines: [{ sku: "kurta", quantity: 1, amount: rs(1_250) }], shipping: rs(99) })).toBe(0);
    expect(await order("o-1", { memberId: m, lines: [{ sku: "kurta", quantity: 1, amount: rs(1_250) }], shipping: rs(99), paidAt: paid })).toBe(120);
    // Status updates of a paid order change nothing, and do not count it again towards the 3rd.
    expect(await order("o-1", { memberId: m, lines: [{ sku: "kurta", quantity: 1, amount: rs(1_250) }], shipping: rs(99), paidAt: paid, fulfilledAt: "2026-04-02T06:00:00Z" })).toBe(120);
    // Rs. 400: below Rs. 500, only the purchase points; re-sent once it is delivered.
    expect(await order("o-2", { memberId: m, lines: [{ sku: "scarf", quantity: 1, amount: rs(400) }], paidAt: paid })).toBe(20);
    expect(await order("o-2", { memberId: m, lines: [{ sku: "scarf", quantity: 1, amount: rs(400) }], paidAt: paid, deliveredAt: "2026-04-03T06:00:00Z" })).toBe(20);
    // The 3rd paid order: 20 + 50 for Rs. 600 (the Rs. 1,000 gift card does not count) + 150.
    expect(await order("o-3", {
      memberId: m, paidAt: paid,
      lines: [{ sku: "saree", quantity: 1, amount: rs(600) }, { sku: "gift-card", quantity: 1, amount: rs(1_000), giftCard: true }],
    })).toBe(220);
    expect(await balance(m)).toBe(360);

    // The 4th and 5th earn the usual, the 6th the bonus again.
    expect(await order("o-4", { memberId: m, lines: [{ sku: "shawl", quantity: 1, amount: rs(500) }], paidAt: paid })).toBe(70);
    expect(await order("o-5", { memberId: m, lines: [{ sku: "bangle", quantity: 1, amount: rs(199) }], paidAt: paid })).toBe(20);
    expect(await order("o-6", { memberId: m, lines: [{ sku: "dupatta", quantity: 1, amount: rs(999) }], paidAt: paid })).toBe(220);
    expect(await balance(m)).toBe(360 + 70 + 20 + 220);

    // A refund reduces the spend points; cancellation takes back everything the order earned.
    expect(await order("o-1", {
      memberId: m, lines: [{ sku: "kurta", quantity: 1, amount: rs(1_250) }], shipping: rs(99), paidAt: paid,
      refunds: [{ id: "r-1", lines: [{ sku: "kurta", quantity: 1, amount: rs(300) }], amount: rs(300), at: "2026-04-05T06:00:00Z" }],
    })).toBe(70);
    expect(await order("o-3", {
      memberId: m, paidAt: paid, canceledAt: "2026-04-05T07:00:00Z",
      lines: [{ sku: "saree", quantity: 1, amount: rs(600) }, { sku: "gift-card", quantity: 1, amount: rs(1_000), giftCard: true }],
    })).toBe(0);
    expect(await balance(m)).toBe(670 - 50 - 220);

    // Guest orders, POS orders and orders of non-members earn nothing.
    expect(await order("guest-1", { memberId: null, lines: [{ sku: "kurta", quantity: 1, amount: rs(5_000) }], paidAt: paid })).toBe(0);
    expect(await order("pos-1", { memberId: m, channel: "pos", lines: [{ sku: "kurta", quantity: 1, amount: rs(5_000) }], paidAt: paid })).toBe(0);
    await put("/v1/members/walk-in", { isMember: false });
    expect(await order("nm-1", { memberId: "walk-in", lines: [{ sku: "kurta", quantity: 1, amount: rs(5_000) }], paidAt: paid })).toBe(0);
    expect(await balance(m)).toBe(400);
  });

  it("refer a friend: 200 per referred friend, once whoever refers them", async () => {
    expect(await earn("priya", "referral.registered", { referredId: "neha" })).toBe(200);
    expect(await earn("priya", "referral.registered", { referredId: "neha" })).toBe(0);
    expect(await earn("rahul", "referral.registered", { referredId: "neha" })).toBe(0);
    expect(await earn("rahul", "referral.registered", { referredId: "vikram" })).toBe(200);
    expect(await balance("priya")).toBe(950);
    expect(await balance("rahul")).toBe(400);
  });

  it("store visit: 5 once per Kolkata day", async () => {
    await advance("2027-04-10T00:00:00Z"); // 05:30 in Kolkata
    // 2027-04-09 00:10 and 23:50 Kolkata: one local day spanning two UTC days.
    expect(await earn("kiran", "store.visited", {}, "2027-04-08T18:40:00Z")).toBe(5);
    expect(await earn("kiran", "store.visited", {}, "2027-04-09T18:20:00Z")).toBe(0);
    // 2027-04-10 00:05 Kolkata: the next local day.
    expect(await earn("kiran", "store.visited", {}, "2027-04-09T18:35:00Z")).toBe(5);
    expect(await balance("kiran")).toBe(10);
  });

  it("reviews: 50 per reviewed product, once per product", async () => {
    expect(await earn("kiran", "review.posted", { productId: "kurta", rating: 5 })).toBe(50);
    expect(await earn("kiran", "review.posted", { productId: "kurta", rating: 4 })).toBe(0);
    expect(await earn("kiran", "review.posted", { productId: "saree", rating: 5 })).toBe(50);
    expect(await balance("kiran")).toBe(110);
  });

  it("gift codes: the points the code carries, each code once across the store", async () => {
    expect(await earn("kiran", "gift_code.redeemed", { code: "DIWALI-500", points: 500 })).toBe(500);
    expect(await earn("kiran", "gift_code.redeemed", { code: "DIWALI-500", points: 500 })).toBe(0);
    expect(await earn("priya", "gift_code.redeemed", { code: "DIWALI-500", points: 500 })).toBe(0);
    expect(await earn("priya", "gift_code.redeemed", { code: "HOLI-250", points: 250 })).toBe(250);
    expect(await earn("kiran", "gift_code.redeemed", { code: "THANKS-75", points: 75 })).toBe(75);
    expect(await balance("kiran")).toBe(685);
    expect(await balance("priya")).toBe(1_200);
  });

  it("social: follow 25 and share 10, once per network", async () => {
    const m = "meera";
    expect(await earn(m, "social.followed", { network: "instagram" })).toBe(25);
    expect(await earn(m, "social.followed", { network: "instagram" })).toBe(0);
    expect(await earn(m, "social.followed", { network: "facebook" })).toBe(25);
    expect(await earn(m, "social.followed", { network: "youtube" })).toBe(25);
    expect(await earn(m, "social.followed", { network: "myspace" })).toBe(0);
    expect(await earn(m, "social.shared", { network: "facebook" })).toBe(10);
    expect(await earn(m, "social.shared", { network: "facebook" })).toBe(0);
    expect(await earn(m, "social.shared", { network: "whatsapp" })).toBe(10);
    expect(await balance(m)).toBe(95);
  });

  it("non-members earn nothing from activities; points never expire", async () => {
    await put("/v1/members/guest-7", { isMember: false });
    expect(await earn("guest-7", "store.visited")).toBe(0);
    expect(await earn("guest-7", "social.followed", { network: "instagram" })).toBe(0);
    const ran = await advance("2032-01-01T00:00:00Z");
    expect(ran.ran.expired).toBe(0);
    for (const [m, points] of [["priya", 1_200], ["rahul", 400], ["asha", 400], ["kiran", 685], ["meera", 95]] as const) {
      expect((await get(`/v1/members/${m}`)).json()).toMatchObject({ balance: points, pending: 0, expiring: [] });
    }
  });

  it("the simulator replays every store of these scenarios to the ledger's own figures", async () => {
    expect(replayed.length).toBeGreaterThan(0);
    for (const storeId of replayed) await expectFaithfulReplay(t.services, storeId);
  });
});

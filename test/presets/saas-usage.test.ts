import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectFaithfulReplay } from "../support/replay.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { applyPreset, loadPreset } from "../support/presets.ts";

/**
 * The SaaS usage scheme (seeds/000, SellingPilot), replayed through the public API on a sandbox
 * store in Asia/Shanghai (UTC+8): one-time, daily, monthly and lifetime rewards, the catalogue of
 * add-on packs and value-added services, and points that never expire.
 */
describe("preset saas-usage", () => {
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
    return res.json() as { now: string; ran: { matured: number; released: number; expired: number; reminded: number } };
  };
  const balance = async (memberId: string) => (await get(`/v1/members/${memberId}`)).json().balance as number;

  /** Records one event and returns the points it earned (the sum of its awards). */
  const earn = async (memberId: string, type: string, properties: Record<string, unknown> = {}, occurredAt?: string) => {
    const res = await post("/v1/events", { id: `evt-${++seq}`, type, memberId, properties, ...(occurredAt ? { occurredAt } : {}) });
    expect(res.statusCode, res.body).toBe(201);
    const awards = res.json().awards as Array<{ points: number; expiresAt: string | null }>;
    for (const a of awards) expect(a.expiresAt).toBeNull();
    return awards.reduce((sum, a) => sum + a.points, 0);
  };

  const methodIds = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp();
    // 2026-03-01 00:00 in Shanghai.
    store = await createTestStore(t.app, { name: "SellingPilot", timezone: "Asia/Shanghai", currency: "CNY", clock: "2026-02-28T16:00:00Z" });
    replayed.push(store.id);
    await applyPreset(t.app, store.adminKey, "saas-usage");
    const methods = (await get("/v1/redeem-methods?limit=100")).json().data as Array<{ id: string; name: string }>;
    for (const m of methods) methodIds.set(m.name, m.id);
  });
  afterAll(async () => t.close());

  it("imports the whole scheme: fourteen earn rules, seven catalogue items, points that never expire", async () => {
    const rules = (await get("/v1/earn-rules?limit=100")).json().data as unknown[];
    expect(rules).toHaveLength(14);
    expect([...methodIds.keys()].sort()).toEqual([
      "AI add-on pack", "AI image generation", "AI product information optimization", "Email processing credits",
      "Industry report download", "Order add-on pack", "Store add-on pack",
    ]);
    expect((await get("/v1/program")).json().validity).toEqual({ type: "never" });
    // Applying the same document again changes nothing.
    const again = await call(t.app, "PUT", "/v1/program/import?dryRun=true", { key: store.adminKey, body: loadPreset("saas-usage") });
    expect(again.json().diff.earnRules).toMatchObject({ added: [], changed: [], removed: [], unchanged: 14 });
    expect(again.json().diff.redeemMethods).toMatchObject({ added: [], changed: [], removed: [], unchanged: 7 });
  });

  it("registers once per account: 10 points", async () => {
    expect(await earn("acme", "account.registered")).toBe(10);
    expect(await earn("acme", "account.registered")).toBe(0);
    expect(await earn("zeta", "account.registered")).toBe(10);
    expect(await balance("acme")).toBe(10);
  });

  it("binds stores: 10 points once for each store the account binds", async () => {
    expect(await earn("acme", "store.bound", { storeId: "amazon-us-1" })).toBe(10);
    expect(await earn("acme", "store.bound", { storeId: "amazon-us-1" })).toBe(0);
    expect(await earn("acme", "store.bound", { storeId: "shopee-sg-7" })).toBe(10);
    // Another account binding its own store (even one with the same name) earns its own reward.
    expect(await earn("zeta", "store.bound", { storeId: "amazon-us-1" })).toBe(10);
    // Without a store id nothing can be checked, so nothing is awarded.
    expect(await earn("acme", "store.bound", {})).toBe(0);
    expect(await balance("acme")).toBe(30);
  });

  it("rewards the daily login once per Shanghai day: 5 points", async () => {
    await advance("2026-03-02T16:30:00Z"); // 2026-03-03 00:30 in Shanghai
    // 2026-03-02 00:10 and 23:50 Shanghai time: the same local day, though different UTC days.
    expect(await earn("logan", "login", {}, "2026-03-01T16:10:00Z")).toBe(5);
    expect(await earn("logan", "login", {}, "2026-03-02T15:50:00Z")).toBe(0);
    // 2026-03-03 00:05 Shanghai: the next local day (still 2026-03-02 in UTC).
    expect(await earn("logan", "login", {}, "2026-03-02T16:05:00Z")).toBe(5);
    expect(await earn("logan", "login", {}, "2026-03-02T16:20:00Z")).toBe(0);
    expect(await balance("logan")).toBe(10);
  });

  it("pays the survey once, feedback every time", async () => {
    expect(await earn("acme", "survey.completed", { surveyId: "s1" })).toBe(50);
    expect(await earn("acme", "survey.completed", { surveyId: "s2" })).toBe(0);
    expect(await earn("acme", "feedback.submitted", { text: "Great" })).toBe(10);
    expect(await earn("acme", "feedback.submitted", { text: "Bug" })).toBe(10);
    expect(await earn("acme", "feedback.submitted", { text: "Idea" })).toBe(10);
    expect(await balance("acme")).toBe(30 + 50 + 30);
  });

  it("pays one reward per referred customer account, whoever refers them", async () => {
    // Registration: 10 points per new customer account.
    expect(await earn("ref-a", "referral.registered", { referredAccountId: "new-1" })).toBe(10);
    expect(await earn("ref-a", "referral.registered", { referredAccountId: "new-1" })).toBe(0);
    expect(await earn("ref-b", "referral.registered", { referredAccountId: "new-1" })).toBe(0);
    expect(await earn("ref-a", "referral.registered", { referredAccountId: "new-2" })).toBe(10);
    // Store binding: 30 points per new customer account, however many stores it binds.
    expect(await earn("ref-a", "referral.store_bound", { referredAccountId: "new-1", storeId: "s-1" })).toBe(30);
    expect(await earn("ref-a", "referral.store_bound", { referredAccountId: "new-1", storeId: "s-2" })).toBe(0);
    expect(await earn("ref-b", "referral.store_bound", { referredAccountId: "new-1", storeId: "s-3" })).toBe(0);
    expect(await earn("ref-b", "referral.store_bound", { referredAccountId: "new-3", storeId: "s-4" })).toBe(30);
    expect(await balance("ref-a")).toBe(50);
    expect(await balance("ref-b")).toBe(30);
  });

  it("lists products: 10 per 50, accumulated across events, capped at 50 a Shanghai month", async () => {
    await advance("2026-03-31T16:40:00Z"); // 2026-04-01 00:40 in Shanghai
    const m = "lister";
    expect(await earn(m, "products.listed", { count: 30 }, "2026-03-05T02:00:00Z")).toBe(0); // 30
    expect(await earn(m, "products.listed", { count: 30 }, "2026-03-06T02:00:00Z")).toBe(10); // 60: first 50 passed
    expect(await earn(m, "products.listed", { count: 150 }, "2026-03-10T02:00:00Z")).toBe(30); // 210: 40 this month
    // 310 → two more steps (20 points), cut to the 10 left this month.
    expect(await earn(m, "products.listed", { count: 100 }, "2026-03-20T02:00:00Z")).toBe(10);
    // Capped: units still count (360 → one more step) but earn nothing this month.
    expect(await earn(m, "products.listed", { count: 50 }, "2026-03-31T15:00:00Z")).toBe(0); // 23:00 Shanghai
    expect(await balance(m)).toBe(50);
    // 2026-04-01 00:30 Shanghai (still March 31 in UTC): a new month; 400 → one more step.
    expect(await earn(m, "products.listed", { count: 40 }, "2026-03-31T16:30:00Z")).toBe(10);
    expect(await balance(m)).toBe(60);
  });

  it("uses auto repricing and one-click migration once each; other features earn nothing", async () => {
    expect(await earn("acme", "feature.used", { feature: "auto_repricing" })).toBe(20);
    expect(await earn("acme", "feature.used", { feature: "auto_repricing" })).toBe(0);
    expect(await earn("acme", "feature.used", { feature: "one_click_migration" })).toBe(100);
    expect(await earn("acme", "feature.used", { feature: "one_click_migration" })).toBe(0);
    expect(await earn("acme", "feature.used", { feature: "bulk_edit" })).toBe(0);
    expect(await balance("acme")).toBe(110 + 20 + 100);
  });

  it("ships orders: 20 per 10 shipped through SellingPilot only, capped at 500 for life", async () => {
    const m = "shipper";
    // External channels neither earn nor count towards the next 10.
    expect(await earn(m, "orders.shipped", { count: 25, via: "external" })).toBe(0);
    expect(await earn(m, "orders.shipped", { count: 15 })).toBe(0); // no channel given: not through SellingPilot
    expect(await earn(m, "orders.shipped", { count: 15, via: "sellingpilot" })).toBe(20); // 15
    expect(await earn(m, "orders.shipped", { count: 5, via: "sellingpilot" })).toBe(20); // 20
    // 325 → 30 more steps = 600 points, cut to the 460 left of the lifetime 500.
    expect(await earn(m, "orders.shipped", { count: 305, via: "sellingpilot" })).toBe(460);
    expect(await earn(m, "orders.shipped", { count: 10, via: "sellingpilot" })).toBe(0);
    expect(await balance(m)).toBe(500);
    // The cap is for life, not per month.
    await advance("2026-05-02T00:00:00Z");
    expect(await earn(m, "orders.shipped", { count: 50, via: "sellingpilot" })).toBe(0);
    expect(await balance(m)).toBe(500);
  });

  it("pays AI customer service: email binding 100 once, first automation 50 once", async () => {
    expect(await earn("acme", "email.bound", { email: "ops@acme.test" })).toBe(100);
    expect(await earn("acme", "email.bound", { email: "sales@acme.test" })).toBe(0);
    expect(await earn("acme", "automation.first_run", { ruleId: "auto-1" })).toBe(50);
    expect(await earn("acme", "automation.first_run", { ruleId: "auto-2" })).toBe(0);
    expect(await balance("acme")).toBe(230 + 150);
  });

  it("processes emails: 10 per 10, accumulated, capped at 300 for life", async () => {
    const m = "mailer";
    expect(await earn(m, "emails.processed", { count: 7 })).toBe(0);
    expect(await earn(m, "emails.processed", { count: 3 })).toBe(10); // 10
    expect(await earn(m, "emails.processed", { count: 19 })).toBe(10); // 29
    expect(await earn(m, "emails.processed", { count: 1 })).toBe(10); // 30
    // 330 → 30 more steps = 300 points, cut to the 270 left.
    expect(await earn(m, "emails.processed", { count: 300 })).toBe(270);
    expect(await earn(m, "emails.processed", { count: 100 })).toBe(0);
    expect(await balance(m)).toBe(300);
    const activity = (await get(`/v1/members/${m}/activity`)).json().data as Array<{ type: string; points: number; explanation?: { caps?: Array<{ cap: string; limit: number; cut: number }> } }>;
    const capped = activity.find((e) => e.type === "earn" && e.points === 270);
    expect(capped?.explanation?.caps).toEqual([{ cap: "lifetime", limit: 300, used: 30, cut: 30 }]);
  });

  it("redeems every add-on pack and value-added service for an entitlement valid 1 year", async () => {
    await advance("2026-06-01T04:00:00Z"); // 12:00 in Shanghai
    const m = "buyer";
    await put(`/v1/members/${m}`, {});
    const add = await post(`/v1/members/${m}/adjustments`, { points: 1600, reason: "Opening balance for the catalogue test" });
    expect(add.statusCode, add.body).toBe(201);

    const catalogue: Array<[string, number, string, number]> = [
      ["Order add-on pack", 100, "order-addon-pack", 1],
      ["Store add-on pack", 400, "store-addon-pack", 1],
      ["AI add-on pack", 400, "ai-addon-pack", 1],
      ["Industry report download", 150, "industry-report", 1],
      ["Email processing credits", 200, "email-processing-credits", 100],
      ["AI product information optimization", 50, "ai-product-optimization", 30],
      ["AI image generation", 200, "ai-image-generation", 10],
    ];
    let left = 1600;
    for (const [name, points, sku, units] of catalogue) {
      const res = await post("/v1/redemptions", { memberId: m, methodId: methodIds.get(name) });
      expect(res.statusCode, res.body).toBe(201);
      left -= points;
      expect(res.json()).toMatchObject({
        status: "completed", points,
        entitlement: { sku, units, unitsRemaining: units, expiresAt: "2027-06-01T04:00:00.000Z" },
      });
      expect(await balance(m)).toBe(left);
    }
    expect(left).toBe(100);

    // 200 points → 100 email credits: not enough points left for a second pack.
    const refused = await post("/v1/redemptions", { memberId: m, methodId: methodIds.get("Email processing credits") });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe("insufficient_points");
    expect(await balance(m)).toBe(100);

    const entitlements = (await get(`/v1/members/${m}/entitlements`)).json().data as Array<{ id: string; sku: string; unitsRemaining: number; expiresAt: string }>;
    expect(entitlements).toHaveLength(7);
    const credits = entitlements.find((e) => e.sku === "email-processing-credits")!;
    const used = await post(`/v1/entitlements/${credits.id}/consume`, { units: 30 });
    expect(used.statusCode, used.body).toBe(200);
    expect(used.json()).toMatchObject({ units: 100, unitsRemaining: 70 });
    const tooMany = await post(`/v1/entitlements/${credits.id}/consume`, { units: 71 });
    expect(tooMany.json().code).toBe("insufficient_units");

    // Still usable on the last day of the year, refused once it has passed.
    await advance("2027-06-01T03:59:00Z");
    expect((await post(`/v1/entitlements/${credits.id}/consume`, { units: 20 })).json().unitsRemaining).toBe(50);
    await advance("2027-06-01T04:00:00Z");
    const expired = await post(`/v1/entitlements/${credits.id}/consume`, { units: 1 });
    expect(expired.json().code).toBe("expired");
  });

  it("never expires points: years later every balance is whole", async () => {
    const before = new Map<string, number>();
    const members = ["acme", "zeta", "logan", "ref-a", "ref-b", "lister", "shipper", "mailer", "buyer"];
    for (const m of members) before.set(m, await balance(m));
    expect(Object.fromEntries(before)).toEqual({
      acme: 380, zeta: 20, logan: 10, "ref-a": 50, "ref-b": 30, lister: 60, shipper: 500, mailer: 300, buyer: 100,
    });
    const ran = await advance("2031-12-31T16:00:00Z");
    expect(ran.ran.expired).toBe(0);
    for (const m of members) {
      const view = (await get(`/v1/members/${m}`)).json();
      expect(view).toMatchObject({ balance: before.get(m), pending: 0, expiring: [] });
    }
    // Points earned years later still count, and still never expire.
    expect(await earn("acme", "feedback.submitted", { text: "Still here" })).toBe(10);
    expect(await balance("acme")).toBe(390);
  });

  it("the simulator replays every store of these scenarios to the ledger's own figures", async () => {
    expect(replayed.length).toBeGreaterThan(0);
    for (const storeId of replayed) await expectFaithfulReplay(t.services, storeId);
  });
});

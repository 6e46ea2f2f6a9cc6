import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { expectFieldErrors } from "../support/http.ts";

/**
 * SPEC §3: every earn rule and redeem method may carry an `icon`, an https: URL or a data:image/…
 * URI of at most 100 000 characters; it is kept and given back wherever rules and methods are read.
 */
describe("icons on earn rules and redeem methods", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const api = (method: string, url: string, body?: unknown, s: TestStore = store) => call(t.app, method, url, { key: s.adminKey, body });
  const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  const HTTPS = "https://cdn.example.com/icons/cart.svg";
  const rule = (over: Record<string, unknown> = {}) => ({ name: "Sign-up", event: "account.registered", award: { type: "fixed", points: 50 }, limits: { once: true }, ...over });
  const method = (over: Record<string, unknown> = {}) => ({ type: "coupon", name: "10% off", points: 300, discount: { type: "percent", percent: 10 }, ...over });

  const BAD: Array<[string, unknown]> = [
    ["http", "http://cdn.example.com/icon.png"],
    ["javascript", "javascript:alert(1)"],
    ["html data URI", "data:text/html,<script>alert(1)</script>"],
    ["svg without the data: scheme", "image/svg+xml,<svg/>"],
    ["no host", "https://"],
    ["relative path", "/icons/cart.png"],
    ["empty", ""],
    ["too long", `data:image/png;base64,${"A".repeat(100_000 - 21)}`],
    ["not a string", 5],
  ];

  it("accepts an https: URL or a data:image URI, up to 100 000 characters, and gives it back on GET and list", async () => {
    const longest = `data:image/png;base64,${"A".repeat(100_000 - 22)}`;
    expect(longest).toHaveLength(100_000);
    const created = await api("POST", "/v1/earn-rules", rule({ icon: HTTPS }));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().icon).toBe(HTTPS);
    const id = created.json().id;
    expect((await api("GET", `/v1/earn-rules/${id}`)).json().icon).toBe(HTTPS);
    const big = await api("POST", "/v1/earn-rules", rule({ name: "Birthday", event: "birthday", icon: longest }));
    expect(big.statusCode, big.body).toBe(201);
    const listed = (await api("GET", "/v1/earn-rules")).json().data;
    expect(listed.find((r: { id: string }) => r.id === id).icon).toBe(HTTPS);
    expect(listed.find((r: { id: string }) => r.id === big.json().id).icon).toBe(longest);

    const m = await api("POST", "/v1/redeem-methods", method({ icon: PNG }));
    expect(m.statusCode, m.body).toBe(201);
    expect(m.json().icon).toBe(PNG);
    expect((await api("GET", `/v1/redeem-methods/${m.json().id}`)).json().icon).toBe(PNG);
    expect((await api("GET", "/v1/redeem-methods")).json().data.find((x: { id: string }) => x.id === m.json().id).icon).toBe(PNG);
    for (const type of ["cashback", "catalog", "product"] as const) {
      const body = {
        cashback: { type, name: "Cashback", points: 10, amount: 100 },
        catalog: { type, name: "Pack", points: 100, grant: { sku: "pack", units: 1 } },
        product: { type, name: "Mug", points: 100, product: { sku: "mug", name: "Mug" } },
      }[type];
      const res = await api("POST", "/v1/redeem-methods", { ...body, icon: "data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E" });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(201);
    }
    // Without an icon, there is none.
    expect((await api("POST", "/v1/earn-rules", rule({ name: "Login", event: "login" }))).json().icon).toBeUndefined();
  });

  it("refuses anything else with 422 naming icon, on rules and on every kind of method", async () => {
    for (const [label, icon] of BAD) {
      const r = await api("POST", "/v1/earn-rules", rule({ icon }));
      try {
        expectFieldErrors(r, ["icon"]);
        expectFieldErrors(await api("POST", "/v1/redeem-methods", method({ icon })), ["icon"]);
        expectFieldErrors(await api("POST", "/v1/redeem-methods", { type: "cashback", name: "Cashback", points: 10, amount: 100, icon }), ["icon"]);
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message}`);
      }
    }
  });

  it("PATCH changes or removes the icon, and refuses a bad one", async () => {
    const r = (await api("POST", "/v1/earn-rules", rule({ name: "Review", event: "review.posted", icon: HTTPS }))).json();
    expect((await api("PATCH", `/v1/earn-rules/${r.id}`, { icon: PNG })).json().icon).toBe(PNG);
    expectFieldErrors(await api("PATCH", `/v1/earn-rules/${r.id}`, { icon: "javascript:alert(1)" }), ["icon"]);
    expect((await api("GET", `/v1/earn-rules/${r.id}`)).json().icon).toBe(PNG);
    expect((await api("PATCH", `/v1/earn-rules/${r.id}`, { icon: null })).json().icon).toBeNull();

    const m = (await api("POST", "/v1/redeem-methods", method({ name: "Free shipping", discount: { type: "free_shipping" } }))).json();
    expect((await api("PATCH", `/v1/redeem-methods/${m.id}`, { icon: HTTPS })).json().icon).toBe(HTTPS);
    expectFieldErrors(await api("PATCH", `/v1/redeem-methods/${m.id}`, { icon: "http://cdn.example.com/x.png" }), ["icon"]);
    expect((await api("GET", `/v1/redeem-methods/${m.id}`)).json().icon).toBe(HTTPS);
  });

  it("the program document carries the icons out and back in; a bad icon in a document is refused naming it", async () => {
    const source = await createTestStore(t.app);
    expect((await api("POST", "/v1/earn-rules", rule({ icon: HTTPS }), source)).statusCode).toBe(201);
    expect((await api("POST", "/v1/redeem-methods", method({ icon: PNG }), source)).statusCode).toBe(201);
    const exported = (await api("GET", "/v1/program/export", undefined, source)).json();
    expect(exported.earnRules.map((r: { icon?: string }) => r.icon)).toEqual([HTTPS]);
    expect(exported.redeemMethods.map((m: { icon?: string }) => m.icon)).toEqual([PNG]);

    const target = await createTestStore(t.app);
    const { earnRules, redeemMethods, settings, tiers } = exported;
    const doc = { settings, tiers, earnRules: earnRules.map(({ id: _id, ...r }: { id: string }) => r), redeemMethods: redeemMethods.map(({ id: _id, ...m }: { id: string }) => m) };
    const imported = await api("PUT", "/v1/program/import", doc, target);
    expect(imported.statusCode, imported.body).toBe(200);
    expect((await api("GET", "/v1/earn-rules", undefined, target)).json().data.map((r: { icon?: string }) => r.icon)).toEqual([HTTPS]);
    expect((await api("GET", "/v1/redeem-methods", undefined, target)).json().data.map((m: { icon?: string }) => m.icon)).toEqual([PNG]);

    const bad = { ...doc, earnRules: [{ ...doc.earnRules[0], icon: "data:text/html,<b>x</b>" }], redeemMethods: [{ ...doc.redeemMethods[0], icon: "http://x.example/i.png" }] };
    expectFieldErrors(await api("PUT", "/v1/program/import", bad, target), ["earnRules.0.icon", "redeemMethods.0.icon"]);
  });
});

import { SignJWT, base64url } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { kindsUnderTest } from "../support/db.ts";

const sign = (secret: string, claims: { iss: string; sub: string; iat: number; exp: number }, alg = "HS256") =>
  new SignJWT({}).setProtectedHeader({ alg }).setIssuer(claims.iss).setSubject(claims.sub).setIssuedAt(claims.iat).setExpirationTime(claims.exp).sign(new TextEncoder().encode(secret));

/** `alg: none`: a header and claims with no signature at all. */
const unsigned = (claims: Record<string, unknown>) =>
  `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url.encode(JSON.stringify(claims))}.`;

describe.each(kindsUnderTest())("member tokens and /v1/me on %s", (kind) => {
  let t: TestApp;
  let store: TestStore;
  let secret: string;
  const now = () => Math.floor(t.clock.now().getTime() / 1000);

  beforeAll(async () => {
    t = await startTestApp(kind);
    store = await createTestStore(t.app, { name: "Tea House" });
    const key = store.adminKey;
    await call(t.app, "PATCH", "/v1/program", { key, body: { pointsName: { en: "Leaves", "zh-TW": "茶葉點" }, rulesText: { en: "1 leaf per $1.", "zh-TW": "每消費 1 元得 1 點。" } } });
    await call(t.app, "POST", "/v1/members/alice/adjustments", { key, body: { points: 1_000, reason: "Welcome" } });
    await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "cashback", name: "Leaves off", points: 100, amount: 100, minSubtotal: 2_000 } });
    await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "catalog", name: "Tea sampler", points: 300, grant: { sku: "sampler", units: 1 } } });
    await call(t.app, "POST", "/v1/redeem-methods", { key, body: { type: "catalog", name: "Teapot", points: 5_000, grant: { sku: "pot", units: 1 } } });
    secret = (await call(t.app, "POST", "/v1/member-token-secret/rotate", { key })).json().secret;
  });
  afterAll(async () => t.close());

  const me = (token: string, path = "/v1/me", extra: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    call(t.app, extra.method ?? "GET", path, { key: token, ...(extra.body !== undefined ? { body: extra.body } : {}), ...(extra.headers ? { headers: extra.headers } : {}) });

  const refusedAsInvalidToken = async (res: { statusCode: number; body: string }, why: RegExp) => {
    expect(res.statusCode, res.body).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ code: "invalid_token", detail: expect.stringMatching(why) });
  };

  it("issues a token that opens /v1/me: balance, cash value, rules and rewards in the member's language", async () => {
    const issued = await call(t.app, "POST", "/v1/member-tokens", { key: await store.key("points_manager"), body: { memberId: "alice", ttlSeconds: 600 } });
    expect(issued.statusCode, issued.body).toBe(201);
    const { token, expiresAt } = issued.json();
    expect(Date.parse(expiresAt) - t.clock.now().getTime()).toBe(600_000);
    const res = await me(token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      memberId: "alice", storeName: "Tea House", enabled: true, pointsName: "Leaves", rulesText: "1 leaf per $1.", balance: 1_000,
      cashValue: { amount: 1_000, currency: "USD" }, history: { data: [expect.objectContaining({ type: "adjust", points: 1_000, reason: "Welcome" })] },
    });
    expect(res.json().history.data[0]).not.toHaveProperty("actor");
    expect(res.json().rewards).toEqual([
      expect.objectContaining({ name: "Tea sampler", type: "catalog", points: 300, affordable: true }),
      expect.objectContaining({ name: "Teapot", points: 5_000, affordable: false }),
    ]);
    expect((await me(token, "/v1/me?lang=zh-TW")).json()).toMatchObject({ pointsName: "茶葉點", rulesText: "每消費 1 元得 1 點。", language: "zh-TW" });
  });

  it("refuses, as 401 invalid_token: expired, wrongly signed, alg none, another store's, a member never seen, over 24 h, a staff key", async () => {
    const iat = now();
    await refusedAsInvalidToken(await me(await sign(secret, { iss: store.id, sub: "alice", iat: iat - 7_200, exp: iat - 60 })), /expired/);
    await refusedAsInvalidToken(await me(await sign("not-the-secret-at-all", { iss: store.id, sub: "alice", iat, exp: iat + 600 })), /signature/);
    await refusedAsInvalidToken(await me(unsigned({ iss: store.id, sub: "alice", iat, exp: iat + 600 })), /HS256/);
    await refusedAsInvalidToken(await me(await sign(secret, { iss: store.id, sub: "alice", iat, exp: iat + 600 }, "HS512")), /HS256/);
    const other = await createTestStore(t.app);
    const otherSecret = (await call(t.app, "POST", "/v1/member-token-secret/rotate", { key: other.adminKey })).json().secret;
    // Signed by the other store for its own id, but naming this store: the signature does not match this store's secret.
    await refusedAsInvalidToken(await me(await sign(otherSecret, { iss: store.id, sub: "alice", iat, exp: iat + 600 })), /signature/);
    // The other store's valid token opens only the other store's member (who does not exist there).
    await refusedAsInvalidToken(await me(await sign(otherSecret, { iss: other.id, sub: "alice", iat, exp: iat + 600 })), /member/);
    await refusedAsInvalidToken(await me(await sign(secret, { iss: store.id, sub: "nobody", iat, exp: iat + 600 })), /member/);
    await refusedAsInvalidToken(await me(await sign(secret, { iss: store.id, sub: "alice", iat, exp: iat + 90_000 })), /24 hours/);
    await refusedAsInvalidToken(await me(store.adminKey), /staff key/);
    await refusedAsInvalidToken(await me("not.a.jwt"), /not a JWT/);
    const missing = await call(t.app, "GET", "/v1/me");
    expect(missing.statusCode).toBe(401);
  });

  it("a member token opens nothing but /v1/me…", async () => {
    const token = await sign(secret, { iss: store.id, sub: "alice", iat: now(), exp: now() + 600 });
    for (const path of ["/v1/members/alice", "/v1/program", "/v1/session"]) await refusedAsInvalidToken(await call(t.app, "GET", path, { key: token }), /only \/v1\/me/);
    await refusedAsInvalidToken(await call(t.app, "POST", "/v1/members/alice/adjustments", { key: token, body: { points: 5, reason: "x" } }), /only \/v1\/me/);
  });

  it("a merchant-signed token verifies with the previous secret for 24 h after a rotation, not after", async () => {
    const iat = now();
    const old = await sign(secret, { iss: store.id, sub: "alice", iat, exp: iat + 80_000 });
    const rotated = (await call(t.app, "POST", "/v1/member-token-secret/rotate", { key: store.adminKey })).json();
    expect(rotated.secret).not.toBe(secret);
    expect((await me(old)).statusCode).toBe(200);
    const wall = t.clock.now();
    t.clock.set(new Date(wall.getTime() + 24 * 3_600_000 + 60_000));
    try {
      await refusedAsInvalidToken(await me(old), /signature/);
      const fresh = await sign(rotated.secret, { iss: store.id, sub: "alice", iat: now(), exp: now() + 600 });
      expect((await me(fresh)).statusCode).toBe(200);
    } finally {
      t.clock.set(wall);
      secret = rotated.secret;
    }
    // The audit log names the rotation, never a secret.
    const audit = await call(t.app, "GET", "/v1/audit-log", { key: store.adminKey });
    expect(audit.body).toContain("member_token_secret.rotated");
    expect(audit.body).not.toContain(rotated.secret);
  });

  it("the member redeems a catalogue item (once per Idempotency-Key); cashback is refused here; the balance drops", async () => {
    const token = await sign(secret, { iss: store.id, sub: "alice", iat: now(), exp: now() + 600 });
    const sampler = (await me(token)).json().rewards.find((r: { name: string }) => r.name === "Tea sampler").methodId;
    const first = await me(token, "/v1/me/redemptions", { method: "POST", body: { methodId: sampler }, headers: { "idempotency-key": "redeem-1" } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: "completed", points: 300, entitlement: { sku: "sampler" } });
    const again = await me(token, "/v1/me/redemptions", { method: "POST", body: { methodId: sampler }, headers: { "idempotency-key": "redeem-1" } });
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect((await me(token)).json().balance).toBe(700);
    const methods = (await call(t.app, "GET", "/v1/redeem-methods", { key: store.adminKey })).json().data as Array<{ id: string; type: string }>;
    const cashback = methods.find((m) => m.type === "cashback")!.id;
    const refused = await me(token, "/v1/me/redemptions", { method: "POST", body: { methodId: cashback } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].path).toBe("methodId");
    const history = await me(token, "/v1/me/activity?limit=1");
    expect(history.json().data[0]).toMatchObject({ type: "redeem", points: -300 });
  });

  it("quotes a cart for the checkout widget, with the reason when nothing can be used", async () => {
    const token = await sign(secret, { iss: store.id, sub: "alice", iat: now(), exp: now() + 600 });
    const big = await me(token, "/v1/me/checkout/quote?lang=zh-TW", { method: "POST", body: { lines: [{ sku: "tea", quantity: 1, amount: 10_000 }] } });
    expect(big.statusCode, big.body).toBe(200);
    expect(big.json()).toMatchObject({ maxPoints: 700, maxDiscount: 700, currency: "USD", pointsName: "茶葉點", rate: { points: 100, amount: 100 } });
    const small = await me(token, "/v1/me/checkout/quote", { method: "POST", body: { lines: [{ sku: "tea", quantity: 1, amount: 500 }] } });
    expect(small.json()).toMatchObject({ maxPoints: 0, reasonCode: "below_min_subtotal" });
  });

  it("answers browsers from the program's allowedOrigins with CORS, preflight included", async () => {
    const token = await sign(secret, { iss: store.id, sub: "alice", iat: now(), exp: now() + 600 });
    const shop = "http://shop.example:8081";
    const pre = await t.app.inject({ method: "OPTIONS", url: "/v1/me", headers: { origin: shop, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe(shop);
    expect(String(pre.headers["access-control-allow-headers"])).toContain("authorization");
    // Not listed yet: the answer carries no CORS header, so the browser keeps it from the page.
    const before = await me(token, "/v1/me", { headers: { origin: shop } });
    expect(before.statusCode).toBe(200);
    expect(before.headers["access-control-allow-origin"]).toBeUndefined();
    expect((await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { allowedOrigins: [shop] } })).statusCode).toBe(200);
    const after = await me(token, "/v1/me", { headers: { origin: shop } });
    expect(after.headers["access-control-allow-origin"]).toBe(shop);
    expect((await me(token, "/v1/me", { headers: { origin: "http://evil.example" } })).headers["access-control-allow-origin"]).toBeUndefined();
    // A refused token is readable by the page, so the widget can say the session expired.
    const expired = await me(await sign(secret, { iss: store.id, sub: "alice", iat: now() - 7_200, exp: now() - 1 }), "/v1/me", { headers: { origin: shop } });
    expect(expired.statusCode).toBe(401);
    expect(expired.headers["access-control-allow-origin"]).toBe(shop);
    const bad = await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { allowedOrigins: ["https://shop.example/path"] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe("allowedOrigins.0");
  });

  it("shows no points data while the program is disabled", async () => {
    const token = await sign(secret, { iss: store.id, sub: "alice", iat: now(), exp: now() + 600 });
    await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { enabled: false } });
    try {
      const body = (await me(token)).json();
      expect(body).toMatchObject({ enabled: false, pointsName: "Leaves" });
      expect(body).not.toHaveProperty("balance");
      expect(body).not.toHaveProperty("history");
    } finally {
      await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { enabled: true } });
    }
  });

  it("refuses a token for a member never seen when issuing", async () => {
    const res = await call(t.app, "POST", "/v1/member-tokens", { key: store.adminKey, body: { memberId: "ghost" } });
    expect(res.statusCode).toBe(404);
    const long = await call(t.app, "POST", "/v1/member-tokens", { key: store.adminKey, body: { memberId: "alice", ttlSeconds: 86_401 } });
    expect(long.statusCode).toBe(422);
    expect(long.json().errors[0].path).toBe("ttlSeconds");
  });
});

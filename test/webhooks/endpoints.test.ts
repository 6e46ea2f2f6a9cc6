import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { adjust, createEndpoint, deliver, deliveries } from "./support.ts";
import { startReceiver, type Receiver } from "../delivery/webhooks/receiver.ts";

describe("webhook endpoints API", () => {
  let guarded: TestApp;
  let open: TestApp;
  let store: TestStore;
  let r: Receiver;

  beforeAll(async () => {
    guarded = await startTestApp();
    open = await startTestApp(undefined, { webhookAllowPrivate: true });
    store = await createTestStore(open.app);
    r = await startReceiver();
  });
  afterAll(async () => {
    await r.close();
    await guarded.close();
    await open.close();
  });

  it("refuses a private, loopback or metadata address at creation with 422 naming url, unless allowed", async () => {
    const s = await createTestStore(guarded.app);
    for (const url of ["http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://10.0.0.5/hooks", "http://169.254.169.254/latest", "http://[::1]/x"]) {
      const res = await call(guarded.app, "POST", "/v1/webhook-endpoints", { key: s.adminKey, body: { url, events: ["*"] } });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(422);
      expect(res.json().errors).toEqual([expect.objectContaining({ path: "url" })]);
    }
    const ok = await call(guarded.app, "POST", "/v1/webhook-endpoints", { key: s.adminKey, body: { url: "https://93.184.215.14/hooks", events: ["*"] } });
    expect(ok.statusCode, ok.body).toBe(201);
    const moved = await call(guarded.app, "PATCH", `/v1/webhook-endpoints/${ok.json().id}`, { key: s.adminKey, body: { url: "http://192.168.1.1/x" } });
    expect(moved.statusCode).toBe(422);
    expect(moved.json().errors[0].path).toBe("url");
  });

  it("creates, lists, reads, changes and deletes; the secret is shown only at creation", async () => {
    const created = await call(open.app, "POST", "/v1/webhook-endpoints", { key: store.adminKey, body: { url: r.url, events: ["member.points_changed"], description: "CRM" } });
    expect(created.statusCode, created.body).toBe(201);
    const e = created.json();
    expect(e).toMatchObject({ id: expect.stringMatching(/^whe_/), url: r.url, events: ["member.points_changed"], description: "CRM", enabled: true, secret: expect.stringMatching(/^whsec_/) });
    const got = (await call(open.app, "GET", `/v1/webhook-endpoints/${e.id}`, { key: store.adminKey })).json();
    expect(got).not.toHaveProperty("secret");
    expect((await call(open.app, "GET", "/v1/webhook-endpoints", { key: store.adminKey })).json().data.map((x: any) => x.id)).toContain(e.id);
    const patched = await call(open.app, "PATCH", `/v1/webhook-endpoints/${e.id}`, { key: store.adminKey, body: { events: ["*"], enabled: false } });
    expect(patched.json()).toMatchObject({ events: ["*"], enabled: false, description: "CRM" });
    const bad = await call(open.app, "POST", "/v1/webhook-endpoints", { key: store.adminKey, body: { url: r.url, events: ["no.such"] } });
    expect(bad.statusCode).toBe(422);
    expect((await call(open.app, "DELETE", `/v1/webhook-endpoints/${e.id}`, { key: store.adminKey })).statusCode).toBe(200);
    expect((await call(open.app, "GET", `/v1/webhook-endpoints/${e.id}`, { key: store.adminKey })).statusCode).toBe(404);
    expect((await call(open.app, "DELETE", `/v1/webhook-endpoints/${e.id}`, { key: store.adminKey })).statusCode).toBe(404);
  });

  it("another store's key finds nothing (404) and changes nothing; a points manager is refused", async () => {
    const endpoint = await createEndpoint(open, store, { url: r.url });
    await adjust(open, store, "m1", 10);
    await deliver(open);
    const [d] = (await deliveries(open, store, endpoint.id)).data;
    const other = await createTestStore(open.app);
    const tries: Array<[string, string, unknown?]> = [
      ["GET", `/v1/webhook-endpoints/${endpoint.id}`],
      ["PATCH", `/v1/webhook-endpoints/${endpoint.id}`, { enabled: false }],
      ["DELETE", `/v1/webhook-endpoints/${endpoint.id}`],
      ["POST", `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`],
      ["GET", `/v1/webhook-endpoints/${endpoint.id}/deliveries`],
      ["POST", `/v1/webhook-deliveries/${d.id}/replay`],
    ];
    for (const [method, url, body] of tries) {
      const res = await call(open.app, method, url, { key: other.adminKey, ...(body !== undefined ? { body } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
    }
    expect((await call(open.app, "GET", "/v1/webhook-endpoints", { key: other.adminKey })).json().data).toEqual([]);
    const manager = await store.key("points_manager");
    expect((await call(open.app, "GET", "/v1/webhook-endpoints", { key: manager })).statusCode).toBe(403);
    expect((await call(open.app, "GET", `/v1/webhook-endpoints/${endpoint.id}`, { key: store.adminKey })).json()).toMatchObject({ enabled: true });
    expect((await deliveries(open, store, endpoint.id)).data[0]).toMatchObject({ id: d.id, status: "delivered", attempts: 1 });
  });
});

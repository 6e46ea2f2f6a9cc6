import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { outgoingData } from "../../src/core/outgoing/events.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { startReceiver, type Receiver } from "../delivery/webhooks/receiver.ts";
import { adjust, createEndpoint, deliver, deliveries, later, signatureHeaders } from "./support.ts";

describe("webhook delivery through the API", () => {
  let t: TestApp;
  let store: TestStore;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  beforeEach(async () => {
    t = await startTestApp(undefined, { webhookAllowPrivate: true });
    store = await createTestStore(t.app);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await t.close();
  });

  it("POSTs an adjustment's event signed by Standard Webhooks over the raw body", async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(t, store, { url: r.url });
    expect(endpoint.secret).toMatch(/^whsec_/);
    await adjust(t, store, "m1", 100);

    await deliver(t);
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    expect(got.method).toBe("POST");
    expect(got.headers["pointbook-event-type"]).toBe("member.points_changed");
    const event = new Webhook(endpoint.secret).verify(got.body, signatureHeaders(got.headers)) as any;
    expect(event).toMatchObject({ type: "member.points_changed", storeId: store.id, memberId: "m1" });
    expect(got.headers["webhook-id"]).toBe(event.id);
    outgoingData["member.points_changed"].parse(event.data);
    expect(event.data).toMatchObject({ points: 100, balance: 100, reason: "webhook test" });

    const list = await deliveries(t, store, endpoint.id);
    expect(list.data).toEqual([expect.objectContaining({ eventId: event.id, type: "member.points_changed", status: "delivered", attempts: 1, lastStatus: 204, lastError: null, nextAttemptAt: null })]);
    expect(list.data[0].deliveredAt).not.toBeNull();

    // Nothing is sent twice: a second pass finds nothing due.
    await deliver(t);
    expect(r.received).toHaveLength(1);
  });

  it("sends an endpoint only the event types it subscribed to", async () => {
    const tiers = await receiver();
    const points = await receiver();
    await createEndpoint(t, store, { url: tiers.url, events: ["member.tier_changed"] });
    await createEndpoint(t, store, { url: points.url, events: ["member.points_changed"] });
    await adjust(t, store, "m1", 10);
    await deliver(t);
    expect(tiers.received).toHaveLength(0);
    expect(points.received.map((x) => x.headers["pointbook-event-type"])).toEqual(["member.points_changed"]);
  });

  it("sends nothing to a disabled or deleted endpoint", async () => {
    const r = await receiver();
    const disabled = await createEndpoint(t, store, { url: r.url, enabled: false });
    const deleted = await createEndpoint(t, store, { url: r.url });
    expect((await call(t.app, "DELETE", `/v1/webhook-endpoints/${deleted.id}`, { key: store.adminKey })).statusCode).toBe(200);
    await adjust(t, store, "m1", 10);
    await deliver(t);
    expect(r.received).toHaveLength(0);
    expect((await deliveries(t, store, disabled.id)).data).toEqual([]);
    expect((await call(t.app, "GET", `/v1/webhook-endpoints/${deleted.id}`, { key: store.adminKey })).statusCode).toBe(404);
  });

  it("retries a receiver that fails twice and records it delivered on the third attempt", async () => {
    let calls = 0;
    const r = await receiver((_req, res) => res.writeHead(++calls <= 2 ? 500 : 200).end());
    const endpoint = await createEndpoint(t, store, { url: r.url });
    await adjust(t, store, "m1", 10);

    await deliver(t, { now: later(0) });
    let [d] = (await deliveries(t, store, endpoint.id)).data;
    expect(d).toMatchObject({ status: "failed", attempts: 1, lastStatus: 500, lastError: "HTTP 500" });
    // Base 1 s, no jitter: the first retry is due 0.5 s later (equal jitter keeps half the delay fixed).
    expect(Date.parse(d.nextAttemptAt)).toBe(later(0).getTime() + 500);

    // Not due yet: nothing is sent.
    await deliver(t, { now: later(0) });
    expect(r.received).toHaveLength(1);
    await deliver(t, { now: later(1) });
    [d] = (await deliveries(t, store, endpoint.id)).data;
    expect(d).toMatchObject({ status: "failed", attempts: 2, lastStatus: 500 });
    await deliver(t, { now: later(2) });
    [d] = (await deliveries(t, store, endpoint.id)).data;
    expect(d).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200, lastError: null, nextAttemptAt: null });
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((x) => x.headers["webhook-id"])).size).toBe(1);
  });

  it("records a receiver that never answers as a timeout, while the others are delivered in the same pass", async () => {
    const silent = await receiver(() => undefined);
    const fine = await receiver();
    const slow = await createEndpoint(t, store, { url: silent.url });
    const fast = await createEndpoint(t, store, { url: fine.url });
    for (let i = 0; i < 3; i++) await adjust(t, store, `m${i}`, 10);

    const started = Date.now();
    await deliver(t, { timeoutMs: 400 });
    // Sent side by side: three timeouts cost about one, not three.
    expect(Date.now() - started).toBeLessThan(1_100);
    expect(fine.received).toHaveLength(3);
    for (const d of (await deliveries(t, store, slow.id)).data) expect(d).toMatchObject({ status: "failed", attempts: 1, lastStatus: null, lastError: "timed out after 400 ms" });
    for (const d of (await deliveries(t, store, fast.id)).data) expect(d.status).toBe("delivered");
  });

  it("gives up after the last attempt: dead, never sent again", async () => {
    const r = await receiver((_req, res) => res.writeHead(503).end());
    const endpoint = await createEndpoint(t, store, { url: r.url });
    await adjust(t, store, "m1", 10);
    for (let i = 0; i < 3; i++) await deliver(t, { now: later(i * 60), maxAttempts: 3 });
    const [d] = (await deliveries(t, store, endpoint.id)).data;
    expect(d).toMatchObject({ status: "dead", attempts: 3, lastStatus: 503, nextAttemptAt: null });
    await deliver(t, { now: later(24 * 60), maxAttempts: 3 });
    expect(r.received).toHaveLength(3);
  });

  it("replays a delivery: 202, pending and due now, attempts kept, the same event sent again", async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(t, store, { url: r.url });
    await adjust(t, store, "m1", 10);
    await deliver(t);
    const [d] = (await deliveries(t, store, endpoint.id)).data;

    const res = await call(t.app, "POST", `/v1/webhook-deliveries/${d.id}/replay`, { key: store.adminKey });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ id: d.id, status: "pending", attempts: 1 });
    await deliver(t);
    expect((await deliveries(t, store, endpoint.id)).data[0]).toMatchObject({ id: d.id, status: "delivered", attempts: 2 });
    expect(r.received.map((x) => x.headers["webhook-id"])).toEqual([d.eventId, d.eventId]);
    expect(r.received[1]!.body.equals(r.received[0]!.body)).toBe(true);
  });

  it("signs with both secrets after a rotation, each verifying on its own", async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(t, store, { url: r.url });
    const rotated = await call(t.app, "POST", `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { key: store.adminKey });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret } = rotated.json();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);
    await adjust(t, store, "m1", 10);
    await deliver(t);
    const got = r.received[0]!;
    expect(String(got.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const s of [secret, endpoint.secret]) expect(new Webhook(s).verify(got.body, signatureHeaders(got.headers))).toBeTruthy();

    // After 24 h the old secret no longer signs.
    await adjust(t, store, "m1", 10);
    await deliver(t, { now: later(24 * 60 + 1) });
    expect(String(r.received[1]!.headers["webhook-signature"]).split(" ")).toHaveLength(1);
  });

  it("pages an endpoint's deliveries newest first", async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(t, store, { url: r.url });
    for (let i = 0; i < 5; i++) await adjust(t, store, "m1", i + 1);
    await deliver(t);
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await deliveries(t, store, endpoint.id, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen.map((d) => d.id)).size).toBe(5);
    expect(seen.map((d) => d.id)).toEqual([...seen.map((d) => d.id)].sort().reverse());
    const points = seen.map((d) => JSON.parse(r.received.find((x) => x.headers["webhook-id"] === d.eventId)!.body.toString()).data.points);
    expect(points).toEqual([5, 4, 3, 2, 1]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { dispatchOutgoing } from "../../src/services/dispatch.ts";
import { runNotificationDeliveries, type NotificationTransports } from "../../src/services/notifications/deliver.ts";
import { notificationFanOut } from "../../src/services/notifications/fan-out.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { kindsUnderTest } from "../support/db.ts";
import { closedPort, emailTransport, smsInbox, smsTransport, smtpInbox } from "./helpers.ts";

/**
 * SPEC §3 Member notifications through the HTTP API: adjustments and program settings by HTTP,
 * outgoing events dispatched into messages, then sent to a real SMTP server and a local SMS adapter.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface NotificationView {
  id: string;
  scenario: string;
  channel: "email" | "sms";
  to: string | null;
  status: string;
  subject?: string;
  at: string;
  error?: string;
}

describe.each(kindsUnderTest())("member notifications on %s", (kind) => {
  let t: TestApp;
  let store: TestStore;
  let tag: string;

  async function setup(program: Record<string, unknown> = {}) {
    t = await startTestApp(kind);
    cleanups.push(() => t.close());
    store = await createTestStore(t.app, { name: "Good Coffee" });
    tag = store.id.slice(-8);
    if (Object.keys(program).length > 0) {
      const res = await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: program });
      expect(res.statusCode, res.body).toBe(200);
    }
  }

  async function member(id: string, attrs: Record<string, unknown>) {
    const res = await call(t.app, "PUT", `/v1/members/${id}`, { key: store.adminKey, body: attrs });
    expect(res.statusCode, res.body).toBe(200);
  }

  async function adjust(id: string, points: number, extra: Record<string, unknown> = {}) {
    const res = await call(t.app, "POST", `/v1/members/${id}/adjustments`, { key: store.adminKey, body: { points, reason: "Birthday gift", ...extra } });
    expect(res.statusCode, res.body).toBe(201);
  }

  async function notifications(id: string, query = ""): Promise<{ data: NotificationView[]; nextCursor: string | null }> {
    const res = await call(t.app, "GET", `/v1/members/${id}/notifications${query}`, { key: await store.key("viewer") });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  // Only this test's store: on a shared PostgreSQL other test files' events are theirs to hand on.
  const dispatch = (transports = { email: true, sms: true }) => dispatchOutgoing(t.services, [notificationFanOut(transports)], { storeIds: [store.id] });
  const deliver = (transports: NotificationTransports, options: { now?: Date; maxAttempts?: number } = {}) =>
    runNotificationDeliveries(t.services, transports, { limit: 100, retryBaseMs: 1_000, maxAttempts: options.maxAttempts ?? 3, random: () => 0, ...options });

  async function mailServer(options: { refuse?: boolean } = {}) {
    const inbox = await smtpInbox(options);
    const transport = emailTransport(inbox.port);
    cleanups.push(() => inbox.close(), () => transport.close());
    return { inbox, transport };
  }

  it("an increase with notify.email puts one email in the member's inbox, with the points", async () => {
    await setup();
    const { inbox, transport } = await mailServer();
    const address = `ann-${tag}@example.com`;
    await member("ann", { email: address });
    await adjust("ann", 500, { notify: { email: true } });
    await dispatch();
    // A second dispatch finds nothing new: one message per event and channel.
    await dispatch();
    const report = await deliver({ email: transport });
    expect(report.sent).toBeGreaterThanOrEqual(1);

    const mails = inbox.to(address);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("Good Coffee added 500 Points to your account");
    expect(mails[0]!.text).toContain("Reason: Birthday gift");
    expect(mails[0]!.messageId).toMatch(/^<ntf_[0-9a-z]+@shop\.example>$/);

    const { data } = await notifications("ann");
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ scenario: "pointsAdjusted", channel: "email", to: address, status: "sent", subject: mails[0]!.subject });
    expect(mails[0]!.messageId).toBe(`<${data[0]!.id}@shop.example>`);
    expect(data[0]!.error).toBeUndefined();
  });

  it("writes in the member's language: a zh-TW member gets the zh-TW text", async () => {
    await setup();
    const { inbox, transport } = await mailServer();
    const address = `mei-${tag}@example.com`;
    await member("mei", { email: address, language: "zh-TW" });
    await adjust("mei", 500, { notify: { email: true } });
    await dispatch();
    await deliver({ email: transport });
    const mails = inbox.to(address);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("【Good Coffee】已為您增加點數 500 點");
    expect(mails[0]!.text).toContain("原因：Birthday gift");
  });

  it("a decrease sends nothing", async () => {
    await setup();
    const { inbox, transport } = await mailServer();
    const address = `ben-${tag}@example.com`;
    await member("ben", { email: address });
    await adjust("ben", 1_000, { notify: { email: false } });
    await adjust("ben", -500, { notify: { email: true } });
    await dispatch();
    await deliver({ email: transport });
    expect(inbox.to(address)).toHaveLength(0);
    expect((await notifications("ben")).data).toEqual([]);
  });

  it("a member without an email gets a skipped record, visible in GET notifications", async () => {
    await setup();
    await member("cal", { phone: "+15550100" });
    await adjust("cal", 500, { notify: { email: true } });
    await dispatch();
    const { data } = await notifications("cal");
    expect(data).toEqual([expect.objectContaining({ scenario: "pointsAdjusted", channel: "email", to: null, status: "skipped", error: "no_address" })]);
  });

  it("sends SMS only when smsNotifications is on", async () => {
    await setup();
    const { inbox, transport } = await mailServer();
    const sms = await smsInbox();
    cleanups.push(() => sms.close());
    const transports = { email: transport, sms: smsTransport(sms.url) };
    const address = `dee-${tag}@example.com`;
    await member("dee", { email: address, phone: "+15550101" });

    await adjust("dee", 100);
    await dispatch();
    await deliver(transports);
    expect(sms.received.filter((r) => r.body.storeId === store.id)).toHaveLength(0);
    expect(inbox.to(address)).toHaveLength(1);

    const res = await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { smsNotifications: { pointsAdjusted: true } } });
    expect(res.statusCode, res.body).toBe(200);
    await adjust("dee", 200);
    await dispatch();
    await deliver(transports);
    const texts = sms.received.filter((r) => r.body.storeId === store.id);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.authorization).toBe("Bearer sms-token");
    expect(texts[0]!.body.to).toBe("+15550101");
    expect(texts[0]!.body.text).toContain("Good Coffee added 200 Points");
    const { data } = await notifications("dee");
    expect(data.map((n) => [n.channel, n.status])).toEqual([["sms", "sent"], ["email", "sent"], ["email", "sent"]]);
    expect(data[0]!.id).toBe(texts[0]!.body.messageId);
    expect(data[0]!.subject).toBeUndefined();
  });

  it("records messages skipped when no transport is configured", async () => {
    await setup({ smsNotifications: { pointsAdjusted: true } });
    await member("eve", { email: `eve-${tag}@example.com`, phone: "+15550102" });
    await adjust("eve", 500);
    await dispatch({ email: false, sms: false });
    const { data } = await notifications("eve");
    expect(data.map((n) => [n.channel, n.status, n.error])).toEqual([["sms", "skipped", "no_transport"], ["email", "skipped", "no_transport"]]);
    expect((await deliver({})).sent).toBe(0);
  });

  it("makes nothing while the program is disabled", async () => {
    await setup();
    const { inbox, transport } = await mailServer();
    const address = `fay-${tag}@example.com`;
    await member("fay", { email: address });
    await adjust("fay", 500, { notify: { email: true } });
    const res = await call(t.app, "PATCH", "/v1/program", { key: store.adminKey, body: { enabled: false } });
    expect(res.statusCode, res.body).toBe(200);
    await dispatch();
    await deliver({ email: transport });
    expect(inbox.to(address)).toHaveLength(0);
    expect((await notifications("fay")).data).toEqual([]);
  });

  it("uses the program's own template, and pages newest first", async () => {
    await setup({ templates: { pointsAdjusted: { en: { subject: "+{{points}} for {{memberId}}", text: "Now {{balance}} {{pointsName}}." } } }, pointsName: { en: "Beans" } });
    const { inbox, transport } = await mailServer();
    const address = `gus-${tag}@example.com`;
    await member("gus", { email: address });
    await adjust("gus", 300);
    await adjust("gus", 200);
    await dispatch();
    await deliver({ email: transport });
    expect(inbox.to(address).map((m) => m.subject).sort()).toEqual(["+200 for gus", "+300 for gus"]);
    expect(inbox.to(address).map((m) => m.text?.trim()).sort()).toEqual(["Now 300 Beans.", "Now 500 Beans."]);
    const first = await notifications("gus", "?limit=1");
    expect(first.data[0]!.subject).toBe("+200 for gus");
    expect(first.nextCursor).not.toBeNull();
    const second = await notifications("gus", `?limit=1&cursor=${first.nextCursor}`);
    expect(second.data[0]!.subject).toBe("+300 for gus");
    expect(second.nextCursor).toBeNull();
  });

  it("an SMTP refusal (550) is failed at once, without retry", async () => {
    await setup();
    const { inbox, transport } = await mailServer({ refuse: true });
    await member("hal", { email: `hal-${tag}@example.com` });
    await adjust("hal", 500);
    await dispatch();
    await deliver({ email: transport });
    const { data } = await notifications("hal");
    expect(data).toEqual([expect.objectContaining({ status: "failed", error: expect.stringContaining("550") })]);
    // Nothing is due later either.
    await deliver({ email: transport }, { now: new Date(Date.now() + 3_600_000) });
    expect((await notifications("hal")).data[0]!.status).toBe("failed");
    expect(inbox.mails).toHaveLength(0);
  });

  it("an SMTP server that is down is retried, then failed after the last attempt", async () => {
    await setup();
    const transport = emailTransport(await closedPort());
    cleanups.push(() => transport.close());
    await member("ida", { email: `ida-${tag}@example.com` });
    await adjust("ida", 500);
    await dispatch();

    const start = Date.now();
    await deliver({ email: transport }, { now: new Date(start), maxAttempts: 2 });
    let [n] = (await notifications("ida")).data;
    expect(n).toMatchObject({ status: "pending", error: expect.stringMatching(/ECONNREFUSED|ECONNECTION/) });
    // Not due again before its backoff (half the 1 s base with this jitter).
    await deliver({ email: transport }, { now: new Date(start + 100), maxAttempts: 2 });
    expect((await notifications("ida")).data[0]!.status).toBe("pending");
    await deliver({ email: transport }, { now: new Date(start + 60_000), maxAttempts: 2 });
    [n] = (await notifications("ida")).data;
    expect(n).toMatchObject({ status: "failed" });
  });

  it("GET notifications: viewer and up, own store only, 404 for an unknown member", async () => {
    await setup();
    await member("jo", { email: `jo-${tag}@example.com` });
    const url = "/v1/members/jo/notifications";
    for (const role of ["viewer", "points_manager", "admin"] as const) {
      expect((await call(t.app, "GET", url, { key: await store.key(role) })).statusCode).toBe(200);
    }
    expect((await call(t.app, "GET", url, { key: null })).statusCode).toBe(401);
    expect((await call(t.app, "GET", "/v1/members/nobody/notifications", { key: store.adminKey })).statusCode).toBe(404);
    const other = await createTestStore(t.app);
    expect((await call(t.app, "GET", url, { key: other.adminKey })).statusCode).toBe(404);
    expect((await call(t.app, "GET", `${url}?limit=0`, { key: store.adminKey })).statusCode).toBe(422);
  });
});

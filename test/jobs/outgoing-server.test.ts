/**
 * The real server process delivers on its own: an adjustment answered by `pointbook serve` reaches a
 * real SMTP server as an email and a local HTTP receiver as a signed webhook, through the server's
 * outgoing loop (default interval), with nothing called by hand. A decrease sends no email.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type Receiver } from "../delivery/webhooks/receiver.ts";
import { smtpInbox, type Inbox } from "../notifications/helpers.ts";
import { signatureHeaders } from "../webhooks/support.ts";
import { exitWithin, OPERATOR, serverApi, startServer, type ServerProcess } from "./server-process.ts";

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("outgoing work in the server process", () => {
  let dir: string;
  let inbox: Inbox;
  let receiver: Receiver;
  let server: ServerProcess;
  const api = serverApi(() => server);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pointbook-outgoing-"));
    inbox = await smtpInbox();
    receiver = await startReceiver();
    // Its own PGlite folder: on a shared PostgreSQL its loop would hand on other test files' events.
    server = await startServer({
      DATABASE_URL: "", POINTBOOK_DATA_DIR: dir, POINTBOOK_SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
      POINTBOOK_MAIL_FROM: "points@shop.example", POINTBOOK_WEBHOOK_ALLOW_PRIVATE: "true",
    });
  }, 120_000);
  afterAll(async () => {
    if (server) {
      server.child.kill("SIGTERM");
      await exitWithin(server, 15_000).catch(() => undefined);
    }
    await inbox?.close();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("+500 with notify.email: one email within 2 s of the answer, and a signed webhook; −500: no email", async () => {
    const store = await api("POST", "/v1/stores", OPERATOR, { name: "Good Coffee", currency: "USD", timezone: "Asia/Taipei" });
    expect(store.status).toBe(201);
    const key = store.json.apiKey as string;
    const endpoint = await api("POST", "/v1/webhook-endpoints", key, { url: receiver.url, events: ["member.points_changed"] });
    expect(endpoint.status, JSON.stringify(endpoint.json)).toBe(201);
    expect((await api("PUT", "/v1/members/alice", key, { email: "alice@example.com" })).status).toBe(200);

    const added = await api("POST", "/v1/members/alice/adjustments", key, { points: 500, reason: "Birthday gift", notify: { email: true } });
    expect(added.status).toBe(201);
    const answeredAt = Date.now();
    const mail = await until("the email", () => inbox.to("alice@example.com")[0]);
    const latency = Date.now() - answeredAt;
    expect(latency, `email arrived ${latency} ms after the answer`).toBeLessThan(2_000);
    expect(mail.text).toContain("500");

    const first = await until("the first webhook", () => receiver.received[0]);
    const event = new Webhook(endpoint.json.secret).verify(first.body, signatureHeaders(first.headers)) as { type: string; data: { points: number; entryId: string } };
    expect([event.type, event.data.points, event.data.entryId]).toEqual(["member.points_changed", 500, added.json.id]);

    const taken = await api("POST", "/v1/members/alice/adjustments", key, { points: -500, reason: "Correction", notify: { email: true } });
    expect(taken.status).toBe(201);
    // Its webhook arriving shows the event was handed on; its email would have been sent with it.
    await until("the second webhook", () => receiver.received[1]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(inbox.to("alice@example.com").length).toBe(1);

    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    expect(metrics).toMatch(/pointbook_ledger_entries_total\{type="adjust"\} 2/);
    expect(metrics).toMatch(/pointbook_webhook_deliveries_total\{result="delivered"\} 2/);
    expect(metrics).toMatch(/pointbook_outgoing_events_pending 0/);
    expect(metrics).toMatch(/pointbook_notifications_total\{channel="email",result="sent"\} 1/);
  });
});

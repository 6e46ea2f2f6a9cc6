import { afterEach, describe, expect, it } from "vitest";
import { sendWebhook } from "../../../src/delivery/webhooks/send.ts";
import type { LookupAll } from "../../../src/delivery/webhooks/address-guard.ts";
import { closedPort, sampleEvent, startReceiver, type Receiver } from "./receiver.ts";

const secrets = ["whsec_" + Buffer.alloc(32, 7).toString("base64")];
let receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});

describe("sendWebhook", () => {
  it("a 2xx answer is success, with its status and the time it took", async () => {
    const r = await receiver((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("thanks"));
    const result = await sendWebhook({ url: `${r.url}?tenant=7`, event: sampleEvent(), secrets, allowPrivate: true });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(r.received).toHaveLength(1);
    expect(r.received[0]).toMatchObject({ method: "POST", url: "/hooks?tenant=7" });
  });

  it("a 500 is a failure that carries the status", async () => {
    const r = await receiver((_req, res) => res.writeHead(500).end("boom"));
    const result = await sendWebhook({ url: r.url, event: sampleEvent(), secrets, allowPrivate: true });
    expect(result).toMatchObject({ ok: false, status: 500, error: "HTTP 500" });
  });

  it("a receiver that never answers times out in about the timeout", async () => {
    const r = await receiver(() => {
      /* holds the request open */
    });
    const result = await sendWebhook({ url: r.url, event: sampleEvent(), secrets, allowPrivate: true, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, error: "timed out after 300 ms" });
    expect(result).not.toHaveProperty("status");
    expect(result.ms).toBeGreaterThanOrEqual(280);
    expect(result.ms).toBeLessThan(2_000);
    expect(r.received).toHaveLength(1);
  });

  it("a 2xx whose body is still trickling when the deadline comes is still a success", async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(202);
      res.write("partial");
    });
    const result = await sendWebhook({ url: r.url, event: sampleEvent(), secrets, allowPrivate: true, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: true, status: 202 });
  });

  it("reads at most a few KB of a long answer and moves on", async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(200);
      // Far more than is read, and never ended: the sender must not wait for it.
      res.write(Buffer.alloc(256 * 1024, 97));
    });
    const result = await sendWebhook({ url: r.url, event: sampleEvent(), secrets, allowPrivate: true, timeoutMs: 5_000 });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.ms).toBeLessThan(2_000);
  });

  it("a receiver that is down is reported as connection refused", async () => {
    const port = await closedPort();
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/h`, event: sampleEvent(), secrets, allowPrivate: true });
    expect(result).toMatchObject({ ok: false, error: "connection refused" });
    expect(result).not.toHaveProperty("status");
  });

  it("a redirect is not followed and counts as a failure", async () => {
    const target = await receiver();
    const r = await receiver((_req, res) => res.writeHead(302, { location: target.url }).end());
    const result = await sendWebhook({ url: r.url, event: sampleEvent(), secrets, allowPrivate: true });
    expect(result).toMatchObject({ ok: false, status: 302, error: "HTTP 302: redirects are not followed" });
    expect(r.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });

  it("refuses a private target unless allowed, and no request reaches it", async () => {
    const r = await receiver();
    for (const url of [r.url, `http://localhost:${r.port}/hooks`, `http://[::ffff:127.0.0.1]:${r.port}/hooks`]) {
      const result = await sendWebhook({ url, event: sampleEvent(), secrets, allowPrivate: false });
      expect(result.ok, url).toBe(false);
      expect(result.ok === false && result.error).toMatch(/POINTBOOK_WEBHOOK_ALLOW_PRIVATE/);
    }
    expect(r.received).toHaveLength(0);
  });

  it("connects to the address that was checked, keeping the URL's name in the Host header", async () => {
    const r = await receiver();
    let calls = 0;
    // A rebinding resolver: the first answer is the one checked, any later one would be elsewhere.
    const lookup: LookupAll = async () => {
      calls += 1;
      return [{ address: calls === 1 ? "127.0.0.1" : "192.0.2.1", family: 4 }];
    };
    const result = await sendWebhook({
      url: `http://hooks.example.test:${r.port}/hooks`,
      event: sampleEvent(),
      secrets,
      allowPrivate: true,
      lookup,
    });
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(calls).toBe(1);
    expect(r.received[0]!.headers.host).toBe(`hooks.example.test:${r.port}`);
  });

  it("a name that resolves to a private address is refused before anything is sent", async () => {
    const r = await receiver();
    const lookup: LookupAll = async () => [{ address: "127.0.0.1", family: 4 }];
    const result = await sendWebhook({
      url: `http://hooks.example.test:${r.port}/hooks`,
      event: sampleEvent(),
      secrets,
      allowPrivate: false,
      lookup,
    });
    expect(result).toMatchObject({ ok: false });
    expect(r.received).toHaveLength(0);
  });

  it("a resolver that hangs is cut off by the same timeout", async () => {
    const lookup: LookupAll = () => new Promise(() => {});
    const result = await sendWebhook({
      url: "https://slow-dns.example.test/h",
      event: sampleEvent(),
      secrets,
      allowPrivate: false,
      lookup,
      timeoutMs: 200,
    });
    expect(result).toMatchObject({ ok: false, error: "timed out after 200 ms" });
  });

  it("never throws: bad URLs and bad secrets become failures", async () => {
    await expect(sendWebhook({ url: "not a url", event: sampleEvent(), secrets, allowPrivate: true })).resolves.toMatchObject({ ok: false });
    const r = await receiver();
    await expect(sendWebhook({ url: r.url, event: sampleEvent(), secrets: [], allowPrivate: true })).resolves.toMatchObject({ ok: false });
    expect(r.received).toHaveLength(0);
  });

  it("signs with the given time", async () => {
    const r = await receiver();
    await sendWebhook({ url: r.url, event: sampleEvent(), secrets, allowPrivate: true, now: new Date("2026-12-01T10:00:05.900Z") });
    expect(r.received[0]!.headers["webhook-timestamp"]).toBe(String(Date.parse("2026-12-01T10:00:05Z") / 1000));
  });
});

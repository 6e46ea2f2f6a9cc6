import { createHmac, timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { generateSecret, secretKey } from "../../../src/delivery/webhooks/secret.ts";
import { signHeaders } from "../../../src/delivery/webhooks/sign.ts";
import { sendWebhook } from "../../../src/delivery/webhooks/send.ts";
import { sampleEvent, startReceiver, type Receiver } from "./receiver.ts";

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** What a merchant writes by hand: HMAC-SHA256 over "<id>.<timestamp>.<raw body>" with the decoded secret. */
function verifyByHand(secret: string, headers: Record<string, string | string[] | undefined>, raw: Buffer): boolean {
  const id = String(headers["webhook-id"]);
  const timestamp = String(headers["webhook-timestamp"]);
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), raw]))
    .digest();
  return String(headers["webhook-signature"])
    .split(" ")
    .some((versioned) => {
      const [version, signature] = versioned.split(",");
      const given = Buffer.from(signature ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

function asStrings(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]));
}

describe("secrets", () => {
  it("are whsec_ + base64 of 32 random bytes, and the standardwebhooks library takes them", () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(secretKey(a)).toHaveLength(32);
    expect(() => new Webhook(a)).not.toThrow();
  });
});

describe("signHeaders", () => {
  it("gives the Standard Webhooks headers, timestamp in unix seconds", () => {
    const secret = generateSecret();
    const headers = signHeaders({ eventId: "evt_1", timestamp: new Date(1_764_583_200_999), body: "{}", secrets: [secret] });
    expect(headers["webhook-id"]).toBe("evt_1");
    expect(headers["webhook-timestamp"]).toBe("1764583200");
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("matches the standardwebhooks package's own signature", () => {
    const secret = generateSecret();
    const at = new Date(1_764_583_200_000);
    const body = JSON.stringify(sampleEvent());
    const ours = signHeaders({ eventId: "evt_1", timestamp: at, body, secrets: [secret] });
    expect(ours["webhook-signature"]).toBe(new Webhook(secret).sign("evt_1", at, body));
  });

  it("refuses to sign with no secret", () => {
    expect(() => signHeaders({ eventId: "evt_1", timestamp: new Date(), body: "{}", secrets: [] })).toThrow();
  });
});

describe("a signed delivery, verified as a merchant would", () => {
  it("verifies with the standardwebhooks package and by hand over the raw bytes received", async () => {
    receiver = await startReceiver();
    const secret = generateSecret();
    const event = sampleEvent();
    const result = await sendWebhook({ url: receiver.url, event, secrets: [secret], allowPrivate: true });
    expect(result.ok).toBe(true);

    const [got] = receiver.received;
    expect(got).toBeDefined();
    const raw = got!.body;
    expect(JSON.parse(raw.toString("utf8"))).toEqual(event);
    expect(new Webhook(secret).verify(raw.toString("utf8"), asStrings(got!.headers))).toEqual(event);
    expect(verifyByHand(secret, got!.headers, raw)).toBe(true);

    expect(got!.headers["webhook-id"]).toBe(event.id);
    expect(Math.abs(Number(got!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(got!.headers["user-agent"]).toBe("Pointbook-Webhooks");
    expect(got!.headers["pointbook-event-type"]).toBe("member.points_changed");
    expect(got!.headers["content-length"]).toBe(String(raw.length));
  });

  it("a changed body or another secret does not verify", async () => {
    receiver = await startReceiver();
    const secret = generateSecret();
    await sendWebhook({ url: receiver.url, event: sampleEvent(), secrets: [secret], allowPrivate: true });
    const got = receiver.received[0]!;
    const tampered = Buffer.from(got.body.toString("utf8").replace('"points":120', '"points":999'));
    expect(verifyByHand(secret, got.headers, tampered)).toBe(false);
    expect(() => new Webhook(secret).verify(tampered.toString("utf8"), asStrings(got.headers))).toThrow();
    const other = generateSecret();
    expect(verifyByHand(other, got.headers, got.body)).toBe(false);
    expect(() => new Webhook(other).verify(got.body.toString("utf8"), asStrings(got.headers))).toThrow();
  });

  it("two secrets (after a rotation) give two signatures, and a receiver with either one verifies", async () => {
    receiver = await startReceiver();
    const current = generateSecret();
    const previous = generateSecret();
    await sendWebhook({ url: receiver.url, event: sampleEvent(), secrets: [current, previous], allowPrivate: true });
    const got = receiver.received[0]!;
    const signatures = String(got.headers["webhook-signature"]).split(" ");
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => s.startsWith("v1,"))).toBe(true);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(got.body.toString("utf8"), asStrings(got.headers))).toBeTruthy();
      expect(verifyByHand(secret, got.headers, got.body)).toBe(true);
      // Each signature on its own verifies with exactly one of the secrets.
      const alone = signatures.filter((s) => verifyByHand(secret, { ...got.headers, "webhook-signature": s }, got.body));
      expect(alone).toHaveLength(1);
    }
  });
});

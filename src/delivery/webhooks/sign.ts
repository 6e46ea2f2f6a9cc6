import { createHmac } from "node:crypto";
import { secretKey } from "./secret.ts";

export interface SignInput {
  /** The event id (`evt_…`), sent as `webhook-id`; receivers deduplicate by it. */
  eventId: string;
  /** When this attempt is signed; sent as whole unix seconds. */
  timestamp: Date;
  /** The exact bytes that are sent as the request body. */
  body: string | Buffer;
  /** Every secret that signs: the current one and, for 24 h after a rotation, the previous one. */
  secrets: readonly string[];
}

export interface SignatureHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * Standard Webhooks headers: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per
 * secret, space-separated, so a receiver holding either the old or the new secret verifies it.
 */
export function signHeaders(input: SignInput): SignatureHeaders {
  if (input.secrets.length === 0) throw new Error("a webhook needs at least one secret to sign with");
  const timestamp = String(Math.floor(input.timestamp.getTime() / 1000));
  const signed = Buffer.concat([Buffer.from(`${input.eventId}.${timestamp}.`, "utf8"), toBytes(input.body)]);
  const signatures = input.secrets.map(
    (secret) => `v1,${createHmac("sha256", secretKey(secret)).update(signed).digest("base64")}`,
  );
  return {
    "webhook-id": input.eventId,
    "webhook-timestamp": timestamp,
    "webhook-signature": signatures.join(" "),
  };
}

function toBytes(body: string | Buffer): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}

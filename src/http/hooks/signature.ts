import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Whether `header` is the base64 HMAC-SHA256 of the raw body keyed with `secret`, as Shopify
 * (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`) send it. Compared in
 * constant time over the decoded bytes; anything that is not 32 bytes of base64 is refused.
 */
export function validPlatformSignature(raw: Buffer, secret: string, header: string | undefined): boolean {
  if (!header || !/^[A-Za-z0-9+/]{43}=$/.test(header.trim())) return false;
  const given = Buffer.from(header.trim(), "base64");
  const expected = createHmac("sha256", secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** How a platform signs: what tests and the docs' curl examples send. */
export function platformSignature(raw: Buffer | string, secret: string): string {
  return createHmac("sha256", secret).update(raw).digest("base64");
}

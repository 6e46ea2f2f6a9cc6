import { randomBytes } from "node:crypto";

/** Standard Webhooks secrets carry this prefix; the key is the base64 after it. */
export const SECRET_PREFIX = "whsec_";
/** SPEC asks for at least 24 random bytes; 32 is SHA-256's output size, all the strength the HMAC key can add. */
export const SECRET_BYTES = 32;

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

/** The HMAC key inside a secret; a secret without the prefix is taken as bare base64, as the reference libraries do. */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length === 0) throw new Error("webhook secret has no key");
  return key;
}


// No 0/O or 1/I/L: codes are read aloud and typed at checkout.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/**
 * A coupon code: 16 characters from a 31-letter alphabet (about 79 bits), in groups of four, so
 * codes cannot be guessed or enumerated.
 */
export function newCouponCode(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let code = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && i % 4 === 0) code += "-";
    code += ALPHABET[bytes[i]! % ALPHABET.length];
  }
  return code;
}

/** Codes are matched case-insensitively and with or without dashes or spaces. */
export function normalizeCouponCode(input: string): string {
  const bare = input.toUpperCase().replace(/[\s-]/g, "");
  return bare.match(/.{1,4}/g)?.join("-") ?? bare;
}

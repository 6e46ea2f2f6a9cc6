/** Prefixed ids (`lot_…`, `ent_…`) tell a reader what an id is when it shows up in a log line. */
export type IdPrefix =
  | "st" | "key" | "mem" | "lot" | "ent" | "hold" | "red" | "rm" | "etl" | "use" | "aud" | "rule" | "obx" | "evt" | "ntf" | "whe" | "whd" | "imp" | "sim" | "prp" | "ou";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** The random tail: 12 base-36 digits, kept as two numbers of 6 (36^12 is past a double's exact integers). */
const HALF_DIGITS = 6;
const HALF = 36 ** HALF_DIGITS;
let lastTime = 0;
let tailHigh = 0;
let tailLow = 0;

/**
 * Time-ordered head, random tail: ids sort by creation and are hard to guess. Within one process
 * they are strictly increasing even inside one millisecond (the tail then grows by a random step),
 * so "newest first" by id holds for records written in the same transaction.
 */
export function newId(prefix: IdPrefix): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    randomTail();
  } else {
    tailLow += 1 + (randomNumber(4) % 1_000_000);
    if (tailLow >= HALF) {
      tailLow -= HALF;
      tailHigh += 1;
    }
    if (tailHigh >= HALF) {
      lastTime += 1;
      randomTail();
    }
  }
  return `${prefix}_${lastTime.toString(36).padStart(9, "0")}${tailHigh.toString(36).padStart(HALF_DIGITS, "0")}${tailLow.toString(36).padStart(HALF_DIGITS, "0")}`;
}

/** A random tail in the lower half of its range, leaving room to grow within a millisecond. */
function randomTail(): void {
  // Half of a random 12-digit number, worked out on its two 6-digit halves.
  const high = randomNumber(HALF_DIGITS);
  const low = randomNumber(HALF_DIGITS);
  tailHigh = Math.floor(high / 2);
  tailLow = (high % 2) * (HALF / 2) + Math.floor(low / 2);
}

/** A random number of `digits` base-36 digits, each equally likely. */
function randomNumber(digits: number): number {
  let n = 0;
  for (let i = 0; i < digits; i++) n = n * 36 + nextRandomDigit();
  return n;
}

/**
 * Cryptographically random characters of ALPHABET. Bytes come from a pool filled 4 KB at a time
 * (one call to the system's generator per few hundred ids, not one per id: it showed in the event
 * path's profile), and bytes past the largest multiple of 36 are skipped, so every character is
 * equally likely (coupon codes count on it).
 */
export function randomChars(length: number): string {
  let out = "";
  while (out.length < length) out += ALPHABET[nextRandomDigit()];
  return out;
}

/** A random digit of ALPHABET (0 to 35). */
function nextRandomDigit(): number {
  for (;;) {
    const b = nextRandomByte();
    if (b < UNBIASED_LIMIT) return b % ALPHABET.length;
  }
}

const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function nextRandomByte(): number {
  if (poolAt === pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

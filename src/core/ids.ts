/** Prefixed ids (`lot_…`, `ent_…`) tell a reader what an id is when it shows up in a log line. */
export type IdPrefix =
  | "st" | "key" | "mem" | "lot" | "ent" | "hold" | "red" | "rm" | "etl" | "use" | "aud" | "rule" | "obx" | "evt" | "ntf" | "whe" | "whd" | "imp" | "sim" | "prp" | "ou";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

const TAIL_LENGTH = 12;
const TAIL_LIMIT = 36n ** BigInt(TAIL_LENGTH);
let lastTime = 0;
let lastTail = 0n;

/**
 * Time-ordered head, random tail: ids sort by creation and are hard to guess. Within one process
 * they are strictly increasing even inside one millisecond (the tail then grows by a random step),
 * so "newest first" by id holds for records written in the same transaction.
 */
export function newId(prefix: IdPrefix): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    lastTail = randomTail();
  } else {
    const next = lastTail + 1n + (randomTail() % 1_000_000n);
    if (next < TAIL_LIMIT) lastTail = next;
    else {
      lastTime += 1;
      lastTail = randomTail();
    }
  }
  return `${prefix}_${lastTime.toString(36).padStart(9, "0")}${lastTail.toString(36).padStart(TAIL_LENGTH, "0")}`;
}

/** A random tail in the lower half of its range, leaving room to grow within a millisecond. */
function randomTail(): bigint {
  let n = 0n;
  for (const c of randomChars(TAIL_LENGTH)) n = n * 36n + BigInt(ALPHABET.indexOf(c));
  return n / 2n;
}

/**
 * Cryptographically random characters of ALPHABET. Bytes come from a pool filled 4 KB at a time
 * (one call to the system's generator per few hundred ids, not one per id: it showed in the event
 * path's profile), and bytes past the largest multiple of 36 are skipped, so every character is
 * equally likely (coupon codes count on it).
 */
export function randomChars(length: number): string {
  let out = "";
  while (out.length < length) {
    const b = nextRandomByte();
    if (b < UNBIASED_LIMIT) out += ALPHABET[b % ALPHABET.length];
  }
  return out;
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

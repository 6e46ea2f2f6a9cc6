/** Prefixed ids (`lot_…`, `ent_…`) tell a reader what an id is when it shows up in a log line. */
export type IdPrefix =
  | "st" | "key" | "mem" | "lot" | "ent" | "hold" | "red" | "rm" | "etl" | "use" | "aud" | "rule" | "obx";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export function newId(prefix: IdPrefix): string {
  // Time-ordered head keeps ids roughly sortable by creation; random tail makes them unguessable.
  const time = Date.now().toString(36).padStart(9, "0");
  return `${prefix}_${time}${randomChars(12)}`;
}

export function randomChars(length: number): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/**
 * JSON with object keys sorted and instants as ISO text, so two spellings of one value (keys in
 * another order, a Date or its text) are the same string: what request fingerprints are made of.
 */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    v instanceof Date ? v.toISOString()
      : Array.isArray(v) ? v.map(sort)
      : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(sort(value ?? null));
}

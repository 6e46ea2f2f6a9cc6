import { createHash } from "node:crypto";

/**
 * Canonical JSON of the parsed event (sorted keys, defaults applied), so the same event sent with
 * keys in another order, or with `properties: {}` spelled out, is the same request.
 */
export function eventFingerprint(raw: unknown): string {
  const canonical = (v: unknown): unknown =>
    v instanceof Date ? v.toISOString()
      : Array.isArray(v) ? v.map(canonical)
      : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
      : v;
  return createHash("sha256").update(JSON.stringify(canonical(raw))).digest("hex");
}

import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.ts";

/**
 * The parsed event (defaults applied) as canonical JSON, hashed: the same event sent with keys in
 * another order, or with `properties: {}` spelled out, is the same request.
 */
export function eventFingerprint(raw: unknown): string {
  return createHash("sha256").update(canonicalJson(raw)).digest("hex");
}

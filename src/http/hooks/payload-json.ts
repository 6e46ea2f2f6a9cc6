import { isInteger, isSafeNumber, parse } from "lossless-json";
import { DomainError, invalid } from "../../core/errors.ts";
import { findBadString, MAX_JSON_DEPTH, nestingDepth } from "../json-body.ts";

/**
 * A platform payload's JSON. Integers beyond 2^53 (Shopify's ids) are kept as their digits, where
 * `JSON.parse` would round them to another id; keys such as `__proto__` stay plain keys.
 */
export function parsePlatformJson(raw: Buffer): unknown {
  const text = raw.toString("utf8");
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new DomainError("invalid_json", `the payload nests deeper than ${MAX_JSON_DEPTH} levels`, { errors: [{ path: "body", message: `nests deeper than ${MAX_JSON_DEPTH} levels` }] });
  }
  let value: unknown;
  try {
    value = parse(text, null, (digits) => (isInteger(digits) && !isSafeNumber(digits) ? digits : Number(digits)));
  } catch (error) {
    const message = error instanceof Error ? error.message : "not JSON";
    throw new DomainError("invalid_json", `the payload is not valid JSON: ${message}`, { errors: [{ path: "body", message }] });
  }
  const bad = findBadString(value);
  if (bad) throw invalid(bad.path, bad.message);
  return value;
}

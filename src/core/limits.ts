import { z } from "zod";

/**
 * The largest points or money value one field may hold (SPEC §4): far beyond any real balance or
 * order, and small enough that sums of a thousand such values stay exact in a double.
 */
export const MAX_VALUE = 1e12;

/** Whole points, at least 1. */
export const positivePoints = z.number().int().positive().max(MAX_VALUE);
/** Money in minor units, 0 or more. */
export const money = z.number().int().nonnegative().max(MAX_VALUE);
/** Money in minor units, at least 1. */
export const positiveMoney = z.number().int().positive().max(MAX_VALUE);
/** Quantities, units and counts, at least 1. */
export const positiveCount = z.number().int().positive().max(MAX_VALUE);
/** Quantities, units and counts, 0 or more. */
export const count = z.number().int().nonnegative().max(MAX_VALUE);

/** floor(a × b / c) computed exactly, for products that may pass 2^53. Inputs are safe integers. */
export function mulDivFloor(a: number, b: number, c: number): number {
  const n = BigInt(a) * BigInt(b);
  const d = BigInt(c);
  let q = n / d;
  if (n % d !== 0n && (n < 0n) !== (d < 0n)) q -= 1n;
  return Number(q);
}

/** ceil(a × b / c), exactly. */
export function mulDivCeil(a: number, b: number, c: number): number {
  return -mulDivFloor(-a, b, c);
}

/** A computed award never goes past the per-value limit, however large its inputs. */
export function clampPoints(points: number): number {
  return Math.min(points, MAX_VALUE);
}

const EARLIEST = Date.parse("1970-01-01T00:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

/** An ISO 8601 instant with an offset or Z, between 1970-01-01 and 9999-12-31 (SPEC §4). */
export const isoInstant = z.iso.datetime({ offset: true }).refine((s) => {
  const t = Date.parse(s);
  // Text that is no instant at all is reported once, by the format check.
  return Number.isNaN(t) || (t >= EARLIEST && t <= LATEST);
}, { message: "must be between 1970-01-01 and 9999-12-31" });

import { MemoryDbError } from "./errors.ts";

/**
 * Column values as PostgreSQL stores them. Every value that goes in is copied, so a caller that
 * keeps changing its object (a MemberBook's lots) cannot change a stored row behind `save`.
 */

/** A timestamptz: a copy of the instant; an invalid date is refused as PostgreSQL refuses it. */
export function timestamp(value: Date, column: string): Date {
  const t = value.getTime();
  if (Number.isNaN(t)) throw new MemoryDbError("22007", `invalid input syntax for type timestamp with time zone (${column})`);
  return new Date(t);
}

export function optionalTimestamp(value: Date | null | undefined, column: string): Date | null {
  return value === null || value === undefined ? null : timestamp(value, column);
}

/** Text cast to timestamptz (`body->>'paidAt'`, an order's placedAt): null stays null. */
export function parseTimestamp(value: unknown, column: string): Date | null {
  if (value === null || value === undefined) return null;
  const t = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) throw new MemoryDbError("22007", `invalid input syntax for type timestamp with time zone (${column})`);
  return new Date(t);
}

/** A copy of a stored instant, so callers never hold the stored Date. */
export const copyDate = (d: Date): Date => new Date(d.getTime());
export const copyOptionalDate = (d: Date | null): Date | null => (d === null ? null : new Date(d.getTime()));

/** bigint / integer columns: points are whole numbers, never floats. */
export function integer(value: number, column: string): number {
  if (!Number.isSafeInteger(value)) throw new MemoryDbError("22P02", `invalid input syntax for type bigint: "${value}" (${column})`);
  return value;
}

export function optionalInteger(value: number | null, column: string): number | null {
  return value === null ? null : integer(value, column);
}

/**
 * A jsonb value: the JSON text of what went in, read back (Dates become ISO strings, undefined
 * fields disappear), object keys in jsonb's order (shorter first, then bytewise), frozen. Typed as
 * what went in, as the SQL adapter's rows are typed by the query. undefined and null store SQL NULL.
 */
export function jsonb<T>(value: T): T | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  if (NUL_ESCAPE.test(text)) throw new MemoryDbError("22P05", "unsupported Unicode escape sequence: \\u0000 cannot be converted to text");
  return freeze(JSON.parse(text, (_key, v: unknown) => (isPlainObject(v) ? sortKeys(v) : v)));
}

/** `\u0000` in JSON text (not an escaped backslash followed by "u0000"): jsonb cannot hold it. */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

/** A jsonb column that is NOT NULL. */
export function requiredJsonb<T>(value: T, table: string, column: string): T {
  const stored = jsonb(value);
  if (stored === null) throw new MemoryDbError("23502", `null value in column ${column} of relation ${table} violates not-null constraint`);
  return stored;
}

/** A stored jsonb value handed out: a copy the caller may change. */
export function fromJsonb<T>(value: T): T {
  return value === null || typeof value !== "object" ? value : structuredClone(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const encoder = new TextEncoder();

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(o).map((k) => ({ k, bytes: encoder.encode(k) }));
  keys.sort((a, b) => a.bytes.length - b.bytes.length || compareBytes(a.bytes, b.bytes));
  const out: Record<string, unknown> = {};
  for (const { k } of keys) out[k] = o[k];
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function freeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const child of Object.values(v)) freeze(child);
    Object.freeze(v);
  }
  return v;
}

/**
 * Text order of the "C" collation both databases use: by code point (UTF-8 byte order), which
 * differs from JavaScript's `<` only where characters outside the BMP meet U+E000–U+FFFF.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
    if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1; // a surrogate pair is above the BMP
    return x - y;
  }
  return a.length - b.length;
}

export const compareTime = (a: Date | null, b: Date | null): number => (a?.getTime() ?? 0) - (b?.getTime() ?? 0);

/**
 * The first `limit` of `items` that pass `keep`, in `compare` order: ORDER BY … LIMIT without
 * sorting everything (a keyset page of a large table costs one pass).
 */
export function firstN<T>(items: Iterable<T>, keep: (item: T) => boolean, compare: (a: T, b: T) => number, limit: number): T[] {
  const out: T[] = [];
  if (limit <= 0) return out;
  for (const item of items) {
    if (!keep(item)) continue;
    if (out.length === limit && compare(item, out[limit - 1]!) >= 0) continue;
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(out[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, item);
    if (out.length > limit) out.pop();
  }
  return out;
}

/** One keyset page: `limit` rows and a cursor when there were more (the SQL reads limit + 1). */
export function page<T, R>(rows: T[], limit: number, map: (row: T) => R, cursorOf: (row: T) => string): { data: R[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  return { data: shown.map(map), nextCursor: rows.length > limit ? cursorOf(shown[shown.length - 1]!) : null };
}

/** `sum((x->>'amount')::bigint)` over a JSON array of objects (order lines, refunds): 0 when there is none. */
export function sumAmounts(items: unknown): number {
  if (!Array.isArray(items)) return 0;
  let total = 0;
  for (const item of items) if (typeof item === "object" && item !== null && "amount" in item && typeof item.amount === "number") total += item.amount;
  return total;
}

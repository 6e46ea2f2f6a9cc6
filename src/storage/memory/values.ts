import { MemoryDbError } from "./errors.ts";

/**
 * Column values as PostgreSQL stores them. Every jsonb value that goes in is copied, so a caller
 * that keeps changing its object cannot change a stored row behind `save`. Dates are the exception:
 * no code here changes a Date once made (test/storage/dates-unchanged.test.ts holds it to that), so
 * a stored instant is the caller's Date itself, and handed out as it is. Copying them was a tenth
 * of a replay's time: a member's book alone is three Dates a lot.
 */

/** A timestamptz: the instant itself; an invalid date is refused as PostgreSQL refuses it. */
export function timestamp(value: Date, column: string): Date {
  const t = value.getTime();
  if (Number.isNaN(t)) throw new MemoryDbError("22007", `invalid input syntax for type timestamp with time zone (${column})`);
  return value;
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
 *
 * Plain data (what services store) is walked once instead of printed and parsed; anything unusual
 * goes through JSON text, the reference.
 */
export function jsonb<T>(value: T): T | null {
  if (value === undefined || value === null) return null;
  const fast = normalise(value, 0);
  if (fast !== UNUSUAL) return fast === undefined ? null : (fast as T);
  return jsonbThroughText(value);
}

/** The reference `jsonb`: JSON.stringify then JSON.parse, exactly what PostgreSQL's jsonb input sees. */
export function jsonbThroughText<T>(value: T): T | null {
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

/**
 * A stored jsonb value handed out: a copy the caller may change. Stored values are normalised
 * (plain objects, arrays, JSON primitives), so a walk copies them as structuredClone would.
 */
export function fromJsonb<T>(value: T): T {
  return copyJson(value);
}

function copyJson<T>(v: T): T {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyJson((v as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * `jsonb(value)` when the column already holds `stored`: the stored value itself when `value` is
 * the same plain data (a row read, copied out and written back), else the value normalised.
 */
export function jsonbOver<T>(stored: T | null, value: T): T | null {
  return stored !== null && sameJson(stored, value) ? stored : jsonb(value);
}

export function requiredJsonbOver<T>(stored: T, value: T, table: string, column: string): T {
  return sameJson(stored, value) ? stored : requiredJsonb(value, table, column);
}

/**
 * Whether `value` normalises to `stored` (itself normalised), judged as `normalise` would see
 * it: fields that JSON leaves out are skipped, Dates compare as their JSON text, keys may come in
 * any order. Anything `normalise` would not take as plain data is "not the same".
 */
function sameJson(stored: unknown, value: unknown): boolean {
  if (stored === value) return true; // equal primitives; -0 is stored as 0
  switch (typeof value) {
    case "number":
      return !Number.isFinite(value) && stored === null;
    case "object":
      break;
    default:
      return false;
  }
  if (value === null || typeof stored !== "object" || stored === null) {
    return value instanceof Date && Object.getPrototypeOf(value) === Date.prototype && value.toJSON === dateToJSON && value.toJSON() === stored;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(stored)) return proto === Array.prototype && sameArray(stored, value as unknown[]);
  return (proto === Object.prototype || proto === null) && sameObject(stored as Record<string, unknown>, value as Record<string, unknown>);
}

/** What JSON.stringify leaves out of an object and prints as null in an array. */
const leftOut = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

function sameArray(stored: unknown[], a: unknown[]): boolean {
  if (a.length !== stored.length || typeof (a as { toJSON?: unknown }).toJSON === "function") return false;
  for (let i = 0; i < a.length; i++) if (leftOut(a[i]) ? stored[i] !== null : !sameJson(stored[i], a[i])) return false;
  return true;
}

function sameObject(stored: Record<string, unknown>, o: Record<string, unknown>): boolean {
  if (typeof o.toJSON === "function") return false;
  let kept = 0;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (leftOut(v)) continue;
    if (!Object.hasOwn(stored, k) || !sameJson(stored[k], v)) return false;
    kept++;
  }
  return kept === Object.keys(stored).length;
}

/** The walk found something JSON.stringify treats specially (toJSON, a class, a NUL, a cycle?). */
const UNUSUAL = Symbol("unusual");

/** Deeper than this is left to JSON.stringify, which also reports cycles. */
const MAX_DEPTH = 64;

const dateToJSON = Date.prototype.toJSON;

/**
 * What JSON.stringify then JSON.parse (with keys sorted) makes of `v`, for plain data: undefined
 * where stringify leaves the value out, UNUSUAL where this walk does not know for certain.
 */
function normalise(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case "string":
      return v.includes("\u0000") ? UNUSUAL : v;
    case "number":
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null; // -0 prints as 0; NaN and ±Infinity as null
    case "boolean":
      return v;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "object":
      break;
    default:
      return UNUSUAL; // bigint: stringify throws
  }
  if (v === null) return null;
  if (depth >= MAX_DEPTH) return UNUSUAL;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Array.prototype) return normaliseArray(v as unknown[], depth);
  if (proto === Date.prototype) return (v as Date).toJSON === dateToJSON ? (v as Date).toJSON() : UNUSUAL;
  if (proto === Object.prototype || proto === null) return normaliseObject(v as Record<string, unknown>, depth);
  return UNUSUAL;
}

function normaliseArray(a: unknown[], depth: number): unknown {
  if (typeof (a as { toJSON?: unknown }).toJSON === "function") return UNUSUAL;
  const out: unknown[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = normalise(a[i], depth + 1);
    if (x === UNUSUAL) return UNUSUAL;
    out.push(x === undefined ? null : x); // stringify prints a missing element as null
  }
  return Object.freeze(out);
}

function normaliseObject(o: Record<string, unknown>, depth: number): unknown {
  if (typeof o.toJSON === "function") return UNUSUAL;
  const keys: string[] = [];
  const values: unknown[] = [];
  for (const k of Object.keys(o)) {
    // A "__proto__" key would set the prototype of the object built below: left to the reference.
    if (k === "__proto__" || k.includes("\u0000")) return UNUSUAL;
    const x = normalise(o[k], depth + 1);
    if (x === UNUSUAL) return UNUSUAL;
    if (x === undefined) continue;
    keys.push(k);
    values.push(x);
  }
  const out: Record<string, unknown> = {};
  for (const i of jsonbOrder(keys)) out[keys[i]!] = values[i];
  return Object.freeze(out);
}

/** Freezes a value and everything in it (a Date's instant stays its own: freezing does not touch it). */
export function freeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const child of Object.values(v)) freeze(child);
    Object.freeze(v);
  }
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const encoder = new TextEncoder();

function isAscii(k: string): boolean {
  for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** jsonb's order of ASCII keys: shorter first, then bytewise, which for ASCII is JavaScript's `<`. */
const compareAscii = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The positions of `keys` in jsonb's key order: shorter UTF-8 first, then bytewise. For ASCII
 * keys the byte length is the string length and bytewise is JavaScript's `<`, so only other keys
 * need encoding.
 */
function jsonbOrder(keys: string[]): number[] {
  const positions = keys.map((_, i) => i);
  if (keys.length < 2) return positions;
  if (keys.every(isAscii)) {
    let sorted = true;
    for (let i = 1; i < keys.length && sorted; i++) sorted = compareAscii(keys[i - 1]!, keys[i]!) < 0;
    return sorted ? positions : positions.sort((a, b) => compareAscii(keys[a]!, keys[b]!));
  }
  const bytes = keys.map((k) => encoder.encode(k));
  return positions.sort((a, b) => bytes[a]!.length - bytes[b]!.length || compareBytes(bytes[a]!, bytes[b]!));
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(o);
  const out: Record<string, unknown> = {};
  for (const i of jsonbOrder(keys)) out[keys[i]!] = o[keys[i]!];
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
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
    if (isSurrogate(x) !== isSurrogate(y)) return isSurrogate(x) ? 1 : -1; // a surrogate pair is above the BMP
    return x - y;
  }
  return a.length - b.length;
}

/** Half of a UTF-16 surrogate pair. (Out here: a closure made per comparison showed in sorts.) */
function isSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdfff;
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

/**
 * How a memory database keeps its jsonb columns. `jsonbDocuments`, the default, as PostgreSQL
 * does (values.ts above): copied, normalised, frozen, as a test against the SQL adapter needs.
 * `givenDocuments` keeps the caller's object itself: for a database only its own caller writes and
 * reads, which never changes a document once handed over, and reads nothing that normalising would
 * change (a replay's scratch ledger: what it stores is plain data, Dates already text). Normalising
 * every order, award and entry document a replay writes, and comparing each with the one before,
 * was about a fifth of its time. NOT NULL is enforced either way.
 */
export interface Documents {
  jsonb<T>(value: T): T | null;
  requiredJsonb<T>(value: T, table: string, column: string): T;
  jsonbOver<T>(stored: T | null, value: T): T | null;
  requiredJsonbOver<T>(stored: T, value: T, table: string, column: string): T;
}

export const jsonbDocuments: Documents = { jsonb, requiredJsonb, jsonbOver, requiredJsonbOver };

const given = <T>(value: T): T | null => (value === undefined || value === null ? null : value);
const requiredGiven = <T>(value: T, table: string, column: string): T => {
  if (value === undefined || value === null) throw new MemoryDbError("23502", `null value in column ${column} of relation ${table} violates not-null constraint`);
  return value;
};

export const givenDocuments: Documents = {
  jsonb: given,
  requiredJsonb: requiredGiven,
  jsonbOver: (_stored, value) => given(value),
  requiredJsonbOver: (_stored, value, table, column) => requiredGiven(value, table, column),
};

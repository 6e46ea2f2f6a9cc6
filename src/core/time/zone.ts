import { DateTime, Info, type Zone } from "luxon";
import { cachedZone } from "./offset-cache.ts";

/**
 * Store-local calendar arithmetic: day, month and year boundaries follow the store's IANA zone.
 *
 * The common case (a valid zone, a year from 1000 to 9999) is worked out here from the zone's UTC
 * offsets, which offset-cache.ts remembers, with luxon's own algorithm (DateTime.plus: the local
 * calendar fields moved, the day clamped to the new month's length, then the offset fixed up the
 * way luxon fixes it, gaps and overlaps included). Building a luxon DateTime for every award's
 * expiry and every rule counter's period took about a fifth of a replay's time. Anything else
 * is handed to luxon, the reference; test/unit/zone.test.ts holds the two to the same answers.
 */

export function isValidTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Years whose instants are worked out here: four-digit years, where Date.UTC needs no correction. */
const FIRST_YEAR_MS = Date.UTC(1000, 0, 1);
const LAST_YEAR_MS = Date.UTC(10_000, 0, 1);

type OffsetOf = (ms: number) => number;
const offsets = new Map<string, OffsetOf | null>();

/** The zone's UTC offset in minutes at an instant; null for a name luxon does not accept. */
function offsetOf(zone: string): OffsetOf | null {
  let found = offsets.get(zone);
  if (found === undefined) {
    const cached = cachedZone(zone);
    const z: Zone = typeof cached === "string" ? Info.normalizeZone(cached) : cached;
    found = z.isValid ? (ms: number) => z.offset(ms) : null;
    if (offsets.size >= 1_000) offsets.clear();
    offsets.set(zone, found);
  }
  return found;
}

/** An instant's local wall-clock time as milliseconds of a UTC calendar (luxon's "local timestamp"). */
function localMs(ms: number, offset: number): number {
  return ms + offset * MINUTE_MS;
}

const fast = (ms: number) => ms >= FIRST_YEAR_MS && ms < LAST_YEAR_MS;

/**
 * The instant's local wall-clock date and time as a Date read with its UTC getters; null where
 * luxon must answer (see the file's note).
 */
function localDate(at: Date, zone: string): Date | null {
  const ms = at.getTime();
  const offset = offsetOf(zone);
  if (!offset || !fast(ms)) return null;
  const local = new Date(localMs(ms, offset(ms)));
  return fast(local.getTime()) ? local : null;
}

export function localParts(at: Date, zone: string): { year: number; month: number; day: number } {
  const local = localDate(at, zone);
  if (local) return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
  const dt = DateTime.fromJSDate(at, { zone: cachedZone(zone) });
  return { year: dt.year, month: dt.month, day: dt.day };
}

/** `YYYY-MM-DD` (or `YYYY-MM` with `month`) of the instant's local date, as luxon's toFormat prints it. */
export function localDateKey(at: Date, zone: string, unit: "day" | "month"): string {
  const local = localDate(at, zone);
  if (!local) return DateTime.fromJSDate(at, { zone: cachedZone(zone) }).toFormat(unit === "day" ? "yyyy-MM-dd" : "yyyy-MM");
  const month = local.getUTCMonth() + 1;
  const ym = `${local.getUTCFullYear()}-${month < 10 ? "0" : ""}${month}`;
  if (unit === "month") return ym;
  const day = local.getUTCDate();
  return `${ym}-${day < 10 ? "0" : ""}${day}`;
}

/** The last millisecond of a store-local calendar day. */
export function endOfLocalDay(year: number, month: number, day: number, zone: string): Date {
  const key = `${zone}\u0000${year}\u0000${month}\u0000${day}`;
  let ms = endsOfDays.get(key);
  if (ms === undefined) {
    ms = DateTime.fromObject({ year, month, day }, { zone: cachedZone(zone) }).endOf("day").toMillis();
    if (endsOfDays.size >= 10_000) endsOfDays.clear();
    endsOfDays.set(key, ms);
  }
  return new Date(ms);
}

/**
 * Ends of days already worked out: the same day in the same zone always ends at the same instant,
 * and a fixed-date expiry asks for one day over and over (every award of a year). NaN for an
 * invalid day, as `toMillis` gives.
 */
const endsOfDays = new Map<string, number>();

/** Calendar months in the store's zone, so "12 months" lands on the same local day and hour. */
export function addLocalMonths(at: Date, months: number, zone: string): Date {
  return addLocal(at, months, 0, zone) ?? DateTime.fromJSDate(at, { zone: cachedZone(zone) }).plus({ months }).toJSDate();
}

export function addLocalDays(at: Date, days: number, zone: string): Date {
  return addLocal(at, 0, days, zone) ?? DateTime.fromJSDate(at, { zone: cachedZone(zone) }).plus({ days }).toJSDate();
}

export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * 60_000);
}

/**
 * luxon's `plus({ months, days })` for whole numbers: the local year and month moved, the day
 * clamped to that month's length and then moved by `days`, the time of day kept, and the result's
 * offset found as luxon's fixOffset finds it. Null where luxon must answer (see the file's note).
 */
function addLocal(at: Date, months: number, days: number, zone: string): Date | null {
  const ms = at.getTime();
  const offsetAt = offsetOf(zone);
  if (!offsetAt || !fast(ms) || !Number.isInteger(months) || !Number.isInteger(days)) return null;
  const offset = offsetAt(ms);
  const local = localMs(ms, offset);
  const date = new Date(local);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1 + months;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month)) + days;
  const timeOfDay = local - Math.floor(local / DAY_MS) * DAY_MS;
  const movedLocal = Date.UTC(year, month - 1, day) + timeOfDay;
  if (!fast(movedLocal)) return null;
  return new Date(fixOffset(movedLocal, offset, offsetAt));
}

/** Days in a month of a year, the month counted on past December or back before January. */
function daysInMonth(year: number, month: number): number {
  const m = (((month - 1) % 12) + 12) % 12 + 1;
  const y = year + (month - m) / 12;
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * The instant of a local wall-clock time, guessing the offset it had before the move (luxon's
 * fixOffset): in a gap the wall time is kept with the smaller offset and the result lands after
 * the gap; in an overlap the guess decides, as it does in luxon.
 */
function fixOffset(local: number, guess: number, offsetAt: OffsetOf): number {
  let utc = local - guess * MINUTE_MS;
  const o2 = offsetAt(utc);
  if (o2 === guess) return utc;
  utc -= (o2 - guess) * MINUTE_MS;
  const o3 = offsetAt(utc);
  if (o2 === o3) return utc;
  return local - Math.min(o2, o3) * MINUTE_MS;
}

import { DateTime } from "luxon";
import { cachedZone } from "./offset-cache.ts";

/**
 * Store-local calendar arithmetic: day, month and year boundaries follow the store's IANA zone.
 * The zone handed to luxon remembers its offsets (offset-cache.ts): the same arithmetic, fewer
 * Intl calls.
 */

export function isValidTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

export function localParts(at: Date, zone: string): { year: number; month: number; day: number } {
  const dt = DateTime.fromJSDate(at, { zone: cachedZone(zone) });
  return { year: dt.year, month: dt.month, day: dt.day };
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
  return DateTime.fromJSDate(at, { zone: cachedZone(zone) }).plus({ months }).toJSDate();
}

export function addLocalDays(at: Date, days: number, zone: string): Date {
  return DateTime.fromJSDate(at, { zone: cachedZone(zone) }).plus({ days }).toJSDate();
}

export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * 60_000);
}

import { DateTime } from "luxon";

/** Store-local calendar arithmetic: day, month and year boundaries follow the store's IANA zone. */

export function isValidTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

export function localParts(at: Date, zone: string): { year: number; month: number; day: number } {
  const dt = DateTime.fromJSDate(at, { zone });
  return { year: dt.year, month: dt.month, day: dt.day };
}

/** The last millisecond of a store-local calendar day. */
export function endOfLocalDay(year: number, month: number, day: number, zone: string): Date {
  return DateTime.fromObject({ year, month, day }, { zone }).endOf("day").toJSDate();
}



/** Calendar months in the store's zone, so "12 months" lands on the same local day and hour. */
export function addLocalMonths(at: Date, months: number, zone: string): Date {
  return DateTime.fromJSDate(at, { zone }).plus({ months }).toJSDate();
}

export function addLocalDays(at: Date, days: number, zone: string): Date {
  return DateTime.fromJSDate(at, { zone }).plus({ days }).toJSDate();
}

export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * 60_000);
}

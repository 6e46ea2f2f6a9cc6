/**
 * Store-local calendar arithmetic (src/core/time/zone.ts) works most dates out itself from the
 * zone's offsets; luxon is the reference. Every answer must be luxon's, to the millisecond, in
 * zones with daylight saving both ways, half-hour and 45-minute offsets, a 30-minute DST shift,
 * zones that changed their standard offset, and the instants right around transitions.
 */
import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { addLocalDays, addLocalMonths, localDateKey, localParts } from "../../src/core/time/zone.ts";
import { periodKey } from "../../src/core/rules/periods.ts";
import { monthOf } from "../../src/core/simulation/figures.ts";

const ZONES = [
  "UTC", "America/New_York", "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe",
  "Asia/Kathmandu", "Asia/Kolkata", "Pacific/Chatham", "Pacific/Apia", "America/St_Johns", "Africa/Casablanca", "Europe/Moscow",
  "America/Santiago", "Antarctica/Troll", "Etc/GMT+5", "Pacific/Kiritimati",
];

const luxonPlus = (at: Date, zone: string, plus: { months?: number; days?: number }) => DateTime.fromJSDate(at, { zone }).plus(plus).toJSDate().getTime();
const luxonFormat = (at: Date, zone: string, format: string) => DateTime.fromJSDate(at, { zone }).toFormat(format);

/** Instants from 1990 to 2060, and half of them within a day of a transition in a DST zone. */
const instant = fc.oneof(
  fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
  fc.tuple(fc.integer({ min: 1995, max: 2045 }), fc.constantFrom(2, 3, 9, 10, 11), fc.integer({ min: -36, max: 36 }), fc.integer({ min: 0, max: 3_599_999 }))
    .map(([year, month, hours, ms]) => Date.UTC(year, month, 1) + hours * 3_600_000 + ms + 7 * 86_400_000 * (ms % 4)),
).map((ms) => new Date(ms));

describe("store-local arithmetic agrees with luxon", () => {
  it("adding months and days", () => {
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), fc.integer({ min: -30, max: 30 }), fc.integer({ min: -400, max: 400 }), (at, zone, months, days) => {
      expect(addLocalMonths(at, months, zone).getTime()).toBe(luxonPlus(at, zone, { months }));
      expect(addLocalDays(at, days, zone).getTime()).toBe(luxonPlus(at, zone, { days }));
    }), { numRuns: 20_000 });
  });

  it("local dates and period keys", () => {
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => {
      const dt = DateTime.fromJSDate(at, { zone });
      expect(localParts(at, zone)).toEqual({ year: dt.year, month: dt.month, day: dt.day });
      expect(localDateKey(at, zone, "day")).toBe(luxonFormat(at, zone, "yyyy-MM-dd"));
      expect(periodKey("month", at, zone)).toBe(`month:${luxonFormat(at, zone, "yyyy-MM")}`);
    }), { numRuns: 20_000 });
  });

  it("every transition of a DST zone, a minute either side, plus a day and a month", () => {
    for (const zone of ["America/New_York", "Australia/Lord_Howe", "Europe/London", "Pacific/Chatham"]) {
      for (let year = 2025; year <= 2027; year++) {
        let previous = DateTime.fromObject({ year }, { zone }).offset;
        for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 15 * 60_000) {
          const offset = DateTime.fromMillis(t, { zone }).offset;
          if (offset === previous) continue;
          previous = offset;
          for (const near of [t - 60_000 * 61, t - 60_000, t, t + 60_000, t + 60_000 * 61]) {
            const at = new Date(near);
            for (const days of [-1, 1, 7]) expect(addLocalDays(at, days, zone).getTime()).toBe(luxonPlus(at, zone, { days }));
            for (const months of [-6, 1, 12]) expect(addLocalMonths(at, months, zone).getTime()).toBe(luxonPlus(at, zone, { months }));
          }
        }
      }
    }
  });

  it("lands in a gap and an overlap as luxon does", () => {
    // New York skips 02:00-03:00 on 2026-03-08 and repeats 01:00-02:00 on 2026-11-01.
    const zone = "America/New_York";
    const intoGap = new Date("2026-03-07T07:30:00Z"); // 02:30 EST the day before
    expect(addLocalDays(intoGap, 1, zone).toISOString()).toBe(new Date(luxonPlus(intoGap, zone, { days: 1 })).toISOString());
    const intoOverlap = new Date("2026-10-31T05:30:00Z"); // 01:30 EDT the day before
    expect(addLocalDays(intoOverlap, 1, zone).toISOString()).toBe("2026-11-01T05:30:00.000Z");
  });

  it("hands luxon what it does not work out: years outside 1000-9999 and invalid dates or zones", () => {
    const far = new Date(Date.UTC(9999, 11, 15));
    expect(addLocalMonths(far, 1, "UTC").getTime()).toBe(luxonPlus(far, "UTC", { months: 1 }));
    expect(addLocalDays(new Date(Number.NaN), 1, "UTC").getTime()).toBeNaN();
    expect(addLocalDays(new Date(0), 1, "Not/AZone").getTime()).toBeNaN();
    expect(localDateKey(new Date(Number.NaN), "UTC", "day")).toBe("Invalid DateTime");
  });

  it("the month of an ISO instant as an order carries it (with an offset, or Z), as luxon reads the text", () => {
    const offset = fc.oneof(fc.constant("Z"), fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45))
      .map(([sign, h, m]) => `${sign}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`));
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), offset, fc.boolean(), (at, zone, suffix, millis) => {
      // The instant written in another offset, as a client may send it.
      const shifted = suffix === "Z" ? 0 : (suffix.startsWith("-") ? -1 : 1) * (Number(suffix.slice(1, 3)) * 60 + Number(suffix.slice(4))) * 60_000;
      const wall = new Date(at.getTime() + shifted).toISOString();
      const text = `${millis ? wall.slice(0, 23) : wall.slice(0, 19)}${suffix}`;
      expect(monthOf(text, zone)).toBe(DateTime.fromISO(text, { zone }).toFormat("yyyy-MM"));
    }), { numRuns: 20_000 });
  });
});

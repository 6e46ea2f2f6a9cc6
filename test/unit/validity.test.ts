/**
 * Expiry dates (SPEC §3 Expiry): rolling validity counts from when points become available, in the
 * store's zone; a fixed date is the end of that local day in the year after the points were credited.
 */
import { describe, expect, it } from "vitest";
import { computeExpiresAt, validitySchema, type Validity } from "../../src/core/expiry/validity.ts";

const d = (iso: string) => new Date(iso);
const expiry = (validity: Validity, earnedAt: string, zone: string, availableAt = earnedAt) =>
  computeExpiresAt(validity, { earnedAt: d(earnedAt), availableAt: d(availableAt) }, zone)?.toISOString() ?? null;

describe("never", () => {
  it("has no expiry", () => {
    expect(computeExpiresAt({ type: "never" }, { earnedAt: d("2026-01-01T00:00:00Z"), availableAt: d("2026-01-01T00:00:00Z") }, "UTC")).toBeNull();
  });
});

describe("rolling", () => {
  it("counts days from availableAt, not from earnedAt", () => {
    expect(expiry({ type: "rolling", days: 30 }, "2026-01-01T09:00:00Z", "UTC", "2026-01-04T09:00:00Z")).toBe("2026-02-03T09:00:00.000Z");
  });

  it("counts months from availableAt, not from earnedAt", () => {
    expect(expiry({ type: "rolling", months: 12 }, "2026-01-01T09:00:00Z", "UTC", "2026-01-10T09:00:00Z")).toBe("2027-01-10T09:00:00.000Z");
  });

  it("adds days on the store's calendar: the local wall time survives a daylight-saving change", () => {
    // Sydney leaves daylight saving on 2026-04-05: 12:00 AEDT (+11) + 30 days = 12:00 AEST (+10).
    expect(expiry({ type: "rolling", days: 30 }, "2026-03-20T01:00:00Z", "Australia/Sydney")).toBe("2026-04-19T02:00:00.000Z");
    // The same instant in UTC is exactly 30 × 24 hours later.
    expect(expiry({ type: "rolling", days: 30 }, "2026-03-20T01:00:00Z", "UTC")).toBe("2026-04-19T01:00:00.000Z");
  });

  it("adds months on the store's calendar across a daylight-saving change, keeping local wall time", () => {
    // New York: 12:00 EST (-5) on 15 January + 3 months = 12:00 EDT (-4) on 15 April.
    expect(expiry({ type: "rolling", months: 3 }, "2026-01-15T17:00:00Z", "America/New_York")).toBe("2026-04-15T16:00:00.000Z");
    // And back out of daylight saving: 12:00 EDT on 15 October + 1 month = 12:00 EST on 15 November.
    expect(expiry({ type: "rolling", months: 1 }, "2026-10-15T16:00:00Z", "America/New_York")).toBe("2026-11-15T17:00:00.000Z");
    // Sydney's summer is the other way round: 09:00 AEST (+10) in September + 2 months = 09:00 AEDT (+11).
    expect(expiry({ type: "rolling", months: 2 }, "2026-09-09T23:00:00Z", "Australia/Sydney")).toBe("2026-11-09T22:00:00.000Z");
  });

  it("a month from the 31st lands on the last day of a shorter month", () => {
    expect(expiry({ type: "rolling", months: 1 }, "2026-01-31T10:00:00Z", "UTC")).toBe("2026-02-28T10:00:00.000Z");
    expect(expiry({ type: "rolling", months: 1 }, "2028-01-31T10:00:00Z", "UTC")).toBe("2028-02-29T10:00:00.000Z");
  });

  it("the month is the store's: late evening UTC is already the next local day in Taipei", () => {
    // 2026-01-31T20:00Z is 2026-02-01 04:00 in Taipei: one month later is 2026-03-01 04:00 local.
    expect(expiry({ type: "rolling", months: 1 }, "2026-01-31T20:00:00Z", "Asia/Taipei")).toBe("2026-02-28T20:00:00.000Z");
    expect(expiry({ type: "rolling", months: 1 }, "2026-01-31T20:00:00Z", "UTC")).toBe("2026-02-28T20:00:00.000Z");
    expect(expiry({ type: "rolling", months: 1 }, "2026-01-30T20:00:00Z", "Asia/Taipei")).toBe("2026-02-27T20:00:00.000Z");
    expect(expiry({ type: "rolling", months: 1 }, "2026-01-30T20:00:00Z", "UTC")).toBe("2026-02-28T20:00:00.000Z");
    expect(expiry({ type: "rolling", months: 1 }, "2026-02-28T20:00:00Z", "Asia/Taipei")).toBe("2026-03-31T20:00:00.000Z");
    expect(expiry({ type: "rolling", months: 1 }, "2026-02-28T20:00:00Z", "UTC")).toBe("2026-03-28T20:00:00.000Z");
  });
});

describe("fixed_date", () => {
  const endOfYear: Validity = { type: "fixed_date", month: 12, day: 31 };

  it.each([
    ["UTC", "2021-12-31T23:59:59.999Z"],
    ["America/New_York", "2022-01-01T04:59:59.999Z"],
    ["Asia/Taipei", "2021-12-31T15:59:59.999Z"],
    ["Australia/Sydney", "2021-12-31T12:59:59.999Z"],
  ])("earned 2020-12-04 in %s → 2021-12-31 23:59:59.999 store-local", (zone, expected) => {
    expect(expiry(endOfYear, "2020-12-04T12:00:00Z", zone)).toBe(expected);
  });

  it("the year earned is the store's local year", () => {
    // 2020-12-31T20:00Z is already 2021-01-01 in Taipei and Sydney, still 2020 in UTC and New York.
    expect(expiry(endOfYear, "2020-12-31T20:00:00Z", "UTC")).toBe("2021-12-31T23:59:59.999Z");
    expect(expiry(endOfYear, "2020-12-31T20:00:00Z", "America/New_York")).toBe("2022-01-01T04:59:59.999Z");
    expect(expiry(endOfYear, "2020-12-31T20:00:00Z", "Asia/Taipei")).toBe("2022-12-31T15:59:59.999Z");
    expect(expiry(endOfYear, "2020-12-31T20:00:00Z", "Australia/Sydney")).toBe("2022-12-31T12:59:59.999Z");
    // And 2021-01-01T02:00Z is still 2020-12-31 in New York.
    expect(expiry(endOfYear, "2021-01-01T02:00:00Z", "America/New_York")).toBe("2022-01-01T04:59:59.999Z");
    expect(expiry(endOfYear, "2021-01-01T02:00:00Z", "UTC")).toBe("2022-12-31T23:59:59.999Z");
  });

  it("counts from the year the points were credited (became available), as the member-points preset shows", () => {
    // Collected 2020-12-01, available 3 days later: 2021-12-31.
    expect(expiry(endOfYear, "2020-12-01T12:00:00Z", "UTC", "2020-12-04T12:00:00Z")).toBe("2021-12-31T23:59:59.999Z");
    // Collected 2020-12-30, available 2021-01-05: the points belong to 2021 and last until the end of 2022.
    expect(expiry(endOfYear, "2020-12-30T12:00:00Z", "UTC", "2021-01-05T12:00:00Z")).toBe("2022-12-31T23:59:59.999Z");
  });

  it("a mid-year date ends that local day in the following year, in daylight saving time where it applies", () => {
    // 30 June in New York is EDT (-4); in Sydney it is AEST (+10).
    expect(expiry({ type: "fixed_date", month: 6, day: 30 }, "2025-08-01T00:00:00Z", "America/New_York")).toBe("2026-07-01T03:59:59.999Z");
    expect(expiry({ type: "fixed_date", month: 6, day: 30 }, "2025-08-01T00:00:00Z", "Australia/Sydney")).toBe("2026-06-30T13:59:59.999Z");
  });

  it("29 February falls back to the 28th in a non-leap year", () => {
    const leapDay: Validity = { type: "fixed_date", month: 2, day: 29 };
    expect(expiry(leapDay, "2024-05-01T00:00:00Z", "UTC")).toBe("2025-02-28T23:59:59.999Z");
    expect(expiry(leapDay, "2023-05-01T00:00:00Z", "UTC")).toBe("2024-02-29T23:59:59.999Z");
    expect(expiry(leapDay, "2099-05-01T00:00:00Z", "UTC")).toBe("2100-02-28T23:59:59.999Z"); // 2100 is not a leap year
    expect(expiry(leapDay, "1999-05-01T00:00:00Z", "UTC")).toBe("2000-02-29T23:59:59.999Z"); // 2000 is
    expect(expiry(leapDay, "2024-05-01T00:00:00Z", "Asia/Taipei")).toBe("2025-02-28T15:59:59.999Z");
  });
});

describe("validitySchema", () => {
  it("accepts each type and refuses malformed ones", () => {
    expect(validitySchema.parse({ type: "rolling", days: 365 })).toEqual({ type: "rolling", days: 365 });
    expect(validitySchema.parse({ type: "fixed_date", month: 2, day: 29 })).toEqual({ type: "fixed_date", month: 2, day: 29 });
    for (const bad of [
      { type: "rolling" },
      { type: "rolling", days: 30, months: 1 },
      { type: "rolling", days: 0 },
      { type: "rolling", days: 1.5 },
      { type: "fixed_date", month: 2, day: 30 },
      { type: "fixed_date", month: 4, day: 31 },
      { type: "fixed_date", month: 13, day: 1 },
      { type: "never", days: 3 },
      { type: "sometimes" },
    ]) {
      expect(validitySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

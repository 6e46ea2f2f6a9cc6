import { z } from "zod";
import { addLocalDays, addLocalMonths, endOfLocalDay, localParts } from "../time/zone.ts";

export const validitySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("never") }).strict(),
  z
    .object({
      type: z.literal("rolling"),
      days: z.number().int().positive().max(36_500).optional(),
      months: z.number().int().positive().max(1_200).optional(),
    })
    .strict()
    .refine((v) => (v.days === undefined) !== (v.months === undefined), {
      message: "give exactly one of days or months",
    }),
  z
    .object({
      type: z.literal("fixed_date"),
      month: z.number().int().min(1).max(12),
      day: z.number().int().min(1).max(31),
    })
    .strict()
    .refine((v) => v.day <= daysInMonth(v.month), { message: "day does not exist in that month" }),
]);

export type Validity = z.infer<typeof validitySchema>;

function daysInMonth(month: number): number {
  // February allows 29; in a non-leap year the date falls back to the 28th (see fixedDateExpiry).
  return [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 31;
}

/**
 * When a lot expires. Rolling validity counts from the moment the points become available;
 * a fixed date is the end of that local day in the year after the year the points were credited
 * to the member (became available): collected 2020-12-01, credited 2020-12-04 → 2021-12-31.
 */
export function computeExpiresAt(
  validity: Validity,
  times: { earnedAt: Date; availableAt: Date },
  zone: string,
): Date | null {
  switch (validity.type) {
    case "never":
      return null;
    case "rolling":
      return validity.months !== undefined
        ? addLocalMonths(times.availableAt, validity.months, zone)
        : addLocalDays(times.availableAt, validity.days ?? 0, zone);
    case "fixed_date": {
      const year = localParts(times.availableAt, zone).year + 1;
      const day = Math.min(validity.day, isLeap(year) || validity.month !== 2 ? validity.day : 28);
      return endOfLocalDay(year, validity.month, day, zone);
    }
  }
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

import { localDateKey } from "../time/zone.ts";

/** Counter periods in the store's time zone: a day, a month, or the member's lifetime. */
export type PeriodKind = "day" | "month" | "lifetime";

export function periodKey(kind: PeriodKind, at: Date, zone: string): string {
  if (kind === "lifetime") return "lifetime";
  return kind === "day" ? `day:${localDateKey(at, zone, "day")}` : `month:${localDateKey(at, zone, "month")}`;
}

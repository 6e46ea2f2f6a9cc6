import { DateTime } from "luxon";
import { cachedZone } from "../time/offset-cache.ts";

/** Counter periods in the store's time zone: a day, a month, or the member's lifetime. */
export type PeriodKind = "day" | "month" | "lifetime";

export function periodKey(kind: PeriodKind, at: Date, zone: string): string {
  if (kind === "lifetime") return "lifetime";
  const local = DateTime.fromJSDate(at, { zone: cachedZone(zone) });
  return kind === "day" ? `day:${local.toFormat("yyyy-MM-dd")}` : `month:${local.toFormat("yyyy-MM")}`;
}

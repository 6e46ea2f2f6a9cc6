import { DateTime } from "luxon";
import { invalid } from "../errors.ts";

/**
 * A simulation's `from` and `to`: a calendar date in the store's zone (`from` at the day's start,
 * `to` at its end) or an exact instant.
 */
export function simulationPeriod(from: string, to: string, zone: string): { from: Date; to: Date } {
  const parse = (value: string, path: "from" | "to") => {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone }) : DateTime.fromISO(value, { setZone: true });
    if (!date.isValid) throw invalid(path, "must be a date (YYYY-MM-DD) or an ISO 8601 instant");
    if (value.length === 10) return path === "from" ? date.startOf("day").toJSDate() : date.endOf("day").toJSDate();
    return date.toJSDate();
  };
  const period = { from: parse(from, "from"), to: parse(to, "to") };
  if (period.to.getTime() < period.from.getTime()) throw invalid("to", "must not be before from");
  return period;
}

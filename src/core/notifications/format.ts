import { DateTime } from "luxon";
import { formattingLocale } from "./language.ts";

/**
 * How values read inside a message: dates on the store's calendar, numbers and money in the
 * message's language.
 */

/** The calendar date of an instant in the store's zone, written the way the language writes dates ("December 31, 2026", "2026年12月31日"). */
export function formatDate(iso: string, zone: string, language: string): string {
  const at = DateTime.fromISO(iso, { zone: "utc" }).setZone(zone);
  // A value that is not an instant is shown as given rather than as "Invalid DateTime".
  if (!at.isValid) return iso;
  return at.setLocale(formattingLocale(language)).toLocaleString(DateTime.DATE_FULL);
}

/** Whole points with the language's digit grouping ("12,500"). */
export function formatPoints(points: number, language: string): string {
  return new Intl.NumberFormat(formattingLocale(language), { maximumFractionDigits: 0 }).format(points);
}

export interface Money {
  /** Integer minor units (cents) in `currency`. */
  amount: number;
  /** ISO 4217 code, e.g. "TWD", "USD". */
  currency: string;
}

/** A money amount in the store's currency, e.g. "$12.50" or "NT$1,200.00". */
export function formatMoney(money: Money, language: string): string {
  const locale = formattingLocale(language);
  try {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency: money.currency });
    // Minor-unit digits as checkout counts them: Intl's for the currency, "en" as the reference.
    const digits = new Intl.NumberFormat("en", { style: "currency", currency: money.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
    return format.format(money.amount / 10 ** digits);
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

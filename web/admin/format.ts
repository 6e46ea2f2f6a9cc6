/** Points as integers with grouping; money from minor units by the currency's own decimals. */
export const points = (n: number) => new Intl.NumberFormat().format(n);

export function money(minor: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 10 ** digits);
}

/** An instant in the store's time zone, as staff read it. */
export function dateTime(value: string | null | undefined, timeZone: string): string {
  if (!value) return "—";
  return new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

export function date(value: string | null | undefined, timeZone: string): string {
  if (!value) return "never";
  return new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: "medium" }).format(new Date(value));
}

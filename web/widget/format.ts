/** Numbers, money and dates in the member's language; dates in the store's time zone. */
export const count = (n: number, lang: string) => new Intl.NumberFormat(lang).format(n);

export function money(minor: number, currency: string, lang: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(lang, { style: "currency", currency }).format(minor / 10 ** digits);
}

export function day(value: string, lang: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", ...(timeZone ? { timeZone } : {}) }).format(new Date(value));
}

import { DomainError } from "../errors.ts";
import { MAX_VALUE } from "../limits.ts";

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * The number of minor units in one unit of a currency, as ISO 4217 gives it (JPY 0, USD 2,
 * KWD 3), from the runtime's own currency data; unknown codes count as 2.
 */
export function currencyExponent(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * A decimal money string ("199.00", "-10.00", "1000") in minor units of a currency with
 * `exponent` decimals, computed on the digits, never through floating point. Digits beyond the
 * exponent are rounded half away from zero ("0.125" USD → 13): platforms sometimes send more
 * decimals than the currency has (taxes at four places), and a cent is the most a value can move.
 */
export function decimalToMinor(value: string, exponent: number, path: string): number {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw invalid(path, `"${value}" is not a decimal amount`);
  const [, sign, whole, fraction = ""] = match;
  const kept = fraction.slice(0, exponent).padEnd(exponent, "0");
  const dropped = fraction.slice(exponent);
  let minor = BigInt(`${whole}${kept}`);
  if (dropped.length > 0 && dropped.charCodeAt(0) >= 53 /* "5" */) minor += 1n;
  if (minor > BigInt(MAX_VALUE)) throw invalid(path, "is above 10^12 minor units");
  const result = Number(minor);
  return sign === "-" && result !== 0 ? -result : result;
}

function invalid(path: string, message: string): DomainError {
  return new DomainError("validation_failed", `${path} ${message}`, { errors: [{ path, message }] });
}

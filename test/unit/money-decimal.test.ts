import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/core/errors.ts";
import { currencyExponent, decimalToMinor } from "../../src/core/money/decimal.ts";

describe("decimal money strings to minor units", () => {
  it("knows ISO 4217 exponents: JPY 0, USD 2, KWD 3", () => {
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("EUR")).toBe(2);
    expect(currencyExponent("KWD")).toBe(3);
    expect(currencyExponent("BHD")).toBe(3);
  });

  it("converts by the exponent, exactly", () => {
    expect(decimalToMinor("1500", 0, "p")).toBe(1500);
    expect(decimalToMinor("1500.00", 0, "p")).toBe(1500);
    expect(decimalToMinor("199.00", 2, "p")).toBe(19900);
    expect(decimalToMinor("0.1", 2, "p")).toBe(10);
    expect(decimalToMinor("19.900", 3, "p")).toBe(19900);
    expect(decimalToMinor("-10.00", 2, "p")).toBe(-1000);
    expect(decimalToMinor("10.000000", 2, "p")).toBe(1000);
    // Floating point would say 0.29 * 100 = 28.999999999999996.
    expect(decimalToMinor("0.29", 2, "p")).toBe(29);
    expect(decimalToMinor("1.005", 2, "p")).toBe(101);
  });

  it("rounds digits beyond the exponent half away from zero", () => {
    expect(decimalToMinor("0.125", 2, "p")).toBe(13);
    expect(decimalToMinor("0.124", 2, "p")).toBe(12);
    expect(decimalToMinor("-0.125", 2, "p")).toBe(-13);
    expect(decimalToMinor("12.5", 0, "p")).toBe(13);
  });

  it("refuses what is not a decimal amount, or is above 10^12, naming the field", () => {
    for (const bad of ["1e5", "", "12,50", "$5", "NaN", "1.2.3"]) {
      expect(() => decimalToMinor(bad, 2, "line_items.0.price")).toThrow(DomainError);
    }
    expect(() => decimalToMinor("10000000000.01", 2, "total")).toThrow(/above 10\^12/);
    try {
      decimalToMinor("x", 2, "line_items.0.price");
    } catch (error) {
      expect((error as DomainError).details.errors).toEqual([{ path: "line_items.0.price", message: '"x" is not a decimal amount' }]);
    }
  });

  it("reads back any amount written with the currency's decimals", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), fc.constantFrom(0, 2, 3), (minor, exponent) => {
      const text = exponent === 0 ? String(minor) : `${Math.floor(minor / 10 ** exponent)}.${String(minor % 10 ** exponent).padStart(exponent, "0")}`;
      expect(decimalToMinor(text, exponent, "p")).toBe(minor);
    }));
  });
});

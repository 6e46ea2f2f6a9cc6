import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_BASE_MS,
  MAX_RETRY_DELAY_MS,
  isDead,
  nextAttemptDelay,
} from "../../../src/core/webhooks/retry.ts";

const top = () => 0.999_999_999;
const bottom = () => 0;

describe("nextAttemptDelay", () => {
  it("doubles from the base: the upper bound of attempt n is base · 2^(n-1)", () => {
    const uppers = [1, 2, 3, 4, 5].map((n) => nextAttemptDelay(n, { baseMs: 1_000, random: top }));
    expect(uppers).toEqual([999, 1_999, 3_999, 7_999, 15_999]);
  });

  it("uses the SPEC default of 30 s when no base is given", () => {
    expect(DEFAULT_RETRY_BASE_MS).toBe(30_000);
    expect(nextAttemptDelay(1, { random: bottom })).toBe(15_000);
    expect(nextAttemptDelay(2, { random: bottom })).toBe(30_000);
  });

  it("equal jitter: every delay lies between half and all of the exponential value", () => {
    for (let attempt = 1; attempt <= 15; attempt++) {
      const exponential = Math.min(MAX_RETRY_DELAY_MS, 30_000 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.5, 0.9, 0.999_999]) {
        const delay = nextAttemptDelay(attempt, { baseMs: 30_000, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(exponential / 2);
        expect(delay).toBeLessThanOrEqual(exponential);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it("spreads retries that failed together", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647);
    const delays = new Set(Array.from({ length: 50 }, () => nextAttemptDelay(3, { baseMs: 30_000, random })));
    expect(delays.size).toBeGreaterThan(40);
  });

  it("is capped at six hours however many attempts failed, and never overflows", () => {
    expect(MAX_RETRY_DELAY_MS).toBe(6 * 3_600_000);
    for (const attempt of [11, 12, 30, 1_000, Number.MAX_SAFE_INTEGER]) {
      const delay = nextAttemptDelay(attempt, { baseMs: 30_000, random: top });
      expect(delay).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
      expect(delay).toBeGreaterThanOrEqual(MAX_RETRY_DELAY_MS / 2);
    }
    expect(nextAttemptDelay(4, { baseMs: 1_000, capMs: 5_000, random: top })).toBeLessThanOrEqual(5_000);
  });

  it("treats nonsense input as the first attempt and keeps the random value in [0, 1]", () => {
    expect(nextAttemptDelay(0, { baseMs: 1_000, random: bottom })).toBe(500);
    expect(nextAttemptDelay(Number.NaN, { baseMs: 1_000, random: bottom })).toBe(500);
    expect(nextAttemptDelay(1, { baseMs: 1_000, random: () => 7 })).toBe(1_000);
    expect(nextAttemptDelay(1, { baseMs: 1_000, random: () => -3 })).toBe(500);
  });
});

describe("isDead", () => {
  it("is dead once the attempts reach the maximum (12 by default)", () => {
    expect(DEFAULT_MAX_ATTEMPTS).toBe(12);
    expect(isDead(11)).toBe(false);
    expect(isDead(12)).toBe(true);
    expect(isDead(13)).toBe(true);
    expect(isDead(2, 3)).toBe(false);
    expect(isDead(3, 3)).toBe(true);
  });
});

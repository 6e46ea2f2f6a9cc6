import { describe, expect, it } from "vitest";
import { newId, randomChars } from "../../src/core/ids.ts";

describe("randomChars", () => {
  it("gives the length asked for, only from the alphabet, every character about equally often", () => {
    const text = randomChars(72_000);
    expect(text).toHaveLength(72_000);
    expect(text).toMatch(/^[0-9a-z]+$/);
    const counts = new Map<string, number>();
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(36);
    // 2 000 expected each, standard deviation about 44: a modulo bias would put the first four
    // characters near 2 200 (256 = 7 × 36 + 4).
    for (const [c, n] of counts) {
      expect(n, c).toBeGreaterThan(1_800);
      expect(n, c).toBeLessThan(2_200);
    }
  });

  it("ids stay unique and in creation order across many pool refills", () => {
    const ids = Array.from({ length: 20_000 }, () => newId("ent"));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // A 9-digit time and a 12-digit tail, whose lower half carries into the upper one many times
    // over 20 000 ids made in a few milliseconds.
    for (const id of ids) expect(id).toMatch(/^ent_[0-9a-z]{21}$/);
    const sameMillisecond = ids.filter((id, i) => i > 0 && id.slice(4, 13) === ids[i - 1]!.slice(4, 13));
    expect(sameMillisecond.length).toBeGreaterThan(10_000);
  });
});

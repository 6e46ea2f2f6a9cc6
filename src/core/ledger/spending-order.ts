import type { Lot } from "./types.ts";

/** A lot can be spent from when it is available, has points left and has not expired by `now`. */
export function isSpendable(lot: Lot, now: Date): boolean {
  return (
    lot.status === "available" &&
    lot.remaining > 0 &&
    (lot.expiresAt === null || lot.expiresAt.getTime() > now.getTime())
  );
}

/**
 * Spend the nearest expiry first so members lose as little as possible; never-expiring lots go
 * last, older lots first on ties, and the id makes the order total.
 */
export function compareForSpending(a: Lot, b: Lot): number {
  const ea = a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const eb = b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  const d = a.earnedAt.getTime() - b.earnedAt.getTime();
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Which lots get spent points back: the parts of the original spend, last-taken first (those
 * expire latest), after skipping what was already returned.
 */
export function partsToReturn(
  taken: ReadonlyArray<{ lotId: string; points: number }>,
  alreadyReturned: number,
  amount: number,
): Array<{ lotId: string; points: number }> {
  const parts: Array<{ lotId: string; points: number }> = [];
  let skip = alreadyReturned;
  let left = amount;
  for (const part of [...taken].reverse()) {
    if (left === 0) break;
    const skipped = Math.min(skip, part.points);
    skip -= skipped;
    const give = Math.min(left, part.points - skipped);
    if (give > 0) parts.push({ lotId: part.lotId, points: give });
    left -= give;
  }
  return parts;
}

export function spendableLots(lots: Iterable<Lot>, now: Date): Lot[] {
  return [...lots].filter((l) => isSpendable(l, now)).sort(compareForSpending);
}

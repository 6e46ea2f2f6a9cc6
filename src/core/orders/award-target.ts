/**
 * What an order award comes to for the order as it is now, given what the order is worth under
 * the award's rule (points for the current base with the factors it was made with). The per-order
 * cap (`maxPoints.event`) follows the order. What the day, month or lifetime caps cut at the award
 * moment stays cut: a raise adds only what the order gained (the caller then fits it into the
 * period's room now), and an edit down takes back only what the award no longer is worth (cap 50 a
 * month, 40 used elsewhere, a $20 order earning 10: edited to $12 it keeps 10, to $8 it keeps 8).
 */
export function awardTarget(worth: number, award: { initial: number; capCut: number }, eventCap: number | undefined): number {
  const cap = eventCap ?? Number.POSITIVE_INFINITY;
  // At the award moment the per-order cap cut first and the periods the rest: the award was worth
  // `before` points under the per-order cap, of which it got `initial`.
  const before = Math.min(award.initial + award.capCut, cap);
  const now = Math.min(worth, cap);
  return Math.max(0, Math.min(now, award.initial + Math.max(0, now - before)));
}

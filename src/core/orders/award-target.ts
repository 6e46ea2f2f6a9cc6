/**
 * What an order award comes to for the order as it is now, given what the order is worth under
 * the award's rule (points for the current base with the factors it was made with): the per-order
 * cap (`maxPoints.event`) follows the order, while the points the day, month and lifetime caps cut
 * at the award moment stay cut.
 */
export function awardTarget(worth: number, award: { initial: number; capCut: number }, eventCap: number | undefined): number {
  const cap = eventCap ?? Number.POSITIVE_INFINITY;
  // At the award moment the per-order cap cut first and the periods cut the rest, so the award's
  // points before any cap were initial + capCut.
  const eventCut = Math.max(0, award.initial + award.capCut - cap);
  const periodCut = award.capCut - eventCut;
  return Math.max(0, Math.min(worth, cap) - periodCut);
}

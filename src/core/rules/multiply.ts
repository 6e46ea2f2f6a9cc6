/** Multiplies points by decimal factors exactly (4 decimal places), rounding down once at the end. */
export function applyFactors(points: number, factors: readonly number[]): number {
  const SCALE = 10_000n;
  let numerator = BigInt(points);
  let denominator = 1n;
  for (const f of factors) {
    numerator *= BigInt(Math.round(f * 10_000));
    denominator *= SCALE;
  }
  return Number(numerator / denominator);
}

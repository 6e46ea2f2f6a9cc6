import { mulDivCeil } from "../limits.ts";
import type { Order, OrderLine } from "./order.ts";

export interface BaseRule {
  base?: "subtotal" | "net";
  excludeGiftCards?: boolean;
  excludeProducts?: string[];
  eligibleProducts?: string[];
}

/**
 * Money refunded per line (by sku). A refund without lines is spread over what is still unrefunded
 * of each line, in proportion (largest remainder, so the shares add up to the refunded amount):
 * an amount refund after a line refund falls on the remaining lines, not on the refunded ones.
 */
export function refundedPerLine(order: Order): number[] {
  const refunded = order.lines.map(() => 0);
  for (const refund of order.refunds) {
    if (refund.lines.length > 0) {
      for (const rl of refund.lines) {
        const i = order.lines.findIndex((l, idx) => l.sku === rl.sku && refunded[idx]! < l.amount);
        if (i >= 0) refunded[i] = Math.min(order.lines[i]!.amount, refunded[i]! + rl.amount);
      }
      continue;
    }
    const left = order.lines.map((l, i) => BigInt(l.amount - refunded[i]!));
    const total = left.reduce((s, x) => s + x, 0n);
    if (total === 0n) continue;
    const amount = BigInt(Math.min(refund.amount, Number(total)));
    const shares = left.map((x) => (amount * x) / total);
    let rest = amount - shares.reduce((s, x) => s + x, 0n);
    const byRemainder = left.map((x, i) => ({ i, r: (amount * x) % total })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
    for (const { i } of byRemainder) {
      if (rest === 0n) break;
      if (shares[i]! < left[i]!) {
        shares[i] = shares[i]! + 1n;
        rest -= 1n;
      }
    }
    shares.forEach((s, i) => {
      refunded[i] = refunded[i]! + Number(s);
    });
  }
  return refunded;
}

function eligible(line: OrderLine, rule: BaseRule): boolean {
  if (!line.pointsEligible) return false;
  if (rule.excludeGiftCards && line.giftCard) return false;
  if (rule.excludeProducts?.includes(line.sku)) return false;
  if (rule.eligibleProducts && !rule.eligibleProducts.includes(line.sku)) return false;
  return true;
}

/**
 * The money an order rule counts: eligible lines after refunds (`subtotal`), or that less the
 * eligible share of order discounts and of points spent on the order (`net`). Shipping, fees, tax
 * and store credits never count.
 */
export function orderBase(order: Order, rule: BaseRule, pointsDiscount: number): { base: number; detail: Record<string, unknown> } {
  const refunded = refundedPerLine(order);
  let subtotal = 0;
  let allLines = 0;
  const excluded: string[] = [];
  order.lines.forEach((line, i) => {
    const kept = line.amount - refunded[i]!;
    allLines += kept;
    if (eligible(line, rule)) subtotal += kept;
    else excluded.push(line.sku);
  });
  const refundedTotal = refunded.reduce((s, r) => s + r, 0);
  const detail: Record<string, unknown> = { subtotal, ...(excluded.length > 0 ? { excludedLines: excluded } : {}), ...(refundedTotal > 0 ? { refunded: refundedTotal } : {}) };
  if ((rule.base ?? "subtotal") === "subtotal" || allLines === 0) return { base: subtotal, detail: { ...detail, baseKind: "subtotal" } };
  // Order-level reductions fall on eligible lines in proportion to their share of the order.
  const reductions = order.discounts + pointsDiscount;
  const share = mulDivCeil(reductions, subtotal, allLines);
  return { base: Math.max(0, subtotal - share), detail: { ...detail, baseKind: "net", discounts: order.discounts, pointsDiscount, reductionShare: share } };
}

import type { Order, OrderLine } from "./order.ts";

export interface BaseRule {
  base?: "subtotal" | "net";
  excludeGiftCards?: boolean;
  excludeProducts?: string[];
  eligibleProducts?: string[];
}

/** Money refunded per line (by sku), refunds without lines spread over all lines by amount. */
export function refundedPerLine(order: Order): number[] {
  const refunded = order.lines.map(() => 0);
  const total = order.lines.reduce((s, l) => s + l.amount, 0);
  for (const refund of order.refunds) {
    if (refund.lines.length > 0) {
      for (const rl of refund.lines) {
        const i = order.lines.findIndex((l, idx) => l.sku === rl.sku && refunded[idx]! < l.amount);
        if (i >= 0) refunded[i] = Math.min(order.lines[i]!.amount, refunded[i]! + rl.amount);
      }
    } else if (total > 0) {
      order.lines.forEach((l, i) => {
        refunded[i] = Math.min(l.amount, refunded[i]! + Math.floor((refund.amount * l.amount) / total));
      });
    }
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
  const share = Math.ceil((reductions * subtotal) / allLines);
  return { base: Math.max(0, subtotal - share), detail: { ...detail, baseKind: "net", discounts: order.discounts, pointsDiscount, reductionShare: share } };
}

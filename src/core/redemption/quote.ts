import { mulDivCeil, mulDivFloor } from "../limits.ts";
import { cashbackDiscount, type CashbackMethod } from "./methods.ts";

export interface CartLine {
  sku: string;
  quantity: number;
  amount: number;
  /** Gift cards are never paid for with points. */
  giftCard?: boolean;
}

export interface Cart {
  lines: CartLine[];
  discounts: number;
  credits: number;
  shipping: number;
}

export type QuoteReason =
  | "below_min_subtotal"
  | "below_min_balance"
  | "no_points"
  | "not_stackable_with_discounts"
  | "no_eligible_products"
  | "nothing_to_pay";

export interface CashbackQuote {
  maxPoints: number;
  maxDiscount: number;
  subtotal: number;
  eligibleSubtotal: number;
  /** What is left to pay on eligible lines after order discounts and store credits. */
  payable: number;
  reason?: { code: QuoteReason; message: string };
}

function eligible(method: CashbackMethod, line: CartLine): boolean {
  if (line.giftCard) return false;
  if (method.excludeProducts?.includes(line.sku)) return false;
  return !method.eligibleProducts || method.eligibleProducts.includes(line.sku);
}

/**
 * The most points a member may spend as cash on a cart. Points apply last: discounts, then store
 * credits, then points ("discounts → credits → points"), on eligible lines only, within the
 * method's thresholds and caps. Shipping is never paid with points.
 */
export function cashbackQuote(method: CashbackMethod, cart: Cart, balance: number): CashbackQuote {
  const subtotal = cart.lines.reduce((s, l) => s + l.amount, 0);
  const eligibleSubtotal = cart.lines.filter((l) => eligible(method, l)).reduce((s, l) => s + l.amount, 0);
  const reductions = cart.discounts + cart.credits;
  const payable = subtotal === 0 ? 0 : Math.max(0, eligibleSubtotal - mulDivCeil(reductions, eligibleSubtotal, subtotal));
  const zero = (code: QuoteReason, message: string): CashbackQuote => ({ maxPoints: 0, maxDiscount: 0, subtotal, eligibleSubtotal, payable, reason: { code, message } });

  if (method.minSubtotal !== undefined && subtotal < method.minSubtotal) return zero("below_min_subtotal", `the order subtotal must be at least ${method.minSubtotal}`);
  if (method.minBalance !== undefined && balance < method.minBalance) return zero("below_min_balance", `the member needs at least ${method.minBalance} points to use them`);
  if (!method.stackWithDiscounts && cart.discounts > 0) return zero("not_stackable_with_discounts", "points cannot be combined with the order's discounts");
  if (eligibleSubtotal === 0) return zero("no_eligible_products", "no product in the cart can be paid with points");
  if (balance <= 0) return zero("no_points", "the member has no spendable points");
  if (balance < method.points) return zero("no_points", `the member has fewer than ${method.points} points, the smallest amount that can be used`);
  if (payable === 0) return zero("nothing_to_pay", "discounts and credits already cover the eligible products");

  let cap = payable;
  if (method.maxDiscount?.type === "fixed") cap = Math.min(cap, method.maxDiscount.amount);
  if (method.maxDiscount?.type === "percent") cap = Math.min(cap, Math.floor((payable * method.maxDiscount.percent) / 100)); // payable ≤ 10^15: exact enough
  const byMoney = mulDivFloor(cap, method.points, method.amount);
  const most = Math.min(balance, method.maxPointsPerOrder ?? Number.POSITIVE_INFINITY, byMoney);
  // Points are spent in steps of the method's rate (10 points = $1 → multiples of 10).
  const maxPoints = most - (most % method.points);
  if (maxPoints === 0) return zero("nothing_to_pay", "the discount cap allows less than one point's worth");
  return { maxPoints, maxDiscount: cashbackDiscount(method, maxPoints), subtotal, eligibleSubtotal, payable };
}

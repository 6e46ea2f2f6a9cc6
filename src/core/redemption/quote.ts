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
  | "nothing_to_pay"
  | "order_limit_reached";

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

/** What the order's live cashback (held or captured) has already taken. */
export interface OrderCashbackUse {
  /** Points of this method already held or captured on the order. */
  points: number;
  /** Discount already given on the order by other cashback methods (paid before this one, like credits). */
  otherDiscount: number;
}

/**
 * The points of this method still allowed on an order, for all its cashback together: the
 * method's per-order maximum, its money cap and its minimum order hold for the order as a whole,
 * so splitting a spend into several redemptions never beats them. The member's balance is not
 * part of it (a spend beyond the balance is refused as insufficient_points).
 */
export function orderCashbackAllowance(method: CashbackMethod, cart: Cart, used: OrderCashbackUse): { maxPoints: number; reason?: CashbackQuote["reason"] } {
  const whole = cashbackQuote(method, { ...cart, credits: cart.credits + used.otherDiscount }, Number.MAX_SAFE_INTEGER);
  const left = Math.max(0, whole.maxPoints - used.points);
  const maxPoints = left - (left % method.points);
  if (maxPoints > 0) return { maxPoints };
  return { maxPoints, reason: whole.reason ?? { code: "order_limit_reached", message: `the order already uses the most points this method allows (${used.points})` } };
}

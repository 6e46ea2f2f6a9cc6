import type { MemberBook } from "../core/ledger/book.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { Cart, OrderCashbackUse } from "../core/redemption/quote.ts";

/**
 * The cart an order's cashback limits are judged on: the order as Pointbook recorded it when it
 * knows the order (the merchant's record of what was bought wins over what a checkout says), else
 * the cart the request carries; null when there is neither.
 */
export async function cartForOrder(repos: Repositories, storeId: string, orderId: string, sent: Cart | undefined): Promise<Cart | null> {
  const record = await repos.orders.get(storeId, orderId);
  if (record) {
    const { lines, discounts, credits, shipping } = record.order;
    return { lines, discounts, credits, shipping };
  }
  return sent ?? null;
}

/**
 * Cashback already used on the order: captured (given back on a refund or not: a refunded order
 * frees no room for more points), or held and not timed out. The member's own holds are judged by
 * their book, which has settled what timed out; another member's by status.
 */
export async function cashbackUsedOnOrder(
  repos: Repositories, storeId: string, orderId: string, methodId: string, member: { id: string; book: MemberBook | null }, lock: boolean,
): Promise<OrderCashbackUse> {
  const live = (await repos.redemptions.redemptionsForOrder(storeId, orderId, lock)).filter((r) => r.type === "cashback" && (r.status === "completed" || r.status === "returned"
    || (r.status === "held" && (r.memberId !== member.id || !member.book || member.book.hold(r.holdId!)?.status === "held"))));
  return {
    points: live.filter((r) => r.methodId === methodId).reduce((sum, r) => sum + r.points, 0),
    otherDiscount: live.filter((r) => r.methodId !== methodId).reduce((sum, r) => sum + (r.discount ?? 0), 0),
  };
}

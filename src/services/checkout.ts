import { invalid, notFound } from "../core/errors.ts";
import { cashbackDiscount, redeemMethodSchema, type CashbackMethod } from "../core/redemption/methods.ts";
import { cashbackQuote, orderCashbackAllowance, type Cart } from "../core/redemption/quote.ts";
import { storeNow, type Services } from "./context.ts";
import { cartForOrder, cashbackUsedOnOrder } from "./order-cashback.ts";
import { settledBook } from "./member-book.ts";

export interface QuoteInput extends Cart {
  memberId: string;
  channel?: string;
  methodId?: string;
  /** The order the cart belongs to: cashback already held or captured on it counts against its limits. */
  orderId?: string;
}

export interface QuoteView {
  balance: number;
  maxPoints: number;
  maxDiscount: number;
  /** Points worth one unit of the store's currency (10 → 10 points = $1). */
  pointsPerUnit: number;
  methodId: string | null;
  subtotal: number;
  eligibleSubtotal: number;
  payable: number;
  reason?: string;
  reasonCode?: string;
}

function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * The most points the member may spend on this cart, and the discount they buy. Read-only: it
 * places no hold. When no method is named, the store's first enabled cashback method for the
 * channel is used; `reason` says why the answer is zero.
 */
export async function quoteCheckout(services: Services, storeId: string, input: QuoteInput): Promise<QuoteView> {
  // Reads only, outside a transaction: the store and the member's book come in one statement.
  return (services.tx.read ?? services.tx.run)(async (repos) => {
    const { store, book: loaded } = await repos.members.readStoreAndBook(storeId, input.memberId);
    if (!store) throw notFound("store");
    const now = storeNow(store, services.clock);
    const channel = input.channel ?? "online";
    let balance = 0;
    const book = loaded ? settledBook(loaded, store, now) : null;
    if (book) balance = book.balance.balance;
    const methods = input.methodId
      ? [await repos.redemptions.getMethod(storeId, input.methodId)].filter((m) => m !== null)
      : (await repos.redemptions.listMethods(storeId, 500, null)).data;
    if (input.methodId && methods.length === 0) throw invalid("methodId", "no such redeem method");
    const cashback = methods
      .map((m) => ({ id: m.id, method: redeemMethodSchema.parse(m.config) }))
      .find((m): m is { id: string; method: CashbackMethod } => m.method.type === "cashback" && m.method.enabled && m.method.channels.includes(channel));
    if (input.methodId && !cashback) throw invalid("methodId", `not an enabled cashback method on channel ${channel}`);
    const subtotal = input.lines.reduce((s, l) => s + l.amount, 0);
    const empty = { balance, maxPoints: 0, maxDiscount: 0, pointsPerUnit: 0, methodId: cashback?.id ?? null, subtotal, eligibleSubtotal: 0, payable: 0 };
    if (!store.program.enabled) return { ...empty, reasonCode: "program_disabled", reason: "the points program is disabled" };
    if (!cashback) return { ...empty, reasonCode: "no_method", reason: `no cashback method is offered on channel ${channel}` };
    if (!loaded) return { ...empty, reasonCode: "no_points", reason: "the member has no points yet" };
    let q = cashbackQuote(cashback.method, input, balance);
    if (input.orderId !== undefined && q.maxPoints > 0) {
      const used = await cashbackUsedOnOrder(repos, storeId, input.orderId, cashback.id, { id: input.memberId, book }, false);
      const allowance = orderCashbackAllowance(cashback.method, (await cartForOrder(repos, storeId, input.orderId, input))!, used);
      if (allowance.maxPoints < q.maxPoints) {
        q = { ...q, maxPoints: allowance.maxPoints, maxDiscount: cashbackDiscount(cashback.method, allowance.maxPoints), ...(allowance.reason ? { reason: allowance.reason } : {}) };
      }
    }
    return {
      balance,
      maxPoints: q.maxPoints,
      maxDiscount: q.maxDiscount,
      pointsPerUnit: (cashback.method.points * 10 ** minorUnitDigits(store.currency)) / cashback.method.amount,
      methodId: cashback.id,
      subtotal: q.subtotal,
      eligibleSubtotal: q.eligibleSubtotal,
      payable: q.payable,
      ...(q.reason ? { reason: q.reason.message, reasonCode: q.reason.code } : {}),
    };
  });
}

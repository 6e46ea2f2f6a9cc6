import { z } from "zod";
import { currencyExponent, decimalToMinor } from "../money/decimal.ts";
import type { OrderLineInput } from "./order-lines.ts";
import { cleanEmail, cleanPhone, decimalText, instant, optionalInstant, platformId, read, tagList, times } from "./payload.ts";
import type { PlatformCustomer, PlatformOrder, RefundInput } from "./platform-order.ts";

/** The Shopify topics Pointbook acts on (SPEC §6); any other topic is answered 200 and ignored. */
export const SHOPIFY_ORDER_TOPICS = ["orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled"] as const;
export const SHOPIFY_TOPICS = [...SHOPIFY_ORDER_TOPICS, "refunds/create", "customers/create", "customers/update"] as const;

const moneySet = z.object({ shop_money: z.object({ amount: decimalText }).loose() }).loose().nullish();
const nullableText = z.string().max(2_000).nullish();

const lineItem = z.object({
  id: platformId.nullish(),
  sku: nullableText,
  variant_id: platformId.nullish(),
  product_id: platformId.nullish(),
  quantity: z.number().int().nonnegative(),
  price: decimalText,
  price_set: moneySet,
  gift_card: z.boolean().nullish(),
}).loose();

const customer = z.object({
  id: platformId,
  email: nullableText,
  phone: nullableText,
  tags: nullableText,
  accepts_marketing: z.boolean().nullish(),
  email_marketing_consent: z.object({ state: nullableText }).loose().nullish(),
  updated_at: nullableText,
}).loose();

const refund = z.object({
  id: platformId,
  order_id: platformId,
  created_at: z.string().max(100),
  processed_at: nullableText,
  refund_line_items: z.array(z.object({
    quantity: z.number().int().nonnegative(),
    line_item_id: platformId.nullish(),
    line_item: lineItem.nullish(),
    subtotal: decimalText.nullish(),
    subtotal_set: moneySet,
  }).loose()).default([]),
  transactions: z.array(z.object({ amount: decimalText, kind: nullableText, status: nullableText }).loose()).default([]),
  order_adjustments: z.array(z.object({ amount: decimalText, kind: nullableText }).loose()).default([]),
}).loose();

const order = z.object({
  id: platformId,
  currency: z.string().regex(/^[A-Z]{3}$/),
  created_at: z.string().max(100),
  updated_at: nullableText,
  processed_at: nullableText,
  cancelled_at: nullableText,
  financial_status: nullableText,
  fulfillment_status: nullableText,
  source_name: nullableText,
  tags: nullableText,
  customer: customer.nullish(),
  line_items: z.array(lineItem).max(1_000),
  total_discounts: decimalText.nullish(),
  total_discounts_set: moneySet,
  shipping_lines: z.array(z.object({ price: decimalText, price_set: moneySet, discounted_price: decimalText.nullish() }).loose()).default([]),
  total_shipping_price_set: moneySet,
  fulfillments: z.array(z.object({ status: nullableText, created_at: nullableText, updated_at: nullableText, shipment_status: nullableText }).loose()).default([]),
  refunds: z.array(refund).max(1_000).default([]),
}).loose();

type ShopifyLine = z.infer<typeof lineItem>;

const PAID = new Set(["paid", "partially_refunded", "refunded"]);

/** A line's sku: the merchant's, else its variant, else the line itself, so refunds can name it. */
const skuOf = (line: ShopifyLine): string =>
  (line.sku && line.sku.trim().slice(0, 200)) || (line.variant_id ? `variant-${line.variant_id}` : `line-${line.id ?? "unknown"}`);

const shopMoney = (set: z.infer<typeof moneySet>, fallback: string | null | undefined): string | null => set?.shop_money.amount ?? fallback ?? null;

/** An `orders/*` payload as the order it describes (SPEC §6 mapping). */
export function shopifyOrder(payload: unknown): PlatformOrder {
  const o = read(order, payload, "Shopify order");
  const exp = currencyExponent(o.currency);
  const minor = (value: string | null, path: string) => (value === null ? 0 : decimalToMinor(value, exp, path));
  const lines: OrderLineInput[] = o.line_items
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.quantity > 0)
    .map(({ l, i }) => ({
      sku: skuOf(l),
      quantity: l.quantity,
      amount: times(minor(shopMoney(l.price_set, l.price), `line_items.${i}.price`), l.quantity, `line_items.${i}`),
      giftCard: l.gift_card === true,
    }));
  const shipping = o.total_shipping_price_set
    ? minor(shopMoney(o.total_shipping_price_set, null), "total_shipping_price_set")
    : o.shipping_lines.reduce((s, l, i) => s + minor(shopMoney(l.price_set, l.price), `shipping_lines.${i}.price`), 0);
  const fulfilled = o.fulfillment_status === "fulfilled";
  const shipped = o.fulfillments.filter((f) => f.status === "success" || f.status === null || f.status === undefined);
  const latest = (stamps: Array<string | null | undefined>) => stamps.filter((s): s is string => !!s).map((s) => instant(s, "fulfillments")).sort().at(-1) ?? null;
  const updatedAt = optionalInstant(o.updated_at, "updated_at");
  const delivered = shipped.length > 0 && shipped.every((f) => f.shipment_status === "delivered");
  return {
    orderId: o.id,
    version: updatedAt,
    customer: o.customer ? shopifyCustomerOf(o.customer) : null,
    order: {
      memberId: o.customer ? o.customer.id : null,
      channel: o.source_name === "pos" ? "pos" : "online",
      currency: o.currency,
      lines,
      discounts: minor(shopMoney(o.total_discounts_set, o.total_discounts), "total_discounts"),
      shipping,
      tags: tagList(o.tags, 50),
      ...(o.financial_status ? { status: o.financial_status.slice(0, 50) } : {}),
      placedAt: instant(o.created_at, "created_at"),
      paidAt: o.financial_status && PAID.has(o.financial_status) ? instant(o.processed_at ?? o.created_at, "processed_at") : null,
      fulfilledAt: fulfilled ? latest(shipped.map((f) => f.created_at)) ?? updatedAt : null,
      deliveredAt: fulfilled && delivered ? latest(shipped.map((f) => f.updated_at ?? f.created_at)) : null,
      canceledAt: optionalInstant(o.cancelled_at, "cancelled_at"),
      refunds: o.refunds.map((r) => refundOf(r, exp)),
    },
  };
}

/** A `refunds/create` payload: the refund, and the order it belongs to. */
export function shopifyRefund(payload: unknown, exponent: number): { orderId: string; refund: RefundInput } {
  const r = read(refund, payload, "Shopify refund");
  // A refund names no currency of its own: its amounts are the shop's, so the store's exponent.
  return { orderId: r.order_id, refund: refundOf(r, exponent) };
}

/**
 * Refunded lines at their refunded subtotal (else price × quantity). A refund without lines
 * (an amount refunded by hand) counts its successful refund transactions less any shipping it
 * gave back: shipping never earned points, so its refund takes none back.
 */
function refundOf(r: z.infer<typeof refund>, exponent: number): RefundInput {
  const minor = (value: string, path: string) => decimalToMinor(value, exponent, path);
  const lines = r.refund_line_items
    .filter((l) => l.quantity > 0)
    .map((l, i) => {
      const subtotal = shopMoney(l.subtotal_set, l.subtotal);
      const price = l.line_item ? shopMoney(l.line_item.price_set, l.line_item.price) : null;
      const amount = subtotal !== null ? minor(subtotal, `refund_line_items.${i}.subtotal`) : price !== null ? times(minor(price, `refund_line_items.${i}.line_item.price`), l.quantity, `refund_line_items.${i}`) : 0;
      return { sku: l.line_item ? skuOf(l.line_item) : `line-${l.line_item_id ?? "unknown"}`, quantity: l.quantity, amount };
    });
  const refunded = r.transactions
    .filter((t) => (t.kind ?? "refund") === "refund" && (t.status ?? "success") === "success")
    .reduce((s, t, i) => s + Math.abs(minor(t.amount, `transactions.${i}.amount`)), 0);
  const shippingBack = r.order_adjustments.filter((a) => a.kind === "shipping_refund").reduce((s, a, i) => s + Math.abs(minor(a.amount, `order_adjustments.${i}.amount`)), 0);
  const amount = lines.length > 0 ? lines.reduce((s, l) => s + l.amount, 0) : Math.max(0, refunded - shippingBack);
  return { id: r.id, lines, amount, at: instant(r.processed_at ?? r.created_at, "created_at") };
}

/** A `customers/*` payload (or an order's customer) as the member it describes. */
export function shopifyCustomer(payload: unknown): PlatformCustomer {
  return shopifyCustomerOf(read(customer, payload, "Shopify customer"));
}

function shopifyCustomerOf(c: z.infer<typeof customer>): PlatformCustomer {
  const marketing = c.accepts_marketing === true || c.email_marketing_consent?.state === "subscribed";
  const tags = tagList(c.tags, 99);
  return {
    memberId: c.id,
    version: optionalInstant(c.updated_at, "customer.updated_at"),
    attributes: { email: cleanEmail(c.email), phone: cleanPhone(c.phone), tags: marketing ? [...tags, "accepts_marketing"] : tags },
  };
}

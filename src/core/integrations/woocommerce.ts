import { z } from "zod";
import { currencyExponent, decimalToMinor } from "../money/decimal.ts";
import type { OrderLineInput } from "./order-lines.ts";
import { cleanEmail, cleanPhone, decimalText, instant, optionalInstant, platformId, read } from "./payload.ts";
import type { PlatformCustomer, PlatformOrder } from "./platform-order.ts";

/** The WooCommerce topics Pointbook acts on (SPEC §6); any other topic is answered 200 and ignored. */
export const WOOCOMMERCE_TOPICS = ["order.created", "order.updated", "order.deleted", "customer.created", "customer.updated"] as const;

const nullableText = z.string().max(2_000).nullish();

const order = z.object({
  id: platformId,
  status: z.string().max(50),
  currency: z.string().regex(/^[A-Z]{3}$/),
  created_via: nullableText,
  date_created_gmt: nullableText,
  date_created: nullableText,
  date_modified_gmt: nullableText,
  date_paid_gmt: nullableText,
  date_completed_gmt: nullableText,
  discount_total: decimalText.nullish(),
  shipping_total: decimalText.nullish(),
  customer_id: platformId.nullish(),
  billing: z.object({ email: nullableText, phone: nullableText }).loose().nullish(),
  line_items: z.array(z.object({
    id: platformId.nullish(),
    product_id: platformId.nullish(),
    variation_id: platformId.nullish(),
    sku: nullableText,
    quantity: z.number().int(),
    subtotal: decimalText,
  }).loose()).max(1_000).default([]),
  fee_lines: z.array(z.object({ total: decimalText }).loose()).default([]),
  refunds: z.array(z.object({ id: platformId, total: decimalText }).loose()).max(1_000).default([]),
}).loose();

const customer = z.object({
  id: platformId,
  email: nullableText,
  date_modified_gmt: nullableText,
  billing: z.object({ phone: nullableText }).loose().nullish(),
}).loose();

const PAID = new Set(["processing", "completed", "refunded"]);
const CANCELED = new Set(["cancelled", "failed", "trash"]);

/**
 * An `order.*` payload as the order it describes (SPEC §6): `processing` is paid, `completed`
 * fulfilled, `cancelled` and `failed` canceled; refunds by their totals, spread over the lines.
 * Guest orders (`customer_id` 0) name no member and earn nothing.
 */
export function wooOrder(payload: unknown): PlatformOrder {
  const o = read(order, payload, "WooCommerce order");
  const exp = currencyExponent(o.currency);
  const minor = (value: string | null | undefined, path: string) => (value ? Math.abs(decimalToMinor(value, exp, path)) : 0);
  const created = o.date_created_gmt ?? o.date_created;
  const placedAt = instant(created ?? "", "date_created_gmt");
  const modifiedAt = optionalInstant(o.date_modified_gmt, "date_modified_gmt");
  const completedAt = optionalInstant(o.date_completed_gmt, "date_completed_gmt");
  const paidAt = optionalInstant(o.date_paid_gmt, "date_paid_gmt");
  const lines: OrderLineInput[] = o.line_items
    .filter((l) => l.quantity > 0)
    .map((l, i) => ({
      sku: (l.sku && l.sku.trim().slice(0, 200)) || (l.variation_id && l.variation_id !== "0" ? `variation-${l.variation_id}` : `product-${l.product_id ?? l.id ?? i}`),
      quantity: l.quantity,
      amount: minor(l.subtotal, `line_items.${i}.subtotal`),
    }));
  const memberId = o.customer_id && o.customer_id !== "0" ? o.customer_id : null;
  const at = modifiedAt ?? placedAt;
  return {
    orderId: o.id,
    version: modifiedAt,
    customer: memberId ? { memberId, version: null, fillOnly: true, attributes: { email: cleanEmail(o.billing?.email), phone: cleanPhone(o.billing?.phone) } } : null,
    order: {
      memberId,
      channel: o.created_via === "pos" ? "pos" : "online",
      currency: o.currency,
      lines,
      discounts: minor(o.discount_total, "discount_total"),
      shipping: minor(o.shipping_total, "shipping_total"),
      fees: o.fee_lines.reduce((s, f, i) => s + minor(f.total, `fee_lines.${i}.total`), 0),
      status: o.status,
      placedAt,
      paidAt: PAID.has(o.status) ? paidAt ?? completedAt ?? at : null,
      fulfilledAt: o.status === "completed" ? completedAt ?? at : null,
      canceledAt: CANCELED.has(o.status) ? at : null,
      // The order lists refunds by their totals only (negative), without lines or dates.
      refunds: o.refunds.map((r, i) => ({ id: r.id, lines: [], amount: minor(r.total, `refunds.${i}.total`), at })),
    },
  };
}

/** An `order.deleted` payload names only the order. */
export function wooDeletedOrderId(payload: unknown): string {
  return read(z.object({ id: platformId }).loose(), payload, "WooCommerce order").id;
}

/** A `customer.*` payload as the member it describes. */
export function wooCustomer(payload: unknown): PlatformCustomer {
  const c = read(customer, payload, "WooCommerce customer");
  return {
    memberId: c.id,
    version: optionalInstant(c.date_modified_gmt, "date_modified_gmt"),
    attributes: { email: cleanEmail(c.email), phone: cleanPhone(c.billing?.phone) },
  };
}

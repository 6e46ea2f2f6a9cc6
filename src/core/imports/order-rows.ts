import { z } from "zod";
import { isoInstant, money, positiveCount } from "../limits.ts";
import { orderLineSchema, orderSchema, type Order } from "../orders/order.ts";
import { flag, wholeNumber, zodMessage, type Cells } from "./cells.ts";
import { memberIdCell } from "./member-row.ts";

/** An order has at most this many line items, as through the API. */
export const MAX_ORDER_LINES = 1_000;

export const orderIdCell = z.string().min(1).max(200);

const order = orderSchema.shape;
const line = orderLineSchema.shape;

/** The order-level columns, read from the order's first row only. */
const headCells = z.object({
  orderId: orderIdCell,
  memberId: memberIdCell.optional(),
  channel: order.channel,
  currency: order.currency,
  placedAt: isoInstant,
  paidAt: isoInstant.optional(),
  fulfilledAt: isoInstant.optional(),
  deliveredAt: isoInstant.optional(),
  canceledAt: isoInstant.optional(),
  discounts: wholeNumber(money).optional(),
  shipping: wholeNumber(money).optional(),
});

/** The line-item columns, one line item per row. */
const lineCells = z.object({
  sku: line.sku,
  quantity: wholeNumber(positiveCount),
  amount: wholeNumber(money),
  giftCard: flag.optional(),
});

export interface OrderRowInput {
  line: number;
  cells: Cells;
}

export type OrderResult = { ok: true; orderId: string; order: Order } | { ok: false; line: number; message: string };

/**
 * One order from its consecutive rows: order-level columns from the first row, a line item from
 * every row. A problem is reported at the line of the row it is in.
 */
export function orderFromRows(rows: readonly OrderRowInput[]): OrderResult {
  const first = rows[0]!;
  if (rows.length > MAX_ORDER_LINES) return { ok: false, line: first.line, message: `the order has more than ${MAX_ORDER_LINES} line items` };
  const head = headCells.safeParse(first.cells);
  if (!head.success) return { ok: false, line: first.line, message: zodMessage(head.error) };
  const lines = [];
  for (const row of rows) {
    const item = lineCells.safeParse(row.cells);
    if (!item.success) return { ok: false, line: row.line, message: zodMessage(item.error) };
    lines.push(item.data);
  }
  const { orderId, memberId, ...rest } = head.data;
  const parsed = orderSchema.safeParse({ ...rest, memberId: memberId ?? null, lines });
  if (!parsed.success) {
    // Checks across the whole order (none expected once each cell passed): named by the row they concern.
    const issue = parsed.error.issues[0]!;
    const at = issue.path[0] === "lines" && typeof issue.path[1] === "number" ? rows[issue.path[1]]!.line : first.line;
    return { ok: false, line: at, message: zodMessage(parsed.error) };
  }
  return { ok: true, orderId, order: parsed.data };
}

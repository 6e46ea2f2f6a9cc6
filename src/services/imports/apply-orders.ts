import { DomainError } from "../../core/errors.ts";
import { badCell, badText } from "../../core/imports/cells.ts";
import { orderFromRows } from "../../core/imports/order-rows.ts";
import { unitRows, type Unit } from "../../core/imports/units.ts";
import type { Order } from "../../core/orders/order.ts";
import { checkOrderTimestamps } from "../../core/orders/timestamps.ts";
import type { OrderSighting } from "../../core/ports/imports.ts";
import { upsertOrder } from "../orders.ts";
import { BatchOutcome, refusalMessage, type BatchContext } from "./batch.ts";

interface ReadOrder {
  orderId: string;
  order: Order;
  line: number;
  rows: number;
}

/** Why an order id met before cannot be imported here. */
function seenBefore(orderId: string, sighting: OrderSighting): string {
  return sighting === "exists"
    ? `order ${orderId} already exists in the store; an import records new orders only`
    : `the rows of order ${orderId} are not consecutive: the order began at an earlier line`;
}

/**
 * Past orders, one per run of consecutive rows, each through the API's own order path
 * (`upsertOrder`), so tiers (money spent), returns and later refunds treat them as any order.
 * They are recorded with an origin that says whether they earn: historical orders never do,
 * unless the import was asked to award them. An order already in the store, or met again later
 * in the file, is refused by line; so is one that the order path refuses (in a savepoint, so its
 * partial writes are undone and the batch goes on).
 */
export async function applyOrders(ctx: BatchContext, units: readonly Unit[]): Promise<BatchOutcome> {
  const { repos, services, store, now, record } = ctx;
  const out = new BatchOutcome();
  out.unreadable(units);
  const refused: string[] = [];
  const parsed = units.filter((u) => u.rows.length > 0).map((unit) => {
    const first = unit.rows[0]!;
    const problem = unit.rows.map((r) => ({ line: r.line, message: badCell(r.cells) })).find((p) => p.message !== null);
    const result = problem ? { ok: false as const, line: problem.line, message: problem.message! } : orderFromRows(unit.rows);
    // An id that could never be stored (too long, a NUL) is never looked up: its order is refused anyway.
    const id = first.cells.orderId;
    const orderId = id !== undefined && id.length <= 200 && badText(id) === null ? id : undefined;
    return { orderId, line: first.line, rows: unitRows(unit) - unit.bad.length, result };
  });
  const ids = parsed.flatMap((p) => (p.orderId !== undefined ? [p.orderId] : []));
  const sightings = await repos.imports.orderSightings(store.id, record.id, [...new Set(ids)]);
  // In the file's order: an order met earlier in this batch counts as met, refused or not.
  const fresh: ReadOrder[] = [];
  for (const p of parsed) {
    const sighting = p.orderId !== undefined ? sightings.get(p.orderId) : undefined;
    if (!p.result.ok) {
      out.reject(p.result.line, p.result.message, p.rows);
      if (p.orderId !== undefined) {
        refused.push(p.orderId);
        if (!sighting) sightings.set(p.orderId, "rejected_here");
      }
    } else if (sighting) out.reject(p.line, seenBefore(p.result.orderId, sighting), p.rows);
    else {
      fresh.push({ orderId: p.result.orderId, order: p.result.order, line: p.line, rows: p.rows });
      sightings.set(p.result.orderId, "imported_here");
    }
  }
  const timely = fresh.filter((o) => {
    try {
      checkOrderTimestamps(o.order, now);
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      out.reject(o.line, refusalMessage(error), o.rows);
      refused.push(o.orderId);
      return false;
    }
  });
  // The members are created and locked in sorted order up front, so the batch never deadlocks with other writers.
  const members = [...new Set(timely.flatMap((o) => (o.order.memberId ? [o.order.memberId] : [])))];
  if (members.length > 0) await repos.members.createAndLockBooks(store.id, members, now);
  const origin = { importId: record.id, award: record.award };
  for (const o of timely) {
    try {
      await repos.savepoint(() => upsertOrder(repos, services, store.id, o.orderId, o.order, ctx.actor, origin));
      out.imported += o.rows;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      out.reject(o.line, refusalMessage(error), o.rows);
      refused.push(o.orderId);
    }
  }
  await repos.imports.rejectOrders(store.id, record.id, [...new Set(refused)]);
  return out;
}

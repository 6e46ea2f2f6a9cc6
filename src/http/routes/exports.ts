import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { stringify } from "csv-stringify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { csv, route } from "../openapi.ts";
import { instant } from "../schemas.ts";
import { parse } from "../validation.ts";
import { exportRows, type ExportKind } from "../../services/exports.ts";

const rangeQuery = z.object({ from: instant.optional(), to: instant.optional() }).strict();

const COLUMNS: Record<ExportKind, Array<{ key: string; header: string }>> = {
  members: [
    { key: "member_id", header: "memberId" }, { key: "email", header: "email" }, { key: "phone", header: "phone" },
    { key: "birthday", header: "birthday" }, { key: "tier", header: "tier" }, { key: "is_member", header: "isMember" },
    { key: "language", header: "language" }, { key: "tags", header: "tags" }, { key: "balance", header: "balance" },
    { key: "pending", header: "pending" }, { key: "held", header: "held" }, { key: "debt", header: "debt" },
    { key: "created_at", header: "createdAt" }, { key: "updated_at", header: "updatedAt" },
  ],
  ledger: [
    { key: "id", header: "entryId" }, { key: "member_id", header: "memberId" }, { key: "seq", header: "seq" }, { key: "type", header: "type" },
    { key: "points", header: "points" }, { key: "balance_after", header: "balanceAfter" }, { key: "at", header: "at" },
    { key: "actor", header: "actor" }, { key: "reason", header: "reason" }, { key: "source_type", header: "sourceType" },
    { key: "source_ref", header: "sourceRef" }, { key: "lot_id", header: "lotId" }, { key: "hold_id", header: "holdId" },
  ],
  orders: [
    { key: "id", header: "orderId" }, { key: "member_id", header: "memberId" }, { key: "channel", header: "channel" },
    { key: "placed_at", header: "placedAt" }, { key: "paid_at", header: "paidAt" }, { key: "fulfilled_at", header: "fulfilledAt" },
    { key: "delivered_at", header: "deliveredAt" }, { key: "canceled_at", header: "canceledAt" }, { key: "subtotal", header: "subtotal" },
    { key: "discounts", header: "discounts" }, { key: "points_earned", header: "pointsEarned" },
    { key: "points_reversed", header: "pointsReversed" }, { key: "points_redeemed", header: "pointsRedeemed" },
  ],
};

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * A text cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `@SUM(…)`) is prefixed
 * with an apostrophe, so it shows as text; plain numbers such as -50 stay numbers.
 */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

/** Cell values as a spreadsheet expects them: ISO instants, tags joined, booleans as true/false. */
function cell(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return neutralise(value.join("|"));
  if (typeof value === "string") return neutralise(value);
  return value;
}

export function registerExportRoutes(app: FastifyInstance, ctx: HttpContext): void {
  for (const kind of ["members", "ledger", "orders"] as const) {
    app.get(`/v1/exports/${kind}.csv`, { ...route({
      operationId: `export${kind[0]!.toUpperCase()}${kind.slice(1)}Csv`, summary: `Stream ${kind} as CSV (?from=&to= filter by date)`, tags: ["exports"],
      role: "viewer", querystring: rangeQuery,
      responses: { 200: csv(`The ${kind}, one per row, with a header row: ${COLUMNS[kind].map((c) => c.header).join(", ")}`) },
    }) }, async (request, reply) => {
      const caller = callerOf(request);
      const range = parse(rangeQuery, request.query);
      const columns = COLUMNS[kind];
      const rows = Readable.from((async function* () {
        for await (const row of exportRows(ctx.services, caller.storeId, kind, range)) {
          yield columns.map((c) => cell(row[c.key]));
        }
      })());
      const csv = rows.pipe(stringify({ header: true, columns: columns.map((c) => c.header), cast: { boolean: (b) => String(b) } }));
      rows.on("error", (err) => csv.destroy(err));
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${kind}.csv"`)
        .send(csv);
    });
  }
}

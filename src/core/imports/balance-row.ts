import { z } from "zod";
import { isoInstant, positivePoints } from "../limits.ts";
import { wholeNumber, zodMessage, type Cells, type RowResult } from "./cells.ts";
import { memberIdCell } from "./member-row.ts";

const balanceCells = z.object({
  memberId: memberIdCell,
  points: wholeNumber(positivePoints),
  expiresAt: isoInstant.optional(),
  reason: z.string().max(500).optional(),
}).strict();

/** One opening balance: a lot of `points` for the member, expiring at `expiresAt` (null: never). */
export interface BalanceRow {
  memberId: string;
  points: number;
  expiresAt: Date | null;
  reason: string | null;
}

/** A balance row as of the store's `now`: points whose expiry has already passed are refused, not imported to expire at once. */
export function balanceRow(cells: Cells, now: Date): RowResult<BalanceRow> {
  const parsed = balanceCells.safeParse(cells);
  if (!parsed.success) return { ok: false, message: zodMessage(parsed.error) };
  const { memberId, points, expiresAt, reason } = parsed.data;
  const expiry = expiresAt === undefined ? null : new Date(expiresAt);
  if (expiry !== null && expiry.getTime() <= now.getTime()) {
    return { ok: false, message: `expiresAt: has already passed (the store's time is ${now.toISOString()})` };
  }
  return { ok: true, value: { memberId, points, expiresAt: expiry, reason: reason ?? null } };
}

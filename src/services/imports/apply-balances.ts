import { balanceRow, type BalanceRow } from "../../core/imports/balance-row.ts";
import { badCell } from "../../core/imports/cells.ts";
import type { Unit } from "../../core/imports/units.ts";
import { saveBooks, settledBooks } from "../member-book.ts";
import { BatchOutcome, type BatchContext } from "./batch.ts";

/**
 * Opening balances: each row is a lot of its own, credited by an `import` entry that expires as
 * the row says (never when empty). Members are created on first sight and locked in sorted order,
 * so a batch never deadlocks with the API. Through the member books, like every other credit:
 * balances, outgoing `member.points_changed` events and `pointbook verify` agree. Imports never
 * notify members: an `import` entry is no scenario of the notifications.
 */
export async function applyBalances(ctx: BatchContext, units: readonly Unit[]): Promise<BatchOutcome> {
  const { repos, store, now, record } = ctx;
  const out = new BatchOutcome();
  out.unreadable(units);
  const valid: Array<{ line: number; row: BalanceRow }> = [];
  for (const row of units.flatMap((u) => u.rows)) {
    const problem = badCell(row.cells);
    const result = problem ? { ok: false as const, message: problem } : balanceRow(row.cells, now);
    if (result.ok) valid.push({ line: row.line, row: result.value });
    else out.reject(row.line, result.message);
  }
  if (valid.length === 0) return out;
  const loaded = await repos.members.createAndLockBooks(store.id, [...new Set(valid.map((v) => v.row.memberId))], now);
  const books = settledBooks(loaded, store, now);
  for (const { line, row } of valid) {
    books.get(row.memberId)!.credit({
      type: "import", points: row.points, earnedAt: now, availableAt: now, expiresAt: row.expiresAt, at: now,
      actor: ctx.actor.id, reason: row.reason, source: { type: "import", ref: record.id }, explanation: { import: record.id, line },
    });
  }
  await saveBooks(repos, store.id, [...books.values()], now);
  out.imported += valid.length;
  return out;
}

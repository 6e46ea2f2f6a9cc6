import type { HoldRow, LotRow } from "./state.ts";
import type { MemoryTx } from "./transaction.ts";

/**
 * Due-work indexes: lots and holds by the UTC day their work falls due, so due work and reminders
 * look at the few days up to now instead of every open lot of the store (which grows with its
 * history). Buckets are kept through the transaction's undo log like any row, so a rollback
 * restores them with the rows.
 */
export type DueIndex = Map<number, Set<string>>;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/** When a pending lot matures. */
export const maturesAt = (l: LotRow): number | null => (l.status === "pending" ? l.availableAt.getTime() : null);

/** When an available lot with points left expires. */
export const expiresAt = (l: LotRow): number | null =>
  l.status === "available" && l.remaining > 0 && l.expiresAt !== null ? l.expiresAt.getTime() : null;

/** When a held hold times out. */
export const holdTimesOutAt = (h: HoldRow): number | null => (h.status === "held" ? h.expiresAt.getTime() : null);

/** Moves `id` between day buckets as its row's due time goes from `before` to `after` (null: not due). */
export function reindexDue(tx: MemoryTx, index: DueIndex, id: string, before: number | null, after: number | null): void {
  const from = before === null ? null : dayOf(before);
  const to = after === null ? null : dayOf(after);
  if (from === to) return;
  if (from !== null) {
    const bucket = index.get(from);
    if (bucket) {
      tx.remove(bucket, id);
      if (bucket.size === 0) tx.delete(index, from);
    }
  }
  if (to !== null) tx.add(tx.inner(index, to, () => new Set<string>()), id);
}

/** The rows an index names (rows of a bucket are always there: they are written together). */
function* rowsOf<T>(table: Map<string, T>, ids: Iterable<string> | undefined): Generator<T> {
  if (!ids) return;
  for (const id of ids) {
    const row = table.get(id);
    if (row !== undefined) yield row;
  }
}

/** The days with rows in `index` from `first` to `last`, earliest first. */
function days(index: DueIndex, first: number, last: number): number[] {
  const out: number[] = [];
  for (const day of index.keys()) if (day >= first && day <= last) out.push(day);
  return out.sort((a, b) => a - b);
}

/** The rows indexed under days `first`…`last`, day after day. */
export function* indexedRows<T>(table: Map<string, T>, index: DueIndex, first: number, last: number): Generator<T> {
  for (const day of days(index, first, last)) yield* rowsOf(table, index.get(day));
}

/**
 * The `limit` rows soonest due at or before `by` (as a set: the caller wants their members), or
 * null when rows due at the same instant straddle the limit. Which of those come first is then
 * the order the table is scanned in, and the caller scans as before to keep it.
 */
export function soonestDue<T>(table: Map<string, T>, index: DueIndex, due: (row: T) => number | null, by: number, limit: number): T[] | null {
  if (limit <= 0) return [];
  const found: Array<{ row: T; at: number }> = [];
  for (const day of days(index, Number.NEGATIVE_INFINITY, dayOf(by))) {
    // Whole days are taken, so once there are more than `limit`, later days cannot come before them.
    if (found.length > limit) break;
    for (const row of rowsOf(table, index.get(day))) {
      const at = due(row);
      if (at !== null && at <= by) found.push({ row, at });
    }
  }
  found.sort((a, b) => a.at - b.at);
  if (found.length > limit && found[limit - 1]!.at === found[limit]!.at) return null;
  return found.slice(0, limit).map((f) => f.row);
}

/** The earliest due time at or before `by`, or null. */
export function earliestDue<T>(table: Map<string, T>, index: DueIndex, due: (row: T) => number | null, by: number): number | null {
  for (const day of days(index, Number.NEGATIVE_INFINITY, dayOf(by))) {
    let earliest: number | null = null;
    for (const row of rowsOf(table, index.get(day))) {
      const at = due(row);
      if (at !== null && at <= by && (earliest === null || at < earliest)) earliest = at;
    }
    if (earliest !== null) return earliest;
  }
  return null;
}

/** The days a window of due times (`from`, `to`] touches, for `indexedRows`. */
export const dayRange = (from: number, to: number): [number, number] => [dayOf(from), dayOf(to)];

import { emptyTenant, type HoldRow, type LotRow, type MemberRow, type OrderRow, type RedemptionRow, type Tenant } from "./state.ts";
import { foreignKeyViolation } from "./errors.ts";
import { expiresAt, holdTimesOutAt, maturesAt, reindexDue } from "./due.ts";
import type { MemoryTx } from "./transaction.ts";

/** A store's rows for writing: created on first use (and undone with the transaction). */
export function tenantFor(tx: MemoryTx, storeId: string): Tenant {
  return tx.inner(tx.state.tenants, storeId, emptyTenant);
}

/** `REFERENCES stores(id)`. */
export function requireStoreRow(tx: MemoryTx, storeId: string, table: string): void {
  if (!tx.state.stores.has(storeId)) throw foreignKeyViolation(table, `store_id=${storeId}`);
}

/** A member as the column defaults make one: no attributes, nothing in the ledger. */
export function newMemberRow(memberId: string, at: Date): MemberRow {
  return {
    memberId, email: null, phone: null, birthday: null, tier: null, manualTier: null, tags: [], isMember: true, language: null,
    balance: 0, pending: 0, held: 0, debt: 0, seq: 0, createdAt: at, updatedAt: at,
  };
}

/** Marks the store's earn rules or tiers changed, so cached copies of its program are read afresh. */
export function programChanged(tx: MemoryTx, storeId: string): void {
  const store = tx.state.stores.get(storeId);
  if (store) tx.put(tx.state.stores, storeId, { ...store, programVersion: store.programVersion + 1 });
}

/** Writes a lot and keeps its indexes: the member's lots, their open ones, and when they fall due. */
export function putLot(tx: MemoryTx, t: Tenant, row: LotRow): void {
  const before = t.lots.get(row.id);
  tx.put(t.lots, row.id, row);
  reindexDue(tx, t.maturingLots, row.id, before ? maturesAt(before) : null, maturesAt(row));
  reindexDue(tx, t.expiringLots, row.id, before ? expiresAt(before) : null, expiresAt(row));
  tx.add(tx.inner(t.memberLots, row.memberId, () => new Set<string>()), row.id);
  const open = tx.inner(t.openLots, row.memberId, () => new Set<string>());
  if (row.remaining > 0 || row.status === "pending") tx.add(open, row.id);
  else tx.remove(open, row.id);
}

export function putHold(tx: MemoryTx, t: Tenant, row: HoldRow): void {
  const before = t.holds.get(row.id);
  tx.put(t.holds, row.id, row);
  reindexDue(tx, t.expiringHolds, row.id, before ? holdTimesOutAt(before) : null, holdTimesOutAt(row));
  const open = tx.inner(t.openHolds, row.memberId, () => new Set<string>());
  if (row.status === "held") tx.add(open, row.id);
  else tx.remove(open, row.id);
}

export function putRedemption(tx: MemoryTx, t: Tenant, row: RedemptionRow): void {
  const before = t.redemptions.get(row.id);
  if (before?.orderId && before.orderId !== row.orderId) tx.remove(t.orderRedemptions.get(before.orderId)!, row.id);
  if (before?.holdId && before.holdId !== row.holdId) tx.remove(t.holdRedemptions.get(before.holdId)!, row.id);
  tx.put(t.redemptions, row.id, row);
  if (row.orderId !== null) tx.add(tx.inner(t.orderRedemptions, row.orderId, () => new Set<string>()), row.id);
  if (row.holdId !== null) tx.add(tx.inner(t.holdRedemptions, row.holdId, () => new Set<string>()), row.id);
}

export function putOrder(tx: MemoryTx, t: Tenant, row: OrderRow): void {
  const before = t.orders.get(row.id);
  if (before?.memberId && before.memberId !== row.memberId) tx.remove(t.memberOrders.get(before.memberId)!, row.id);
  tx.put(t.orders, row.id, row);
  if (row.memberId !== null) tx.add(tx.inner(t.memberOrders, row.memberId, () => new Set<string>()), row.id);
}

/** The rows of a per-member index, member after member. */
export function* rowsOfAll<T>(table: Map<string, T>, index: Map<string, Set<string>>): Generator<T> {
  for (const ids of index.values()) yield* rowsOf(table, ids);
}

/** The rows an index names, in the index's order. */
export function* rowsOf<T>(table: Map<string, T>, ids: Iterable<string> | undefined): Generator<T> {
  if (!ids) return;
  for (const id of ids) {
    const row = table.get(id);
    if (row !== undefined) yield row;
  }
}

import type { LoadedBook, MemberRepository } from "../../core/ports/repositories.ts";
import { toBalance, toHold, toLot, toMember, toStore } from "./rows.ts";
import { peek, type LotRow, type MemberRow, type Tenant } from "./state.ts";
import { newMemberRow, requireStoreRow, rowsOf, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, timestamp } from "./values.ts";

/**
 * Members' ledgers as the SQL loads them: open lots (points left, or pending), the lots named in
 * `extraLotIds`, and the lots that open holds drew on even when empty now; open holds only.
 */
function loadBooks(t: Tenant, rows: readonly MemberRow[], extraLotIds: readonly string[]): Map<string, LoadedBook> {
  const books = new Map<string, LoadedBook>();
  for (const r of rows) books.set(r.memberId, { member: toMember(r), balance: toBalance(r), lots: [], holds: [] });
  // Every open lot of these members is loaded, as the index says; only lots loaded beyond those
  // (named, or drawn on by a hold) are remembered: a replay loads a book for every input.
  const added = new Set<string>();
  const loaded = (lot: LotRow) => added.has(lot.id) || (books.has(lot.memberId) && (t.openLots.get(lot.memberId)?.has(lot.id) ?? false));
  // Plain loops over the indexes, not rowsOf's generator.
  for (const r of rows) {
    const lots = books.get(r.memberId)!.lots;
    for (const id of t.openLots.get(r.memberId) ?? []) {
      const lot = t.lots.get(id);
      if (lot !== undefined) lots.push(toLot(lot));
    }
    for (const id of extraLotIds) {
      const lot = t.lots.get(id);
      if (lot === undefined || lot.memberId !== r.memberId || loaded(lot)) continue;
      lots.push(toLot(lot));
      added.add(id);
    }
  }
  for (const r of rows) {
    for (const hold of rowsOf(t.holds, t.openHolds.get(r.memberId))) {
      // Lots a hold drew on may be empty now; releasing needs them loaded.
      for (const a of hold.allocations) {
        const lot = t.lots.get(a.lotId);
        if (!lot || loaded(lot)) continue;
        books.get(lot.memberId)?.lots.push(toLot(lot));
        added.add(lot.id);
      }
      books.get(r.memberId)!.holds.push(toHold(hold));
    }
  }
  return books;
}

function insertMember(tx: MemoryTx, t: Tenant, memberId: string, now: Date): void {
  tx.put(t.members, memberId, newMemberRow(memberId, timestamp(now, "created_at")));
}

export function memberRepository(tx: MemoryTx): MemberRepository {
  const { jsonb } = tx.state.documents;
  return {
    async ensure(storeId, memberId, now) {
      requireStoreRow(tx, storeId, "members");
      const t = tenantFor(tx, storeId);
      if (t.members.has(memberId)) return false;
      insertMember(tx, t, memberId, now);
      return true;
    },
    async ensureMany(storeId, memberIds, now) {
      if (memberIds.length === 0) return;
      requireStoreRow(tx, storeId, "members");
      const t = tenantFor(tx, storeId);
      for (const id of [...new Set(memberIds)].sort(compareText)) if (!t.members.has(id)) insertMember(tx, t, id, now);
    },
    async upsert(storeId, memberId, a, now) {
      requireStoreRow(tx, storeId, "members");
      const t = tenantFor(tx, storeId);
      const at = timestamp(now, "updated_at");
      const existing = t.members.get(memberId);
      const tags = a.tags === undefined || a.tags === null ? null : jsonb(a.tags);
      const row: MemberRow = existing
        ? {
            ...existing,
            email: a.email !== undefined ? (a.email ?? null) : existing.email,
            phone: a.phone !== undefined ? (a.phone ?? null) : existing.phone,
            birthday: a.birthday !== undefined ? (a.birthday ?? null) : existing.birthday,
            tier: a.tier !== undefined ? (a.tier ?? null) : existing.tier,
            tags: tags ?? existing.tags,
            isMember: a.isMember ?? existing.isMember,
            language: a.language !== undefined ? (a.language ?? null) : existing.language,
            updatedAt: at,
          }
        : {
            memberId, email: a.email ?? null, phone: a.phone ?? null, birthday: a.birthday ?? null, tier: a.tier ?? null, manualTier: null,
            tags: tags ?? [], isMember: a.isMember ?? true, language: a.language ?? null,
            balance: 0, pending: 0, held: 0, debt: 0, seq: 0, createdAt: at, updatedAt: at,
          };
      tx.put(t.members, memberId, row);
      return toMember(row);
    },
    async get(storeId, memberId) {
      const row = peek(tx.state, storeId).members.get(memberId);
      return row ? toMember(row) : null;
    },
    async lockBooks(storeId, memberIds, extraLotIds = []) {
      const t = peek(tx.state, storeId);
      const rows = [...new Set(memberIds)].sort(compareText).flatMap((id) => t.members.get(id) ?? []);
      return loadBooks(t, rows, extraLotIds);
    },
    async createAndLockBooks(storeId, memberIds, now, extraLotIds = []) {
      const sorted = [...new Set(memberIds)].sort(compareText);
      if (sorted.length === 0) return new Map();
      requireStoreRow(tx, storeId, "members");
      const t = tenantFor(tx, storeId);
      for (const id of sorted) if (!t.members.has(id)) insertMember(tx, t, id, now);
      return loadBooks(t, sorted.map((id) => t.members.get(id)!), extraLotIds);
    },
    async readStoreAndBook(storeId, memberId) {
      const store = tx.state.stores.get(storeId);
      if (!store) return { store: null, book: null };
      const t = peek(tx.state, storeId);
      const member = t.members.get(memberId);
      return { store: toStore(store), book: member ? loadBooks(t, [member], []).get(memberId)! : null };
    },
    async readBook(storeId, memberId) {
      const t = peek(tx.state, storeId);
      const member = t.members.get(memberId);
      return member ? loadBooks(t, [member], []).get(memberId)! : null;
    },
  };
}

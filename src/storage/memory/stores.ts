import type { StoreRepository } from "../../core/ports/repositories.ts";
import { uniqueViolation } from "./errors.ts";
import { toStore } from "./rows.ts";
import { tenantFor, requireStoreRow } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, optionalTimestamp, timestamp } from "./values.ts";

/** Locks are implicit: transactions run one at a time. Leases run on the wall clock (database time in SQL). */
export function storeRepository(tx: MemoryTx): StoreRepository {
  const { requiredJsonb, requiredJsonbOver } = tx.state.documents;
  const { stores, leases } = tx.state;
  return {
    async insert(s) {
      if (stores.has(s.id)) throw uniqueViolation("stores", `id=${s.id}`);
      tx.put(stores, s.id, {
        id: s.id, name: s.name, currency: s.currency, timezone: s.timezone, sandbox: s.sandbox,
        clockNow: optionalTimestamp(s.clockNow, "clock_now"), program: requiredJsonb(s.program, "stores", "program"),
        createdAt: timestamp(s.createdAt, "created_at"), tiersCheckedAt: null, programVersion: 0,
      });
      tenantFor(tx, s.id);
    },
    async get(storeId) {
      const row = stores.get(storeId);
      return row ? toStore(row) : null;
    },
    async lock(storeId) {
      const row = stores.get(storeId);
      return row ? toStore(row) : null;
    },
    async update(s) {
      const row = stores.get(s.id);
      if (!row) return;
      // The program read, copied out and written back unchanged (every clock move) keeps the stored value.
      const program = requiredJsonbOver(row.program, s.program, "stores", "program");
      tx.put(stores, s.id, { ...row, name: s.name, clockNow: optionalTimestamp(s.clockNow, "clock_now"), program });
    },
    async list() {
      return [...stores.values()].sort((a, b) => compareText(a.id, b.id)).map(toStore);
    },
    async claimDueWork(storeId, holder, ttlMs) {
      const now = Date.now();
      const lease = leases.get(storeId);
      if (lease) {
        if (lease.holder !== holder && lease.expiresAt > now) return false;
      } else {
        requireStoreRow(tx, storeId, "due_work_leases");
      }
      tx.put(leases, storeId, { holder, expiresAt: now + ttlMs });
      return true;
    },
    async releaseDueWork(storeId, holder) {
      const lease = leases.get(storeId);
      if (lease && lease.holder === holder) tx.put(leases, storeId, { holder, expiresAt: Number.NEGATIVE_INFINITY });
    },
  };
}

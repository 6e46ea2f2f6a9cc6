import type { IdempotencyRepository, StoredCommand, StoredOutcome } from "../../core/ports/repositories.ts";
import { sameRowTwice } from "./errors.ts";
import { peek, type IdempotencyRow } from "./state.ts";
import { tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, fromJsonb, timestamp } from "./values.ts";

/**
 * What is stored under a key. Like the SQL, a key claimed and not completed yet (seen only by the
 * transaction that claimed it) has a null outcome, which the port's type leaves out.
 */
const stored = (r: IdempotencyRow): StoredCommand => ({ fingerprint: r.fingerprint, outcome: fromJsonb(r.outcome) as StoredOutcome });

/** Transactions run one at a time, so a key another request claimed is completed or given back by now. */
export function idempotencyRepository(tx: MemoryTx): IdempotencyRepository {
  const { jsonb } = tx.state.documents;
  const keysOf = (storeId: string, scope: string) => tx.inner(tenantFor(tx, storeId).idempotency, scope, () => new Map<string, IdempotencyRow>());
  return {
    async claim(storeId, scope, key, fingerprint, now, reuseBefore) {
      const keys = keysOf(storeId, scope);
      const row = keys.get(key);
      // An expired key is taken over in place.
      if (!row || (reuseBefore !== null && row.createdAt.getTime() < reuseBefore.getTime())) {
        tx.put(keys, key, { fingerprint, outcome: null, createdAt: timestamp(now, "created_at") });
        return "claimed";
      }
      return stored(row);
    },
    async releaseMany(storeId, scope, keys) {
      const rows = peek(tx.state, storeId).idempotency.get(scope);
      if (rows) for (const key of keys) tx.delete(rows, key);
    },
    async purge(scope, before, limit) {
      let purged = 0;
      for (const t of tx.state.tenants.values()) {
        const rows = t.idempotency.get(scope);
        if (!rows) continue;
        for (const [key, row] of [...rows]) {
          if (purged >= limit) return purged;
          if (row.createdAt.getTime() < before.getTime()) {
            tx.delete(rows, key);
            purged++;
          }
        }
      }
      return purged;
    },
    async claimMany(storeId, scope, items) {
      const result = new Map<string, StoredCommand | "claimed">();
      if (items.length === 0) return result;
      const keys = keysOf(storeId, scope);
      const sorted = [...items].sort((a, b) => compareText(a.key, b.key));
      for (const item of sorted) {
        if (keys.has(item.key)) continue;
        tx.put(keys, item.key, { fingerprint: item.fingerprint, outcome: null, createdAt: tx.startedAt });
        result.set(item.key, "claimed");
      }
      for (const item of sorted) if (!result.has(item.key)) result.set(item.key, stored(keys.get(item.key)!));
      return result;
    },
    async completeMany(storeId, scope, items) {
      if (items.length === 0) return;
      const keys = keysOf(storeId, scope);
      const seen = new Set<string>();
      for (const i of items) {
        if (seen.has(i.key)) throw sameRowTwice("idempotency");
        seen.add(i.key);
        // Every key was claimed earlier in the transaction; one that was not is written afresh.
        const row = keys.get(i.key) ?? { fingerprint: "", outcome: null, createdAt: tx.startedAt };
        tx.put(keys, i.key, { ...row, outcome: jsonb(i.outcome) });
      }
    },
    async complete(storeId, scope, key, outcome) {
      const rows = peek(tx.state, storeId).idempotency.get(scope);
      const row = rows?.get(key);
      if (rows && row) tx.put(rows, key, { ...row, outcome: jsonb(outcome) });
    },
  };
}

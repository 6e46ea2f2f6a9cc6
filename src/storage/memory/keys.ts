import type { KeyRepository } from "../../core/ports/repositories.ts";
import type { ApiKeyRecord } from "../../core/ports/records.ts";
import { checkViolation, uniqueViolation } from "./errors.ts";
import { peek, type KeyRow } from "./state.ts";
import { requireStoreRow, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, page, timestamp } from "./values.ts";

const ROLES = new Set(["viewer", "points_manager", "admin"]);

const toKey = (storeId: string, r: KeyRow): ApiKeyRecord => ({
  storeId, id: r.id, name: r.name, role: r.role, createdBy: r.createdBy, createdAt: r.createdAt, revokedAt: r.revokedAt,
});

export function keyRepository(tx: MemoryTx): KeyRepository {
  return {
    async insert(k, keyHash) {
      requireStoreRow(tx, k.storeId, "api_keys");
      if (!ROLES.has(k.role)) throw checkViolation("api_keys", "role IN ('viewer', 'points_manager', 'admin')");
      const t = tenantFor(tx, k.storeId);
      if (t.keys.has(k.id)) throw uniqueViolation("api_keys", `id=${k.id}`);
      if (t.keyHashes.has(keyHash)) throw uniqueViolation("api_keys", "key_hash");
      tx.put(t.keys, k.id, { id: k.id, name: k.name, role: k.role, keyHash, createdBy: k.createdBy, createdAt: timestamp(k.createdAt, "created_at"), revokedAt: null });
      tx.put(t.keyHashes, keyHash, k.id);
    },
    async findByHash(storeId, keyHash) {
      const t = peek(tx.state, storeId);
      const id = t.keyHashes.get(keyHash);
      const row = id === undefined ? undefined : t.keys.get(id);
      return row && row.revokedAt === null ? toKey(storeId, row) : null;
    },
    async revoke(storeId, id, at) {
      const t = peek(tx.state, storeId);
      const row = t.keys.get(id);
      if (!row || row.revokedAt !== null) return null;
      const revoked = { ...row, revokedAt: timestamp(at, "revoked_at") };
      tx.put(t.keys, id, revoked);
      return toKey(storeId, revoked);
    },
    async list(storeId, limit, cursor) {
      // Key ids are time-ordered, so id order is creation order.
      const rows = firstN(peek(tx.state, storeId).keys.values(), (r) => cursor === null || compareText(r.id, cursor) > 0, (a, b) => compareText(a.id, b.id), limit + 1);
      return page(rows, limit, (r) => toKey(storeId, r), (r) => r.id);
    },
  };
}

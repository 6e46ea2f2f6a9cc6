import type { MemberTokenRepository, MemberTokenSecrets } from "../../core/ports/member-tokens.ts";
import { peek } from "./state.ts";
import { requireStoreRow, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";

const copy = (s: MemberTokenSecrets): MemberTokenSecrets => ({ ...s, previousUntil: s.previousUntil ? new Date(s.previousUntil) : null, rotatedAt: new Date(s.rotatedAt) });

export function memberTokenRepository(tx: MemoryTx): MemberTokenRepository {
  const read = async (storeId: string) => {
    const row = peek(tx.state, storeId).memberTokenSecrets.get("current");
    return row ? copy(row) : null;
  };
  return {
    get: read,
    lock: read,
    async save(storeId, secrets) {
      requireStoreRow(tx, storeId, "member_token_secrets");
      tx.put(tenantFor(tx, storeId).memberTokenSecrets, "current", copy(secrets));
    },
  };
}

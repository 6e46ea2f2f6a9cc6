import type { ApiKeyRecord } from "../core/ports/records.ts";
import { hashKey, parseKey } from "../services/api-keys.ts";
import type { Services } from "../services/context.ts";

export interface KeyAuthenticator {
  authenticate(presented: string): Promise<ApiKeyRecord | null>;
  /** Drops what this process knows of a store's keys (after a revocation). */
  forget(storeId: string): void;
}

/**
 * Remembers key look-ups (found or not) for a few seconds, so a busy client costs one query per
 * key per interval rather than a transaction per request. The interval bounds how long another
 * process may still accept a key revoked elsewhere (SPEC: within 10 s).
 */
export function cachedKeyAuthenticator(services: Services, ttlMs = 5_000, maxEntries = 10_000): KeyAuthenticator {
  const cache = new Map<string, { key: ApiKeyRecord | null; storeId: string; until: number }>();
  return {
    async authenticate(presented) {
      const parsed = parseKey(presented);
      if (!parsed) return null;
      const hash = hashKey(presented);
      const now = Date.now();
      const hit = cache.get(hash);
      if (hit && hit.until > now) return hit.key;
      const key = await services.tx.run((repos) => repos.keys.findByHash(parsed.storeId, hash));
      // A full cache starts over rather than growing without bound under a flood of made-up keys.
      if (cache.size >= maxEntries) cache.clear();
      cache.set(hash, { key, storeId: parsed.storeId, until: now + ttlMs });
      return key;
    },
    forget(storeId) {
      for (const [hash, entry] of cache) if (entry.storeId === storeId) cache.delete(hash);
    },
  };
}

import { createHash } from "node:crypto";
import { newId, randomChars } from "../core/ids.ts";
import type { ApiKeyRecord, Role } from "../core/ports/records.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { notFound } from "../core/errors.ts";
import { requireStore, type Actor, type Services } from "./context.ts";

/**
 * A key names its store (`pb_<storeId>_<secret>`) so it is looked up by the store's own key
 * prefix; only its SHA-256 is stored, so a database leak does not leak working keys.
 */
export function hashKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function parseKey(presented: string): { storeId: string } | null {
  const match = /^pb_(st_[0-9a-z]+)_[0-9a-z]{32}$/.exec(presented);
  return match ? { storeId: match[1]! } : null;
}

export async function issueKey(
  repos: Repositories,
  storeId: string,
  input: { name: string; role: Role },
  actor: Actor,
  now: Date,
): Promise<{ record: ApiKeyRecord; key: string }> {
  const key = `pb_${storeId}_${randomChars(32)}`;
  const record: ApiKeyRecord = { storeId, id: newId("key"), name: input.name, role: input.role, createdBy: actor.id, createdAt: now };
  await repos.keys.insert(record, hashKey(key));
  await repos.audit.insert(storeId, {
    id: newId("aud"), at: now, actor: actor.id, action: "key.created", entityType: "api_key", entityId: record.id,
    before: null, after: { id: record.id, name: record.name, role: record.role },
  });
  return { record, key };
}

export async function createKey(services: Services, storeId: string, input: { name: string; role: Role }, actor: Actor) {
  return services.tx.run(async (repos) => {
    await requireStore(repos, storeId);
    return issueKey(repos, storeId, input, actor, services.clock.now());
  });
}

/** Revokes a key (audited). Revoking the key that makes the call is allowed: it is the way to retire it. */
export async function revokeKey(repos: Repositories, storeId: string, id: string, actor: Actor, now: Date): Promise<ApiKeyRecord> {
  const record = await repos.keys.revoke(storeId, id, now);
  if (!record) throw notFound("key");
  await repos.audit.insert(storeId, {
    id: newId("aud"), at: now, actor: actor.id, action: "key.revoked", entityType: "api_key", entityId: record.id,
    before: { id: record.id, name: record.name, role: record.role }, after: null,
  });
  return record;
}

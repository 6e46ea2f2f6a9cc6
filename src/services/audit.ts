import { newId } from "../core/ids.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { Actor } from "./context.ts";

/** Every settings change leaves who, when, before and after. */
export async function recordChange(
  repos: Repositories,
  storeId: string,
  actor: Actor,
  change: { action: string; entityType: string; entityId: string; before: unknown; after: unknown },
  at: Date,
): Promise<void> {
  await repos.audit.insert(storeId, { id: newId("aud"), at, actor: actor.id, ...change });
}

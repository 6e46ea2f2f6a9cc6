import { newId } from "../core/ids.ts";
import { invalid, notFound } from "../core/errors.ts";
import type { Page, RedeemMethodRecord } from "../core/ports/records.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { redeemMethodSchema, type RedeemMethod } from "../core/redemption/methods.ts";
import { recordChange } from "./audit.ts";
import { requireStore, type Actor, type Services } from "./context.ts";

export function methodView(m: RedeemMethodRecord) {
  return { id: m.id, ...m.config, createdAt: m.createdAt, updatedAt: m.updatedAt };
}

export async function createMethod(repos: Repositories, services: Services, storeId: string, method: RedeemMethod, actor: Actor) {
  await requireStore(repos, storeId);
  const now = services.clock.now();
  const record: RedeemMethodRecord = { id: newId("rm"), type: method.type, config: method, createdAt: now, updatedAt: now };
  await repos.redemptions.insertMethod(storeId, record);
  await recordChange(repos, storeId, actor, { action: "redeem_method.created", entityType: "redeem_method", entityId: record.id, before: null, after: method }, now);
  return methodView(record);
}

export async function getMethod(services: Services, storeId: string, id: string) {
  return services.tx.run(async (repos) => {
    const m = await repos.redemptions.getMethod(storeId, id);
    if (!m) throw notFound("redeem method");
    return methodView(m);
  });
}

export async function listMethods(services: Services, storeId: string, page: { limit: number; cursor: string | null }): Promise<Page<ReturnType<typeof methodView>>> {
  return services.tx.run(async (repos) => {
    const result = await repos.redemptions.listMethods(storeId, page.limit, page.cursor);
    return { data: result.data.map(methodView), nextCursor: result.nextCursor };
  });
}

/** A PATCH is merged into the stored method and the result validated whole; the type cannot change. */
export async function updateMethod(services: Services, storeId: string, id: string, patch: Record<string, unknown>, actor: Actor) {
  return services.tx.run(async (repos) => {
    const m = await repos.redemptions.getMethod(storeId, id);
    if (!m) throw notFound("redeem method");
    if (patch.type !== undefined && patch.type !== m.type) {
      throw invalid("type", `a ${m.type} method cannot become another type; create a new method instead`);
    }
    const next = redeemMethodSchema.parse({ ...m.config, ...patch, type: m.type });
    const now = services.clock.now();
    const record = { ...m, config: next, updatedAt: now };
    await repos.redemptions.updateMethod(storeId, record);
    await recordChange(repos, storeId, actor, { action: "redeem_method.updated", entityType: "redeem_method", entityId: id, before: m.config, after: next }, now);
    return methodView(record);
  });
}

/** Deleting stops new redemptions; codes and entitlements already issued stay as they are. */
export async function deleteMethod(services: Services, storeId: string, id: string, actor: Actor): Promise<void> {
  await services.tx.run(async (repos) => {
    const m = await repos.redemptions.getMethod(storeId, id);
    if (!m) throw notFound("redeem method");
    const now = services.clock.now();
    await repos.redemptions.deleteMethod(storeId, id, now);
    await recordChange(repos, storeId, actor, { action: "redeem_method.deleted", entityType: "redeem_method", entityId: id, before: m.config, after: null }, now);
  });
}

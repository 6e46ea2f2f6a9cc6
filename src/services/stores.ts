import { newId } from "../core/ids.ts";
import { DEFAULT_PROGRAM } from "../core/program/settings.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { issueKey } from "./api-keys.ts";
import { requireStore, type Actor, type Services } from "./context.ts";

export interface CreateStoreInput {
  name: string;
  currency: string;
  timezone: string;
  sandbox?: boolean;
  clock?: Date;
}

/** Creates a store with the default program and its first admin key. */
export async function createStore(services: Services, input: CreateStoreInput, actor: Actor) {
  return services.tx.run((repos) => insertStore(repos, services, input, actor));
}

/** `createStore` inside the caller's transaction (the HTTP route's idempotent write). */
export async function insertStore(repos: Repositories, services: Services, input: CreateStoreInput, actor: Actor) {
  const now = services.clock.now();
  const store: StoreRecord = {
    id: newId("st"),
    name: input.name,
    currency: input.currency,
    timezone: input.timezone,
    sandbox: input.sandbox ?? false,
    clockNow: input.sandbox ? (input.clock ?? now) : null,
    program: DEFAULT_PROGRAM,
    createdAt: now,
  };
  await repos.stores.insert(store);
  const { key } = await issueKey(repos, store.id, { name: "Initial admin key", role: "admin" }, actor, now);
  return { store, apiKey: key };
}

export async function getStore(services: Services, storeId: string): Promise<StoreRecord> {
  return services.tx.run((repos) => requireStore(repos, storeId));
}

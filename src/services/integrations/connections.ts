import type { Platform } from "../../core/integrations/platform-order.ts";
import type { IntegrationRecord, PlatformDeliveryRecord } from "../../core/ports/integrations.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import { recordChange } from "../audit.ts";
import { requireStore, storeNow, type Actor, type Services } from "../context.ts";

/** The connection as the API shows it: where webhooks go, never the secret. */
export interface IntegrationView {
  platform: Platform;
  shopDomain?: string;
  siteUrl?: string;
  /** The path to give the platform as the webhook address, after this server's public URL. */
  webhookPath: string;
  connectedAt: Date;
  updatedAt: Date;
  recentDeliveries: PlatformDeliveryRecord[];
}

const RECENT = 20;

function view(storeId: string, r: IntegrationRecord, recent: PlatformDeliveryRecord[]): IntegrationView {
  return {
    platform: r.platform,
    ...(r.platform === "shopify" ? { shopDomain: r.address } : { siteUrl: r.address }),
    webhookPath: `/hooks/${r.platform}/${storeId}`,
    connectedAt: r.createdAt,
    updatedAt: r.updatedAt,
    recentDeliveries: recent,
  };
}

/** Connects (or reconnects, with a new secret) a platform; audited without the secret. */
export async function connectPlatform(
  repos: Repositories, services: Services, storeId: string, platform: Platform, input: { address: string; webhookSecret: string }, actor: Actor,
): Promise<IntegrationView> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  const before = await repos.integrations.get(storeId, platform);
  const record: IntegrationRecord = { platform, address: input.address, webhookSecret: input.webhookSecret, createdAt: before?.createdAt ?? now, updatedAt: now };
  await repos.integrations.upsert(storeId, record);
  const shown = (r: IntegrationRecord | null) => (r ? { address: r.address, secretChanged: r.updatedAt } : null);
  await recordChange(repos, storeId, actor, { action: before ? "integration.updated" : "integration.connected", entityType: "integration", entityId: platform, before: shown(before), after: shown(record) }, now);
  return view(storeId, record, await repos.integrations.recentDeliveries(storeId, platform, RECENT));
}

export async function listIntegrations(services: Services, storeId: string): Promise<IntegrationView[]> {
  return services.tx.run(async (repos) => {
    await requireStore(repos, storeId);
    const records = await repos.integrations.list(storeId);
    return Promise.all(records.map(async (r) => view(storeId, r, await repos.integrations.recentDeliveries(storeId, r.platform, RECENT))));
  });
}

/** The secret a platform's signature is checked with; null when the store has not connected it. */
export async function platformSecret(services: Services, storeId: string, platform: Platform): Promise<string | null> {
  return (services.tx.read ?? services.tx.run)(async (repos) => (await repos.integrations.get(storeId, platform))?.webhookSecret ?? null);
}

import type { Platform, PlatformOrderState } from "../integrations/platform-order.ts";

/** A store's connection to a platform (SPEC §6). The secret keys the platform's HMAC, so it is kept as given. */
export interface IntegrationRecord {
  platform: Platform;
  /** The Shopify shop domain or the WooCommerce site URL. */
  address: string;
  webhookSecret: string;
  createdAt: Date;
  updatedAt: Date;
}

export type PlatformDeliveryResult = "applied" | "ignored" | "failed";

/** One webhook a platform delivered, by the platform's delivery id, and what came of it. */
export interface PlatformDeliveryRecord {
  deliveryId: string;
  topic: string;
  result: PlatformDeliveryResult;
  error: string | null;
  receivedAt: Date;
}

export interface IntegrationRepository {
  upsert(storeId: string, record: IntegrationRecord): Promise<void>;
  get(storeId: string, platform: Platform): Promise<IntegrationRecord | null>;
  list(storeId: string): Promise<IntegrationRecord[]>;
  /** Records a delivery id on first sight; false when the platform delivered it before. */
  claimDelivery(storeId: string, platform: Platform, delivery: PlatformDeliveryRecord): Promise<boolean>;
  setDeliveryResult(storeId: string, platform: Platform, deliveryId: string, result: PlatformDeliveryResult, error: string | null): Promise<void>;
  /** Forgets delivery ids received before `before`, at most `limit` (off the request path: it spans stores). */
  purgeDeliveries(before: Date, limit: number): Promise<number>;
  /** Newest first. */
  recentDeliveries(storeId: string, platform: Platform, limit: number): Promise<PlatformDeliveryRecord[]>;
  /** The kept state of a platform order, locked for this transaction (empty when none is kept). */
  lockOrder(storeId: string, platform: Platform, orderId: string): Promise<PlatformOrderState>;
  saveOrder(storeId: string, platform: Platform, orderId: string, state: PlatformOrderState, at: Date): Promise<void>;
  /** The version of the customer description last applied, locked; undefined when none was. */
  lockCustomer(storeId: string, platform: Platform, customerId: string): Promise<{ version: string | null } | undefined>;
  saveCustomer(storeId: string, platform: Platform, customerId: string, version: string | null): Promise<void>;
}

import { currencyExponent } from "../../core/money/decimal.ts";
import type { Platform } from "../../core/integrations/platform-order.ts";
import { SHOPIFY_ORDER_TOPICS, shopifyCustomer, shopifyOrder, shopifyRefund } from "../../core/integrations/shopify.ts";
import { wooCustomer, wooDeletedOrderId, wooOrder } from "../../core/integrations/woocommerce.ts";
import { runCommand } from "../command.ts";
import { requireStore, storeNow, type Services } from "../context.ts";
import { applyCustomer, applyDeletion, applyOrder, applyRefund, type PlatformStep } from "./apply.ts";

export interface PlatformDelivery {
  storeId: string;
  platform: Platform;
  /** The platform's id of this delivery: a repeated one changes nothing. */
  deliveryId: string;
  topic: string;
  payload: unknown;
}

/** What came of a delivery: `failed` is a refusal (recorded, and shown in GET /v1/integrations). */
export type DeliveryOutcome = { result: "applied" | "ignored" | "duplicate" } | { result: "failed"; error: string };

const SHOPIFY_ORDERS = new Set<string>(SHOPIFY_ORDER_TOPICS);

/** Applies one topic's payload; false when the topic is not one Pointbook acts on. */
async function applyTopic(step: PlatformStep, topic: string, payload: unknown): Promise<boolean> {
  if (step.platform === "shopify") {
    if (SHOPIFY_ORDERS.has(topic)) await applyOrder(step, shopifyOrder(payload));
    else if (topic === "refunds/create") {
      const { orderId, refund } = shopifyRefund(payload, currencyExponent(step.store.currency));
      await applyRefund(step, orderId, refund);
    } else if (topic === "customers/create" || topic === "customers/update") await applyCustomer(step, shopifyCustomer(payload));
    else return false;
    return true;
  }
  if (topic === "order.created" || topic === "order.updated") await applyOrder(step, wooOrder(payload));
  else if (topic === "order.deleted") await applyDeletion(step, wooDeletedOrderId(payload));
  else if (topic === "customer.created" || topic === "customer.updated") await applyCustomer(step, wooCustomer(payload));
  else return false;
  return true;
}

/** How long delivery ids are kept: platforms retry for up to two days, the rest is for the record. */
export const PLATFORM_DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;

/** Forgets delivery ids past their retention, a bounded number per call; the scheduler calls it every tick. */
export async function forgetOldDeliveries(services: Services, limit = 5_000): Promise<number> {
  const before = new Date(services.clock.now().getTime() - PLATFORM_DELIVERY_RETENTION_MS);
  return services.tx.run((repos) => repos.integrations.purgeDeliveries(before, limit));
}

/**
 * A platform's webhook, applied through the command runner like every write: the delivery id is
 * claimed in the same transaction as the change, so a redelivery is ignored, and a refusal leaves
 * only the record of the failure (the platform is answered 200 either way: sending it again
 * would be refused again).
 */
export async function receivePlatformDelivery(services: Services, d: PlatformDelivery): Promise<DeliveryOutcome> {
  const { outcome } = await runCommand(services, {
    storeId: d.storeId,
    run: async (repos) => {
      const store = await requireStore(repos, d.storeId);
      const now = storeNow(store, services.clock);
      // Received at wall time, even in a sandbox: delivery ids guard against the platform's retries, which happen in real time.
      const first = await repos.integrations.claimDelivery(d.storeId, d.platform, { deliveryId: d.deliveryId, topic: d.topic, result: "applied", error: null, receivedAt: services.clock.now() });
      if (!first) return "duplicate" as const;
      const acted = await applyTopic({ repos, services, store, platform: d.platform, now }, d.topic, d.payload);
      if (!acted) await repos.integrations.setDeliveryResult(d.storeId, d.platform, d.deliveryId, "ignored", null);
      return acted ? ("applied" as const) : ("ignored" as const);
    },
  });
  if (outcome.ok) return { result: outcome.value };
  const error = outcome.error.message.slice(0, 2_000);
  await services.tx.run(async (repos) => {
    await repos.integrations.claimDelivery(d.storeId, d.platform, { deliveryId: d.deliveryId, topic: d.topic, result: "failed", error, receivedAt: services.clock.now() });
  });
  return { result: "failed", error };
}

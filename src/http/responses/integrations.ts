import { z } from "zod";
import type { Platform } from "../../core/integrations/platform-order.ts";
import type { PlatformDeliveryResult } from "../../core/ports/integrations.ts";
import type { DeliveryOutcome } from "../../services/integrations/receive.ts";
import { enumOf, instantOut, named } from "./common.ts";

const deliveryResult = enumOf<PlatformDeliveryResult>({ applied: true, ignored: true, failed: true });

export const integrationView = named("Integration", z.object({
  platform: enumOf<Platform>({ shopify: true, woocommerce: true }),
  shopDomain: z.string().optional(),
  siteUrl: z.string().optional(),
  webhookPath: z.string().describe("The path to give the platform as its webhook address, after this server's public URL"),
  connectedAt: instantOut,
  updatedAt: instantOut,
  recentDeliveries: z.array(z.object({
    deliveryId: z.string(),
    topic: z.string(),
    result: deliveryResult,
    error: z.string().nullable(),
    receivedAt: instantOut,
  })).describe("The latest 20, newest first"),
}));

export const integrationList = named("IntegrationList", z.object({ data: z.array(integrationView), nextCursor: z.null().describe("Always null: a store has at most one connection per platform") }));

/** What a platform's webhook is answered: always 200 once signed, so the platform does not retry what cannot succeed. */
export const platformDeliveryView = named("PlatformDeliveryReceipt", z.object({
  received: z.literal(true),
  result: enumOf<DeliveryOutcome["result"] | "ping">({ applied: true, ignored: true, duplicate: true, failed: true, ping: true }).describe("`ping`: WooCommerce's check when a webhook is saved"),
  error: z.string().optional(),
}));

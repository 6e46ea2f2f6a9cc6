import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Platform } from "../../core/integrations/platform-order.ts";
import { connectPlatform, listIntegrations } from "../../services/integrations/connections.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { integrationList, integrationView } from "../responses/integrations.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";

const TAGS = ["integrations"];
const secret = z.string().min(8).max(500);

const shopifyBody = z.object({
  shopDomain: z.string().max(255).regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i, "the shop's myshopify.com domain, such as example.myshopify.com"),
  webhookSecret: secret,
}).strict();

const wooBody = z.object({
  siteUrl: z.url({ protocol: /^https?$/ }).max(2_000),
  webhookSecret: secret,
}).strict();

/** Connecting Shopify and WooCommerce (SPEC §6); admin only. */
export function registerIntegrationRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const connect = (platform: Platform, address: (body: Record<string, string>) => string, body: z.ZodType) =>
    app.put(`/v1/integrations/${platform}`, { ...route({
      operationId: platform === "shopify" ? "connectShopify" : "connectWooCommerce",
      summary: `Connect ${platform === "shopify" ? "a Shopify shop" : "a WooCommerce site"}: the secret its webhooks are signed with`,
      tags: TAGS, role: "admin", body, idempotent: true,
      responses: { 200: json("The connection (never its secret)", integrationView) },
    }) }, async (request, reply) => {
      const caller = callerOf(request);
      const input = parse(body, request.body) as Record<string, string>;
      return write(request, reply, ctx.services, {
        storeId: caller.storeId,
        status: 200,
        run: (repos) => connectPlatform(repos, ctx.services, caller.storeId, platform, { address: address(input), webhookSecret: input.webhookSecret! }, caller.actor),
      });
    });
  connect("shopify", (b) => b.shopDomain!.toLowerCase(), shopifyBody);
  connect("woocommerce", (b) => b.siteUrl!, wooBody);

  app.get("/v1/integrations", { ...route({
    operationId: "listIntegrations", summary: "Connected platforms, their webhook paths and their latest deliveries", tags: TAGS, role: "admin",
    responses: { 200: json("Every connected platform (one page)", integrationList) },
  }) }, async (request) => {
    const caller = callerOf(request);
    // A list like every other (SPEC §4), though it never has a second page.
    return { data: await listIntegrations(ctx.services, caller.storeId), nextCursor: null };
  });
}

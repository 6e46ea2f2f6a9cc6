import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { DomainError } from "../../core/errors.ts";
import type { Platform } from "../../core/integrations/platform-order.ts";
import { platformSecret } from "../../services/integrations/connections.ts";
import { receivePlatformDelivery } from "../../services/integrations/receive.ts";
import type { HttpContext } from "../context.ts";
import { parsePlatformJson } from "../hooks/payload-json.ts";
import { validPlatformSignature } from "../hooks/signature.ts";
import { json, route } from "../openapi.ts";
import { platformDeliveryView } from "../responses/integrations.ts";
import { parse } from "../validation.ts";

/** Platform payloads can list hundreds of lines; 4 MB holds the largest orders either platform sends. */
export const HOOK_BODY_LIMIT = 4 * 1024 * 1024;

const HEADERS: Record<Platform, { signature: string; topic: string; delivery: string }> = {
  shopify: { signature: "x-shopify-hmac-sha256", topic: "x-shopify-topic", delivery: "x-shopify-webhook-id" },
  woocommerce: { signature: "x-wc-webhook-signature", topic: "x-wc-webhook-topic", delivery: "x-wc-webhook-delivery-id" },
};

const storeParam = z.object({ storeId: z.string().min(1).max(200) });
const platformPayload = z.record(z.string(), z.unknown()).describe("The platform's webhook payload (an order or a customer), exactly as it sends it");

/** The headers a platform sends with each delivery: the signature is checked, topic and delivery id are read. */
function hookHeaders(platform: Platform) {
  const names = HEADERS[platform];
  return z.object({
    [names.signature]: z.string().describe("HMAC-SHA256 of the raw body with the store's webhook secret, base64"),
    [names.topic]: z.string().optional().describe("The topic, such as orders/paid"),
    [names.delivery]: z.string().optional().describe("The platform's delivery id; a repeated id is answered `duplicate`"),
  });
}
const secrets = new WeakMap<FastifyRequest, string>();

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === "string" && value.length > 0 ? value.slice(0, 500) : undefined;
};

const unsigned = (platform: Platform) => new DomainError("unauthorized", `the request does not carry a valid ${platform === "shopify" ? "X-Shopify-Hmac-Sha256" : "X-WC-Webhook-Signature"} signature for this store`);

/** WooCommerce's check when a webhook is saved: an unsigned form body `webhook_id=…`, answered 200 and otherwise ignored. */
const isWooPing = (request: FastifyRequest, raw: Buffer) =>
  (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded") && /^webhook_id=\d{1,20}$/.test(raw.toString("latin1"));

/**
 * The receivers of SPEC §6, `POST /hooks/{platform}/{storeId}`. They take the raw body: the
 * signature is an HMAC of its exact bytes, checked before the JSON is parsed. A store without the
 * platform connected, or a request without a signature header, is refused before the body is read.
 */
export async function registerPlatformHooks(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: HOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));

    for (const platform of ["shopify", "woocommerce"] as const) {
      const names = HEADERS[platform];
      scope.post(`/hooks/${platform}/:storeId`, {
        ...route({
          operationId: platform === "shopify" ? "receiveShopifyWebhook" : "receiveWooCommerceWebhook",
          summary: `Receive a ${platform === "shopify" ? "Shopify" : "WooCommerce"} webhook (signed by the platform)`,
          description: `No API key: the platform signs the exact body with the store's webhook secret (HMAC-SHA256, base64) in \`${names.signature}\`.`
            + (platform === "woocommerce" ? " WooCommerce's unsigned check when a webhook is saved (a form body `webhook_id=…`) is answered 200." : ""),
          tags: ["integrations"], role: "none", params: storeParam, headers: hookHeaders(platform), body: platformPayload,
          consumes: platform === "woocommerce" ? ["application/json", "application/x-www-form-urlencoded"] : ["application/json"],
          responses: { 200: json("Received: what came of it (a delivery that cannot be applied is answered 200 too, so the platform does not retry it)", platformDeliveryView) },
          errors: {
            401: "No valid signature for this store, or the store has not connected the platform",
            413: `The body is larger than ${HOOK_BODY_LIMIT / (1024 * 1024)} MB`,
          },
        }, { anyBodyType: true }),
        bodyLimit: HOOK_BODY_LIMIT,
        preParsing: async (request, _reply, payload) => {
          const { storeId } = parse(storeParam, request.params);
          const isPing = platform === "woocommerce" && (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
          if (!isPing && !header(request, names.signature)) throw unsigned(platform);
          const secret = await platformSecret(ctx.services, storeId, platform);
          if (secret === null) throw new DomainError("unauthorized", `this store has no ${platform} connection (PUT /v1/integrations/${platform})`);
          secrets.set(request, secret);
          return payload;
        },
      }, async (request, reply) => {
        const { storeId } = parse(storeParam, request.params);
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (platform === "woocommerce" && isWooPing(request, raw)) return reply.code(200).send({ received: true, result: "ping" });
        if (!validPlatformSignature(raw, secrets.get(request) ?? "", header(request, names.signature))) {
          ctx.metrics.platformWebhooks.inc({ platform, result: "refused" });
          throw unsigned(platform);
        }
        const topic = header(request, names.topic) ?? "";
        // Both platforms name each delivery; without the header, the same bytes count as the same delivery.
        const deliveryId = header(request, names.delivery) ?? `sha256:${createHash("sha256").update(topic).update("\n").update(raw).digest("hex")}`;
        const payload = parsePlatformJson(raw);
        const outcome = await receivePlatformDelivery(ctx.services, { storeId, platform, deliveryId, topic, payload });
        ctx.metrics.platformWebhooks.inc({ platform, result: outcome.result });
        return reply.code(200).send({ received: true, ...outcome });
      });
    }
  });
}

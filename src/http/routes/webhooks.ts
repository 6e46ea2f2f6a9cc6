import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { webhookEndpointInput, webhookEndpointPatch } from "../../core/webhooks/endpoint.ts";
import { deliveryView, listDeliveries, replayDelivery } from "../../services/webhooks/deliveries.ts";
import {
  checkEndpointUrl, createEndpoint, deleteEndpoint, endpointView, getEndpoint, patchEndpoint, rotateEndpointSecret,
} from "../../services/webhooks/endpoints.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, pageQuery, route } from "../openapi.ts";
import {
  createdWebhookEndpointView, webhookDeliveryPage, webhookDeliveryView, webhookEndpointPage, webhookEndpointView, webhookSecretView,
} from "../responses/webhooks.ts";
import { idParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";

const TAGS = ["webhooks"];

/** Webhook endpoints and their deliveries (SPEC §3 Webhooks); admin only. */
export function registerWebhookRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const allowPrivate = ctx.webhookAllowPrivate ?? false;
  const read = <T>(fn: (repos: Repositories) => Promise<T>) => ctx.services.tx.run(fn);

  app.post("/v1/webhook-endpoints", { ...route({
    operationId: "createWebhookEndpoint", summary: "Create a webhook endpoint; its signing secret is shown once", tags: TAGS, role: "admin",
    body: webhookEndpointInput, idempotent: true,
    responses: { 201: json("The endpoint, with its signing secret (shown this once)", createdWebhookEndpointView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(webhookEndpointInput, request.body);
    await checkEndpointUrl(body.url, { allowPrivate });
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: async (repos) => {
        const e = await createEndpoint(repos, caller.storeId, body, caller.actor, ctx.services.clock.now());
        return { ...endpointView(e), secret: e.secret as string | null };
      },
      // The secret is shown once: a replay gets the endpoint without it.
      stored: (view) => ({ ...view, secret: null }),
    });
  });

  app.get("/v1/webhook-endpoints", { ...route({
    operationId: "listWebhookEndpoints", summary: "List webhook endpoints, oldest first (never their secrets)", tags: TAGS, role: "admin", querystring: pageQuery,
    responses: { 200: json("A page of endpoints", webhookEndpointPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    const page = await read((repos) => repos.webhooks.listEndpoints(caller.storeId, q.limit, q.cursor ?? null));
    return { data: page.data.map(endpointView), nextCursor: page.nextCursor };
  });

  app.get("/v1/webhook-endpoints/:id", { ...route({
    operationId: "getWebhookEndpoint", summary: "One webhook endpoint", tags: TAGS, role: "admin", params: idParam,
    responses: { 200: json("The endpoint", webhookEndpointView) },
    errors: { 404: "No such endpoint in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return endpointView(await read((repos) => getEndpoint(repos, caller.storeId, id)));
  });

  app.patch("/v1/webhook-endpoints/:id", { ...route({
    operationId: "updateWebhookEndpoint", summary: "Change a webhook endpoint's URL, events, description or enabled", tags: TAGS, role: "admin",
    params: idParam, body: webhookEndpointPatch, idempotent: true,
    responses: { 200: json("The endpoint after the change", webhookEndpointView) },
    errors: { 404: "No such endpoint in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    const body = parse(webhookEndpointPatch, request.body);
    if (body.url !== undefined) await checkEndpointUrl(body.url, { allowPrivate });
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: async (repos) => endpointView(await patchEndpoint(repos, caller.storeId, id, body, caller.actor, ctx.services.clock.now())),
    });
  });

  app.delete("/v1/webhook-endpoints/:id", { ...route({
    operationId: "deleteWebhookEndpoint", summary: "Delete a webhook endpoint: nothing more is sent to it", tags: TAGS, role: "admin", params: idParam, idempotent: true,
    responses: { 200: json("The endpoint as it was", webhookEndpointView) },
    errors: { 404: "No such endpoint in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: async (repos) => endpointView(await deleteEndpoint(repos, caller.storeId, id, caller.actor, ctx.services.clock.now())),
    });
  });

  app.post("/v1/webhook-endpoints/:id/rotate-secret", { ...route({
    operationId: "rotateWebhookSecret", summary: "A new signing secret; the old one keeps signing too for 24 h", tags: TAGS, role: "admin", params: idParam, idempotent: true,
    responses: { 200: json("The new secret (shown this once)", webhookSecretView) },
    errors: { 404: "No such endpoint in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: async (repos) => ({ secret: (await rotateEndpointSecret(repos, caller.storeId, id, caller.actor, ctx.services.clock.now())) as string | null }),
      stored: () => ({ secret: null }),
    });
  });

  app.get("/v1/webhook-endpoints/:id/deliveries", { ...route({
    operationId: "listWebhookDeliveries", summary: "An endpoint's deliveries, newest first", tags: TAGS, role: "admin", params: idParam, querystring: pageQuery,
    responses: { 200: json("A page of deliveries", webhookDeliveryPage) },
    errors: { 404: "No such endpoint in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    const q = parse(pageQuery, request.query);
    const page = await read((repos) => listDeliveries(repos, caller.storeId, id, q.limit, q.cursor ?? null));
    return { data: page.data.map(deliveryView), nextCursor: page.nextCursor };
  });

  app.post("/v1/webhook-deliveries/:id/replay", { ...route({
    operationId: "replayWebhookDelivery", summary: "Send a delivery again now (attempts are kept)", tags: TAGS, role: "admin", params: idParam, idempotent: true,
    responses: { 202: json("The delivery, due now", webhookDeliveryView) },
    errors: { 404: "No such delivery in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 202,
      run: async (repos) => deliveryView(await replayDelivery(repos, caller.storeId, id, ctx.services.clock.now())),
    });
  });
}

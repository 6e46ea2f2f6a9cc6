import { z } from "zod";
import type { DeliveryStatus } from "../../core/ports/webhooks.ts";
import { endpointEvents } from "../../core/webhooks/endpoint.ts";
import { OUTGOING_TYPES } from "../../core/outgoing/events.ts";
import { enumOf, instantOut, named, page } from "./common.ts";

const endpointFields = {
  id: z.string(),
  url: z.string(),
  events: endpointEvents,
  description: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: instantOut,
  updatedAt: instantOut,
};

export const webhookEndpointView = named("WebhookEndpoint", z.object(endpointFields));

export const webhookEndpointPage = page(webhookEndpointView);

export const createdWebhookEndpointView = named("CreatedWebhookEndpoint", z.object({
  ...endpointFields,
  secret: z.string().nullable().describe("The signing secret, shown once: null when this is a replay (Idempotency-Key)"),
}));

export const webhookSecretView = named("WebhookSecret", z.object({
  secret: z.string().nullable().describe("The new signing secret, shown once: null when this is a replay (Idempotency-Key)"),
}));

export const webhookDeliveryView = named("WebhookDelivery", z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  type: z.enum(OUTGOING_TYPES as [string, ...string[]]),
  status: enumOf<DeliveryStatus>({ pending: true, delivered: true, failed: true, dead: true }),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable().describe("The HTTP status of the last attempt"),
  lastError: z.string().nullable(),
  nextAttemptAt: instantOut.nullable(),
  deliveredAt: instantOut.nullable(),
  createdAt: instantOut,
}));

export const webhookDeliveryPage = page(webhookDeliveryView);

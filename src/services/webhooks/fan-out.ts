import { newId } from "../../core/ids.ts";
import type { WebhookDeliveryRecord } from "../../core/ports/webhooks.ts";
import { matches } from "../../core/webhooks/endpoint.ts";
import type { FanOut } from "../dispatch.ts";

/**
 * Turns a store's outgoing events into one pending delivery per matching live, enabled endpoint,
 * due at once. Runs in the dispatching transaction; sending is the delivery worker's job.
 */
export const webhookFanOut: FanOut = async (repos, store, events, now) => {
  if (events.length === 0) return;
  const endpoints = await repos.webhooks.enabledEndpoints(store.id);
  if (endpoints.length === 0) return;
  const deliveries: WebhookDeliveryRecord[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (!matches(endpoint.events, event.type)) continue;
      deliveries.push({
        id: newId("whd"), endpointId: endpoint.id, eventId: event.id, event, status: "pending", attempts: 0,
        lastStatus: null, lastError: null, nextAttemptAt: now, deliveredAt: null, createdAt: now,
      });
    }
  }
  await repos.webhooks.insertDeliveries(store.id, deliveries);
};

import { notFound } from "../../core/errors.ts";
import type { Page } from "../../core/ports/records.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import type { WebhookDeliveryRecord } from "../../core/ports/webhooks.ts";

/** A delivery as the API shows it (SPEC §3 Webhooks). */
export function deliveryView(d: WebhookDeliveryRecord) {
  return {
    id: d.id, endpointId: d.endpointId, eventId: d.eventId, type: d.event.type, status: d.status, attempts: d.attempts,
    lastStatus: d.lastStatus, lastError: d.lastError, nextAttemptAt: d.nextAttemptAt, deliveredAt: d.deliveredAt, createdAt: d.createdAt,
  };
}

/** A live endpoint's deliveries, newest first. */
export async function listDeliveries(repos: Repositories, storeId: string, endpointId: string, limit: number, cursor: string | null): Promise<Page<WebhookDeliveryRecord>> {
  if (!(await repos.webhooks.getEndpoint(storeId, endpointId))) throw notFound("webhook endpoint");
  return repos.webhooks.listDeliveries(storeId, endpointId, limit, cursor);
}

/** Sends a delivery again at the next worker pass, whatever its status; its attempts are kept. */
export async function replayDelivery(repos: Repositories, storeId: string, id: string, now: Date): Promise<WebhookDeliveryRecord> {
  const existing = await repos.webhooks.getDelivery(storeId, id);
  if (!existing || !(await repos.webhooks.getEndpoint(storeId, existing.endpointId))) throw notFound("webhook delivery");
  return (await repos.webhooks.replay(storeId, id, now))!;
}

import type { OutgoingEvent } from "../outgoing/events.ts";
import type { Page } from "./records.ts";

/** A merchant's webhook endpoint (SPEC §3 Webhooks). Secrets are kept as given: they key the HMAC. */
export interface WebhookEndpointRecord {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  secret: string;
  /** The secret before the last rotation, still signing until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryStatus = "pending" | "delivered" | "failed" | "dead";

/** One event for one endpoint, with the event exactly as it is sent. */
export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  event: OutgoingEvent;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** A delivery a worker holds the lease on, with what it needs to send it. */
export interface ClaimedDelivery {
  storeId: string;
  delivery: WebhookDeliveryRecord;
  endpoint: WebhookEndpointRecord;
  /** The lease taken; the result is recorded only while the worker still holds it. */
  leaseUntil: Date;
}

/** What one attempt changed. */
export interface DeliveryAttempt {
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

export interface WebhookRepository {
  insertEndpoint(storeId: string, endpoint: WebhookEndpointRecord): Promise<void>;
  /** A live (not deleted) endpoint. */
  getEndpoint(storeId: string, id: string): Promise<WebhookEndpointRecord | null>;
  /** Live endpoints, oldest first; the cursor is the last id seen. */
  listEndpoints(storeId: string, limit: number, cursor: string | null): Promise<Page<WebhookEndpointRecord>>;
  updateEndpoint(storeId: string, endpoint: WebhookEndpointRecord): Promise<void>;
  /** Soft delete; false when there was no live endpoint. Its deliveries are never sent again. */
  deleteEndpoint(storeId: string, id: string, at: Date): Promise<boolean>;
  /** Live, enabled endpoints: where the store's events go. */
  enabledEndpoints(storeId: string): Promise<WebhookEndpointRecord[]>;
  /** New deliveries; one already made for the same endpoint and event is left as it is. */
  insertDeliveries(storeId: string, deliveries: readonly WebhookDeliveryRecord[]): Promise<void>;
  /**
   * Up to `limit` deliveries due by `now` (pending or failed, of live enabled endpoints, no lease
   * running), oldest due first, across stores, leased until `leaseUntil`. Rows another transaction
   * is claiming are skipped, never waited for. `storeIds` limits the claim to those stores (a
   * worker serving some stores only; tests sharing one database).
   */
  claimDue(now: Date, leaseUntil: Date, limit: number, storeIds?: readonly string[]): Promise<ClaimedDelivery[]>;
  /** Records an attempt and ends the lease; false (nothing written) when the lease was lost. */
  recordAttempt(storeId: string, id: string, leaseUntil: Date, attempt: DeliveryAttempt): Promise<boolean>;
  getDelivery(storeId: string, id: string): Promise<WebhookDeliveryRecord | null>;
  /** An endpoint's deliveries, newest first; the cursor is the last id seen. */
  listDeliveries(storeId: string, endpointId: string, limit: number, cursor: string | null): Promise<Page<WebhookDeliveryRecord>>;
  /** Makes a delivery pending and due at `now` (attempts kept, any lease dropped); null when unknown. */
  replay(storeId: string, id: string, now: Date): Promise<WebhookDeliveryRecord | null>;
}

/**
 * Webhook endpoints and their deliveries (SPEC §3 Webhooks). A delivery is one event for one
 * endpoint, with the event as it is sent; workers claim due deliveries with a lease
 * (`lease_until`) under FOR UPDATE SKIP LOCKED, so several processes never send one at once.
 */
export const sql = `
CREATE TABLE webhook_endpoints (
  store_id text NOT NULL REFERENCES stores(id),
  id text NOT NULL,
  url text NOT NULL,
  events jsonb NOT NULL,
  description text,
  enabled boolean NOT NULL DEFAULT true,
  secret text NOT NULL,
  previous_secret text,
  previous_secret_until timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  PRIMARY KEY (store_id, id)
);

CREATE TABLE webhook_deliveries (
  store_id text NOT NULL REFERENCES stores(id),
  id text NOT NULL,
  endpoint_id text NOT NULL,
  event_id text NOT NULL,
  event jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL,
  lease_until timestamptz,
  PRIMARY KEY (store_id, id),
  FOREIGN KEY (store_id, endpoint_id) REFERENCES webhook_endpoints (store_id, id),
  UNIQUE (store_id, endpoint_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (store_id, endpoint_id, id);
`;

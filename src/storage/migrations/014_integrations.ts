/**
 * Platform connections (SPEC §6): each store's Shopify and WooCommerce webhook secrets, the
 * delivery ids seen (a repeated delivery is ignored), and what is kept of each platform order and
 * customer between deliveries, so the result depends on which deliveries came, not their order.
 */
export const sql = `
CREATE TABLE integrations (
  store_id text NOT NULL REFERENCES stores(id),
  platform text NOT NULL CHECK (platform IN ('shopify', 'woocommerce')),
  address text NOT NULL,
  webhook_secret text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, platform)
);

CREATE TABLE platform_deliveries (
  store_id text NOT NULL REFERENCES stores(id),
  platform text NOT NULL,
  delivery_id text NOT NULL,
  topic text NOT NULL,
  result text NOT NULL CHECK (result IN ('applied', 'ignored', 'failed')),
  error text,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, platform, delivery_id)
);
CREATE INDEX platform_deliveries_recent ON platform_deliveries (store_id, platform, received_at DESC);

CREATE TABLE platform_orders (
  store_id text NOT NULL REFERENCES stores(id),
  platform text NOT NULL,
  order_id text NOT NULL,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, platform, order_id)
);

CREATE TABLE platform_customers (
  store_id text NOT NULL REFERENCES stores(id),
  platform text NOT NULL,
  customer_id text NOT NULL,
  version timestamptz,
  PRIMARY KEY (store_id, platform, customer_id)
);
`;

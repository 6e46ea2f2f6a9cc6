/** Orders as last received, and what each order rule awarded for them (so edits reconcile exactly). */
export const sql = `
CREATE TABLE orders (
  store_id          text NOT NULL REFERENCES stores(id),
  id                text NOT NULL,
  member_id         text,
  channel           text NOT NULL,
  body              jsonb NOT NULL,
  placed_at         timestamptz NOT NULL,
  source_updated_at timestamptz,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX orders_member ON orders (store_id, member_id, placed_at);

CREATE TABLE order_awards (
  store_id      text NOT NULL,
  order_id      text NOT NULL,
  rule_id       text NOT NULL,
  rule_version  integer NOT NULL,
  member_id     text NOT NULL,
  lot_ids       jsonb NOT NULL,
  initial       bigint NOT NULL,
  awarded       bigint NOT NULL,
  reversed      bigint NOT NULL DEFAULT 0,
  cap_cut       bigint NOT NULL DEFAULT 0,
  factors       jsonb NOT NULL,
  earned_at     timestamptz NOT NULL,
  available_at  timestamptz NOT NULL,
  expires_at    timestamptz,
  explanation   jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (store_id, order_id, rule_id)
);
`;

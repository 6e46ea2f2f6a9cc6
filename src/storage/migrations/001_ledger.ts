/** Every tenant table's key leads with store_id so the schema can be distributed by store. */
export const sql = `
CREATE TABLE stores (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  currency     text NOT NULL,
  timezone     text NOT NULL,
  sandbox      boolean NOT NULL DEFAULT false,
  clock_now    timestamptz,
  program      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  store_id     text NOT NULL REFERENCES stores(id),
  id           text NOT NULL,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('viewer', 'points_manager', 'admin')),
  key_hash     text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  PRIMARY KEY (store_id, id),
  UNIQUE (store_id, key_hash)
);

CREATE TABLE members (
  store_id     text NOT NULL REFERENCES stores(id),
  member_id    text NOT NULL,
  email        text,
  phone        text,
  birthday     text,
  tier         text,
  tags         jsonb NOT NULL DEFAULT '[]',
  is_member    boolean NOT NULL DEFAULT true,
  language     text,
  balance      bigint NOT NULL DEFAULT 0,
  pending      bigint NOT NULL DEFAULT 0,
  held         bigint NOT NULL DEFAULT 0,
  debt         bigint NOT NULL DEFAULT 0 CHECK (debt >= 0),
  seq          bigint NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (store_id, member_id)
);

CREATE TABLE lots (
  store_id     text NOT NULL,
  id           text NOT NULL,
  member_id    text NOT NULL,
  points       bigint NOT NULL CHECK (points > 0),
  remaining    bigint NOT NULL CHECK (remaining >= 0 AND remaining <= points),
  status       text NOT NULL CHECK (status IN ('pending', 'available')),
  earned_at    timestamptz NOT NULL,
  available_at timestamptz NOT NULL,
  expires_at   timestamptz,
  source_type  text NOT NULL,
  source_ref   text,
  reminded_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, id),
  FOREIGN KEY (store_id, member_id) REFERENCES members(store_id, member_id)
);
CREATE INDEX lots_open ON lots (store_id, member_id) WHERE remaining > 0 OR status = 'pending';
CREATE INDEX lots_maturing ON lots (store_id, available_at) WHERE status = 'pending';
CREATE INDEX lots_expiring ON lots (store_id, expires_at) WHERE status = 'available' AND remaining > 0 AND expires_at IS NOT NULL;

CREATE TABLE entries (
  store_id      text NOT NULL,
  id            text NOT NULL,
  member_id     text NOT NULL,
  seq           bigint NOT NULL,
  type          text NOT NULL,
  points        bigint NOT NULL,
  delta         bigint NOT NULL,
  balance_after bigint NOT NULL,
  at            timestamptz NOT NULL,
  actor         text NOT NULL,
  reason        text,
  source_type   text NOT NULL,
  source_ref    text,
  lot_id        text,
  hold_id       text,
  explanation   jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, id),
  UNIQUE (store_id, member_id, seq)
);

CREATE TABLE allocations (
  store_id     text NOT NULL,
  entry_id     text NOT NULL,
  ord          integer NOT NULL,
  member_id    text NOT NULL,
  lot_id       text NOT NULL,
  points       bigint NOT NULL,
  PRIMARY KEY (store_id, entry_id, ord)
);
CREATE INDEX allocations_lot ON allocations (store_id, lot_id);

CREATE TABLE holds (
  store_id     text NOT NULL,
  id           text NOT NULL,
  member_id    text NOT NULL,
  points       bigint NOT NULL CHECK (points > 0),
  status       text NOT NULL CHECK (status IN ('held', 'captured', 'released')),
  expires_at   timestamptz NOT NULL,
  entry_id     text NOT NULL,
  source_type  text NOT NULL,
  source_ref   text,
  allocations  jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, id)
);
CREATE INDEX holds_open ON holds (store_id, member_id) WHERE status = 'held';
CREATE INDEX holds_expiring ON holds (store_id, expires_at) WHERE status = 'held';

CREATE TABLE redeem_methods (
  store_id     text NOT NULL REFERENCES stores(id),
  id           text NOT NULL,
  type         text NOT NULL,
  config       jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  PRIMARY KEY (store_id, id)
);

CREATE TABLE redemptions (
  store_id       text NOT NULL,
  id             text NOT NULL,
  member_id      text NOT NULL,
  method_id      text NOT NULL,
  type           text NOT NULL,
  status         text NOT NULL CHECK (status IN ('held', 'completed', 'released')),
  points         bigint NOT NULL,
  discount       bigint,
  order_id       text,
  hold_id        text,
  entitlement_id text,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX redemptions_hold ON redemptions (store_id, hold_id);

CREATE TABLE entitlements (
  store_id        text NOT NULL,
  id              text NOT NULL,
  member_id       text NOT NULL,
  redemption_id   text NOT NULL,
  sku             text NOT NULL,
  units           bigint NOT NULL CHECK (units > 0),
  units_remaining bigint NOT NULL CHECK (units_remaining >= 0 AND units_remaining <= units),
  expires_at      timestamptz,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX entitlements_member ON entitlements (store_id, member_id);

CREATE TABLE entitlement_uses (
  store_id        text NOT NULL,
  id              text NOT NULL,
  entitlement_id  text NOT NULL,
  units           bigint NOT NULL CHECK (units > 0),
  actor           text NOT NULL,
  at              timestamptz NOT NULL,
  PRIMARY KEY (store_id, id)
);

CREATE TABLE audit_log (
  store_id     text NOT NULL,
  id           text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  action       text NOT NULL,
  entity_type  text NOT NULL,
  entity_id    text NOT NULL,
  before       jsonb,
  after        jsonb,
  PRIMARY KEY (store_id, id)
);

CREATE TABLE idempotency (
  store_id     text NOT NULL,
  scope        text NOT NULL,
  key          text NOT NULL,
  fingerprint  text NOT NULL,
  status_code  integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, scope, key)
);

CREATE TABLE outbox (
  store_id     text NOT NULL,
  id           text NOT NULL,
  topic        text NOT NULL,
  member_id    text,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  PRIMARY KEY (store_id, id)
);
`;

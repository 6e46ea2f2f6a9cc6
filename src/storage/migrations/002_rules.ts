/** Earn rules with versions, the engine's counters and once-keys, recorded events, and tiers. */
export const sql = `
CREATE TABLE earn_rules (
  store_id        text NOT NULL REFERENCES stores(id),
  id              text NOT NULL,
  current_version integer NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  deleted_at      timestamptz,
  PRIMARY KEY (store_id, id)
);

-- Every edit is a new version in force from its effective_from; events use the version in force
-- when they occurred, so an edit never changes what earlier events earned.
CREATE TABLE earn_rule_versions (
  store_id        text NOT NULL,
  rule_id         text NOT NULL,
  version         integer NOT NULL,
  event           text NOT NULL,
  definition      jsonb,
  effective_from  timestamptz NOT NULL,
  actor           text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, rule_id, version)
);
CREATE INDEX earn_rule_versions_event ON earn_rule_versions (store_id, event);

CREATE TABLE rule_counters (
  store_id   text NOT NULL,
  member_id  text NOT NULL,
  rule_id    text NOT NULL,
  period     text NOT NULL,
  points     bigint NOT NULL DEFAULT 0,
  times      bigint NOT NULL DEFAULT 0,
  units      double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, member_id, rule_id, period)
);

CREATE TABLE rule_once (
  store_id   text NOT NULL,
  rule_id    text NOT NULL,
  owner      text NOT NULL,
  key        text NOT NULL,
  member_id  text NOT NULL,
  source_ref text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, rule_id, owner, key)
);

CREATE TABLE events (
  store_id     text NOT NULL,
  id           text NOT NULL,
  type         text NOT NULL,
  member_id    text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  channel      text NOT NULL,
  properties   jsonb NOT NULL,
  points       bigint NOT NULL DEFAULT 0,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX events_member ON events (store_id, member_id, occurred_at);

CREATE TABLE tiers (
  store_id      text NOT NULL REFERENCES stores(id),
  code          text NOT NULL,
  name          text NOT NULL,
  rank          integer NOT NULL,
  multiplier    numeric NOT NULL DEFAULT 1,
  qualification jsonb,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (store_id, code)
);

ALTER TABLE members ADD COLUMN manual_tier text;
`;

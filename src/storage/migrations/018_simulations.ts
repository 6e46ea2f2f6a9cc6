/**
 * Simulations (SPEC §8): each order update as it arrived (the replay's input); what was asked and the report, kept so the back office can show a run
 * again; and the assistant's proposals, with when one was applied (the 7-day wait reads it).
 */
export const sql = `
-- Every accepted order update as it arrived, so a replay sends the same updates in the same order.
CREATE TABLE order_updates (
  store_id  text NOT NULL REFERENCES stores(id),
  id        text NOT NULL,
  order_id  text NOT NULL,
  at        timestamptz NOT NULL,
  body      jsonb NOT NULL,
  PRIMARY KEY (store_id, id)
);

CREATE TABLE simulations (
  store_id    text NOT NULL REFERENCES stores(id),
  id          text NOT NULL,
  status      text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  input       jsonb NOT NULL,
  result      jsonb,
  error       text,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL,
  finished_at timestamptz,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX simulations_running ON simulations (created_at) WHERE status = 'running';

CREATE TABLE assistant_proposals (
  store_id          text NOT NULL REFERENCES stores(id),
  id                text NOT NULL,
  summary           text NOT NULL,
  explanation       text NOT NULL,
  document          jsonb NOT NULL,
  simulation        jsonb NOT NULL,
  target_cost_share double precision NOT NULL,
  created_by        text NOT NULL,
  created_at        timestamptz NOT NULL,
  applied_at        timestamptz,
  applied_by        text,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX assistant_proposals_applied ON assistant_proposals (store_id, applied_at) WHERE applied_at IS NOT NULL;
`;

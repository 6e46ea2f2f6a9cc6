/**
 * Outgoing events (SPEC §3) get the instant they happened, a sequence for the event feed, and the
 * id of the transaction that wrote them: the feed shows an event only once every transaction that
 * could have written an earlier one has ended, so a reader following `after` never skips one.
 * `dispatched_at` marks an event handed on to webhooks and notifications.
 */
export const sql = `
ALTER TABLE outbox ADD COLUMN occurred_at timestamptz;
UPDATE outbox SET occurred_at = created_at;
ALTER TABLE outbox ALTER COLUMN occurred_at SET NOT NULL;
ALTER TABLE outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE outbox ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE outbox RENAME COLUMN delivered_at TO dispatched_at;
CREATE UNIQUE INDEX outbox_feed ON outbox (store_id, seq);
CREATE INDEX outbox_undispatched ON outbox (store_id, seq) WHERE dispatched_at IS NULL;
`;

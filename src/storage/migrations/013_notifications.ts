/**
 * Member notifications (SPEC §3): one row per message an outgoing event makes, written when the
 * event is dispatched with its text already rendered, then sent by the delivery worker. The unique
 * key keeps a re-dispatched event from making a second message on one channel; `lease_until`
 * lets several workers share the due ones without sending one twice.
 */
export const sql = `
CREATE TABLE notifications (
  store_id        text NOT NULL REFERENCES stores(id),
  id              text NOT NULL,
  member_id       text NOT NULL,
  event_id        text NOT NULL,
  scenario        text NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('email', 'sms')),
  "to"            text,
  status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  reason          text,
  subject         text,
  text            text NOT NULL,
  html            text,
  language        text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz,
  sent_at         timestamptz,
  lease_until     timestamptz,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (store_id, id),
  UNIQUE (store_id, event_id, channel)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_member ON notifications (store_id, member_id, id);
`;

import type { Channel } from "../../core/notifications/decide.ts";
import type { Scenario } from "../../core/notifications/scenarios.ts";
import type { ClaimedNotification, NotificationRecord, NotificationRepository, NotificationStatus } from "../../core/ports/notifications.ts";
import { json, type Sql, write } from "../sql.ts";

interface NotificationRow {
  id: string;
  member_id: string;
  event_id: string;
  scenario: Scenario;
  channel: Channel;
  to: string | null;
  status: NotificationStatus;
  reason: string | null;
  subject: string | null;
  text: string;
  html: string | null;
  language: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
}

const toRecord = (r: NotificationRow): NotificationRecord => ({
  id: r.id, memberId: r.member_id, eventId: r.event_id, scenario: r.scenario, channel: r.channel, to: r.to, status: r.status,
  reason: r.reason, subject: r.subject ?? "", text: r.text, html: r.html ?? "", language: r.language, attempts: Number(r.attempts),
  lastError: r.last_error, nextAttemptAt: r.next_attempt_at, sentAt: r.sent_at, createdAt: r.created_at,
});

export function notificationRepository(sql: Sql): NotificationRepository {
  return {
    async recipients(storeId, memberIds) {
      if (memberIds.length === 0) return new Map();
      const rows = await sql.query<{ member_id: string; email: string | null; phone: string | null; language: string | null }>(
        "SELECT member_id, email, phone, language FROM members WHERE store_id = $1 AND member_id = ANY($2::text[])",
        [storeId, [...memberIds]]);
      return new Map(rows.map((r) => [r.member_id, { email: r.email, phone: r.phone, language: r.language }]));
    },
    async insert(storeId, rows) {
      if (rows.length === 0) return;
      await write(sql,
        `INSERT INTO notifications (store_id, id, member_id, event_id, scenario, channel, "to", status, reason, subject, text, html, language, next_attempt_at, created_at)
         SELECT $1, x.id, x.member_id, x.event_id, x.scenario, x.channel, x."to", x.status, x.reason, x.subject, x.text, x.html, x.language,
                CASE WHEN x.status = 'pending' THEN x.created_at END, x.created_at
         FROM jsonb_to_recordset($2::jsonb) AS x(id text, member_id text, event_id text, scenario text, channel text, "to" text, status text,
           reason text, subject text, text text, html text, language text, created_at timestamptz)
         ON CONFLICT (store_id, event_id, channel) DO NOTHING`,
        [storeId, json(rows.map((n) => ({
          id: n.id, member_id: n.memberId, event_id: n.eventId, scenario: n.scenario, channel: n.channel, to: n.to, status: n.status,
          reason: n.reason, subject: n.subject, text: n.text, html: n.html, language: n.language, created_at: n.createdAt.toISOString(),
        })))]);
    },
    async claimDue(now, leaseUntil, limit) {
      const rows = await sql.query<{ store_id: string; id: string; channel: Channel; to: string; subject: string | null; text: string; html: string | null; attempts: number }>(
        `UPDATE notifications n SET lease_until = $2
         FROM (SELECT store_id, id FROM notifications
               WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
               ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
         WHERE n.store_id = due.store_id AND n.id = due.id
         RETURNING n.store_id, n.id, n.channel, n."to", n.subject, n.text, n.html, n.attempts`,
        [now, leaseUntil, limit]);
      return rows.map((r): ClaimedNotification => ({
        storeId: r.store_id, id: r.id, channel: r.channel, to: r.to, subject: r.subject ?? "", text: r.text, html: r.html ?? "", attempts: Number(r.attempts),
      }));
    },
    async markSent(storeId, id, at) {
      await write(sql,
        `UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = $3, last_error = NULL, next_attempt_at = NULL, lease_until = NULL
         WHERE store_id = $1 AND id = $2 AND status = 'pending'`, [storeId, id, at]);
    },
    async markFailed(storeId, id, error, retryAt) {
      await write(sql,
        `UPDATE notifications SET attempts = attempts + 1, last_error = $3, lease_until = NULL,
           status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, next_attempt_at = $4
         WHERE store_id = $1 AND id = $2 AND status = 'pending'`, [storeId, id, error, retryAt]);
    },
    async list(storeId, memberId, limit, cursor) {
      const rows = await sql.query<NotificationRow>(
        `SELECT * FROM notifications WHERE store_id = $1 AND member_id = $2 AND ($3::text IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4`, [storeId, memberId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toRecord);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
  };
}

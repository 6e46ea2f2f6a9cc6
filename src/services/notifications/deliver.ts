import type { Channel } from "../../core/notifications/decide.ts";
import type { ClaimedNotification } from "../../core/ports/notifications.ts";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BASE_MS, isDead, nextAttemptDelay } from "../../core/webhooks/retry.ts";
import type { EmailTransport } from "../../delivery/email.ts";
import type { NotConfigured, SendResult } from "../../delivery/message-result.ts";
import type { SmsTransport } from "../../delivery/sms.ts";
import type { Services } from "../context.ts";

/** The operator's transports, as `createEmailTransport` / `createSmsTransport` return them. */
export interface NotificationTransports {
  email?: EmailTransport | NotConfigured;
  sms?: SmsTransport | NotConfigured;
}

export interface DeliveryOptions {
  /** At most this many messages per run. */
  limit: number;
  /** The delay before the first retry; doubled after each failure, with jitter. */
  retryBaseMs?: number;
  /** After this many failed attempts a message is `failed` for good. */
  maxAttempts?: number;
  /** Wall time for the run; the clock's unless given. */
  now?: Date;
  /** How long a claimed message is kept from other workers; longer than any one send. */
  leaseMs?: number;
  /** Messages sent at once. */
  concurrency?: number;
  /** For repeatable jitter in tests. */
  random?: () => number;
}

export interface DeliveryReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** The same outcomes, per channel (for metrics). */
  byChannel: Record<Channel, { sent: number; retried: number; failed: number }>;
}

const DEFAULT_LEASE_MS = 2 * 60_000;
const DEFAULT_CONCURRENCY = 8;

/**
 * Sends due member messages (SPEC §3 Member notifications): claims them with a lease in one short
 * transaction, sends outside any transaction (so a slow SMTP server or SMS adapter never holds
 * database locks), and records each result in a short transaction of its own. A refusal that no
 * retry mends, or the last allowed attempt, makes the message `failed`; others are tried again later.
 */
export async function runNotificationDeliveries(services: Services, transports: NotificationTransports, options: DeliveryOptions): Promise<DeliveryReport> {
  const now = options.now ?? services.clock.now();
  const leaseUntil = new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS));
  const claimed = await services.tx.run((repos) => repos.notifications.claimDue(now, leaseUntil, options.limit));
  const report: DeliveryReport = {
    claimed: claimed.length, sent: 0, retried: 0, failed: 0,
    byChannel: { email: { sent: 0, retried: 0, failed: 0 }, sms: { sent: 0, retried: 0, failed: 0 } },
  };
  const queue = [...claimed];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const outcome = await deliverOne(services, transports, next, options, now);
      report[outcome]++;
      report.byChannel[next.channel][outcome]++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length)) }, worker));
  return report;
}

async function deliverOne(services: Services, transports: NotificationTransports, n: ClaimedNotification, options: DeliveryOptions, now: Date): Promise<"sent" | "retried" | "failed"> {
  const result = await send(transports, n);
  const at = options.now ?? services.clock.now();
  if (result.ok) {
    await services.tx.run((repos) => repos.notifications.markSent(n.storeId, n.id, at));
    return "sent";
  }
  const attempts = n.attempts + 1;
  const final = !result.retryable || isDead(attempts, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const retryAt = final
    ? null
    : new Date(now.getTime() + nextAttemptDelay(attempts, { baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS, random: options.random ?? Math.random }));
  await services.tx.run((repos) => repos.notifications.markFailed(n.storeId, n.id, result.error, retryAt));
  return final ? "failed" : "retried";
}

async function send(transports: NotificationTransports, n: ClaimedNotification): Promise<SendResult> {
  const channel: Channel = n.channel;
  if (channel === "email") {
    const t = transports.email;
    if (!t?.configured) return { ok: false, error: t?.reason ?? "email is not configured", retryable: false };
    return t.send({ to: n.to, subject: n.subject, text: n.text, html: n.html, messageId: n.id });
  }
  const t = transports.sms;
  if (!t?.configured) return { ok: false, error: t?.reason ?? "SMS is not configured", retryable: false };
  return t.send({ messageId: n.id, to: n.to, text: n.text, storeId: n.storeId });
}

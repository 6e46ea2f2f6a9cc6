import type { Env } from "../config/env.ts";
import { createEmailTransport } from "../delivery/email.ts";
import { createSmsTransport } from "../delivery/sms.ts";
import type { Metrics } from "../metrics.ts";
import type { Services } from "../services/context.ts";
import { dispatchOutgoing, type FanOut } from "../services/dispatch.ts";
import { runNotificationDeliveries } from "../services/notifications/deliver.ts";
import { notificationFanOut } from "../services/notifications/fan-out.ts";
import { runWebhookDeliveries } from "../services/webhooks/deliver.ts";
import { webhookFanOut } from "../services/webhooks/fan-out.ts";
import type { OutgoingWork } from "./outgoing-loop.ts";

/** Counts the ledger entries that moved points, as their events are handed on (committed ones only). */
function entryCounter(metrics: Metrics): FanOut {
  return async (_repos, _store, events) => {
    for (const e of events) if (e.type === "member.points_changed") metrics.ledgerEntries.inc({ type: String(e.data.entryType) });
  };
}

/** Rows one sending pass claims. */
const CLAIM = 100;
/** Passes run back to back while there is more to send, before the loop's next interval. */
const MAX_PASSES = 20;

/** Runs `pass` again at once while it found a full claim waiting (a backlog), up to MAX_PASSES. */
async function untilDrained(pass: () => Promise<number>): Promise<void> {
  for (let i = 0; i < MAX_PASSES; i++) if ((await pass()) < CLAIM) return;
}

/**
 * The server's outgoing work, in the order each pass runs it: hand new events on (webhook
 * deliveries, member messages, entry counts), then send due webhook deliveries, then due messages.
 */
export function outgoingWorks(services: Services, env: Env, metrics: Metrics): { handOn: OutgoingWork; senders: OutgoingWork[]; close(): Promise<void> } {
  const email = createEmailTransport({ smtpUrl: env.POINTBOOK_SMTP_URL, from: env.POINTBOOK_MAIL_FROM });
  const sms = createSmsTransport({ url: env.POINTBOOK_SMS_URL, token: env.POINTBOOK_SMS_TOKEN });
  const fanOuts = [webhookFanOut, notificationFanOut({ email: email.configured, sms: sms.configured }), entryCounter(metrics)];
  const retry = { retryBaseMs: env.POINTBOOK_WEBHOOK_RETRY_BASE_MS, maxAttempts: env.POINTBOOK_WEBHOOK_MAX_ATTEMPTS };
  return {
    handOn: { name: "dispatch", run: () => dispatchOutgoing(services, fanOuts) },
    senders: [
      {
        name: "webhooks",
        run: () => untilDrained(async () => {
          const r = await runWebhookDeliveries(services, { ...retry, allowPrivate: env.POINTBOOK_WEBHOOK_ALLOW_PRIVATE, leaseMs: env.POINTBOOK_WEBHOOK_LEASE_MS, limit: CLAIM });
          metrics.webhookDeliveries.inc({ result: "delivered" }, r.delivered);
          metrics.webhookDeliveries.inc({ result: "failed" }, r.failed);
          metrics.webhookDeliveries.inc({ result: "dead" }, r.dead);
          metrics.webhookDeliveries.inc({ result: "lost" }, r.lost);
          return r.claimed;
        }),
      },
      {
        name: "notifications",
        run: () => untilDrained(async () => {
          const r = await runNotificationDeliveries(services, { email, sms }, { ...retry, limit: CLAIM });
          for (const [channel, counts] of Object.entries(r.byChannel)) {
            for (const [result, n] of Object.entries(counts)) metrics.notifications.inc({ channel, result }, n);
          }
          return r.claimed;
        }),
      },
    ],
    async close() {
      if (email.configured) email.close();
    },
  };
}

import type { ClaimedDelivery, DeliveryAttempt } from "../../core/ports/webhooks.ts";
import { isDead, nextAttemptDelay } from "../../core/webhooks/retry.ts";
import type { LookupAll } from "../../delivery/webhooks/address-guard.ts";
import { DEFAULT_TIMEOUT_MS, sendWebhook, type WebhookSendResult } from "../../delivery/webhooks/send.ts";
import type { Services } from "../context.ts";
import { signingSecrets } from "./endpoints.ts";
import { groupCommit } from "../group-commit.ts";

export interface WebhookRunOptions {
  /** POINTBOOK_WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** POINTBOOK_WEBHOOK_RETRY_BASE_MS. */
  retryBaseMs: number;
  /** POINTBOOK_WEBHOOK_MAX_ATTEMPTS. */
  maxAttempts: number;
  /** Deliveries claimed in one pass. */
  limit: number;
  /** What due means and when attempts are recorded; the services' clock unless given. */
  now?: Date;
  /** Sends at once; a slow endpoint holds one slot, never the pass. */
  concurrency?: number;
  /** How long claimed deliveries stay with this worker (POINTBOOK_WEBHOOK_LEASE_MS); `timeoutMs` plus 60 s unless given. */
  leaseMs?: number;
  /** Per attempt (10 s unless given). */
  timeoutMs?: number;
  random?: () => number;
  lookup?: LookupAll;
  /** Only these stores' deliveries (tests sharing one database); every store's unless given. */
  storeIds?: readonly string[];
}

export interface WebhookRunReport {
  claimed: number;
  delivered: number;
  failed: number;
  dead: number;
  /** Results not recorded because the lease ran out first (another worker may have sent it). */
  lost: number;
  /** Not sent: too little of the lease was left to finish an attempt; sent after the lease ends. */
  left: number;
}

export const DEFAULT_CONCURRENCY = 8;
/** Longer than any attempt can take, so a lease only runs out when its worker died. */
const LEASE_MARGIN_MS = 60_000;

/**
 * One pass of the delivery worker: claims due deliveries (each under a lease, in a transaction of
 * its own), sends them outside any transaction, a few at once, and records each result in a short
 * transaction: delivered, failed with the next attempt's time, or dead after `maxAttempts`.
 */
export async function runWebhookDeliveries(services: Services, options: WebhookRunOptions): Promise<WebhookRunReport> {
  const now = () => options.now ?? services.clock.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const claimedAt = now();
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  // The lease covers the whole pass even if every send runs into its time-out, so in the normal
  // case no other process claims a delivery this one is still going to send.
  const passMs = timeoutMs * Math.ceil(Math.max(1, options.limit) / Math.max(1, concurrency));
  const leaseUntil = new Date(claimedAt.getTime() + (options.leaseMs ?? passMs + LEASE_MARGIN_MS));
  const claimed = await services.tx.run((repos) => repos.webhooks.claimDue(claimedAt, leaseUntil, options.limit, options.storeIds));
  const report: WebhookRunReport = { claimed: claimed.length, delivered: 0, failed: 0, dead: 0, lost: 0, left: 0 };
  // Results that come in together are recorded in one transaction (each with its own answer), so
  // a pass pays one commit per handful of deliveries rather than one per delivery.
  const results = groupCommit<{ storeId: string; id: string; leaseUntil: Date; attempt: DeliveryAttempt }, boolean>({
    maxBatch: 64,
    maxInFlight: 1,
    runBatch: (_key, items) => services.tx.run(async (repos) => {
      const recorded: boolean[] = [];
      for (const r of items) recorded.push(await repos.webhooks.recordAttempt(r.storeId, r.id, r.leaseUntil, r.attempt));
      return recorded;
    }),
  });

  await eachBounded(claimed, concurrency, async (c) => {
    // Too little lease left to finish an attempt: leave it to whoever claims it when the lease ends.
    if (now().getTime() + timeoutMs > c.leaseUntil.getTime()) {
      report.left++;
      return;
    }
    const result = await sendWebhook({
      url: c.endpoint.url, event: c.delivery.event, secrets: signingSecrets(c.endpoint, now()), allowPrivate: options.allowPrivate,
      timeoutMs, lookup: options.lookup,
    });
    const attempt = outcome(c, result, now(), options);
    const recorded = await results.submit("results", { storeId: c.storeId, id: c.delivery.id, leaseUntil: c.leaseUntil, attempt });
    if (!recorded) report.lost++;
    else report[attempt.status === "delivered" ? "delivered" : attempt.status === "dead" ? "dead" : "failed"]++;
  });
  return report;
}

function outcome(c: ClaimedDelivery, result: WebhookSendResult, at: Date, options: WebhookRunOptions): DeliveryAttempt {
  const attempts = c.delivery.attempts + 1;
  const lastStatus = result.status ?? null;
  if (result.ok) return { status: "delivered", attempts, lastStatus, lastError: null, nextAttemptAt: null, deliveredAt: at };
  if (isDead(attempts, options.maxAttempts)) return { status: "dead", attempts, lastStatus, lastError: result.error, nextAttemptAt: null, deliveredAt: null };
  const delay = nextAttemptDelay(attempts, { baseMs: options.retryBaseMs, random: options.random ?? Math.random });
  return { status: "failed", attempts, lastStatus, lastError: result.error, nextAttemptAt: new Date(at.getTime() + delay), deliveredAt: null };
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

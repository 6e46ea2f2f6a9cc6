import type { Services } from "./context.ts";

/** Idempotency-Key headers share one key space per store, whatever the route. */
export const REQUEST_KEY_SCOPE = "request";

/** How long a request's Idempotency-Key is kept before it may be reused (default 24 h). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/**
 * Forgets request keys past their time, a bounded number per call so one call stays short; the
 * scheduler calls it every tick. A key past its time is reusable even before it is forgotten.
 */
export async function forgetExpiredKeys(services: Services, limit = 5_000): Promise<number> {
  const before = new Date(services.clock.now().getTime() - (services.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS));
  return services.tx.run((repos) => repos.idempotency.purge(REQUEST_KEY_SCOPE, before, limit));
}

/**
 * When a failed webhook delivery is tried again (SPEC §3 Webhooks): exponential backoff from
 * `POINTBOOK_WEBHOOK_RETRY_BASE_MS`, doubling each time, with jitter, up to a ceiling; after
 * `POINTBOOK_WEBHOOK_MAX_ATTEMPTS` attempts the delivery is `dead`.
 */
export const DEFAULT_RETRY_BASE_MS = 30_000;
export const DEFAULT_MAX_ATTEMPTS = 12;
/** No endpoint waits longer than this between two attempts, however many have failed. */
export const MAX_RETRY_DELAY_MS = 6 * 60 * 60 * 1000;

export interface RetryOptions {
  /** The delay before the first retry (before jitter). */
  baseMs?: number;
  /** A number in [0, 1), as Math.random gives; injected so tests and the simulator are repeatable. */
  random: () => number;
  /** Ceiling on the delay before jitter; MAX_RETRY_DELAY_MS unless given. */
  capMs?: number;
}

/**
 * Milliseconds to wait before the next attempt, after `attempt` attempts have failed (1 after the
 * first). The un-jittered delay is baseMs · 2^(attempt-1), capped.
 *
 * Equal jitter (half fixed, half random) rather than full jitter: a struggling endpoint always gets
 * at least half the backoff as a pause, while deliveries that failed together (an endpoint that was
 * down) still spread out over the other half instead of coming back as one burst.
 */
export function nextAttemptDelay(attempt: number, options: RetryOptions): number {
  const base = Math.max(0, options.baseMs ?? DEFAULT_RETRY_BASE_MS);
  const cap = Math.max(0, options.capMs ?? MAX_RETRY_DELAY_MS);
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // 2^52 is far past any cap; bounding the exponent keeps the product finite.
  const exponential = Math.min(cap, base * 2 ** Math.min(n - 1, 52));
  const r = clampUnit(options.random());
  const half = exponential / 2;
  return Math.floor(half + r * half);
}

/** True once `attempts` attempts have been made and none succeeded: no more retries. */
export function isDead(attempts: number, maxAttempts: number = DEFAULT_MAX_ATTEMPTS): boolean {
  return attempts >= maxAttempts;
}

function clampUnit(r: number): number {
  if (!Number.isFinite(r) || r < 0) return 0;
  return r >= 1 ? 1 : r;
}

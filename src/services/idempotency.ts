import { DomainError } from "../core/errors.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { Services } from "./context.ts";

export interface IdempotentResponse {
  statusCode: number;
  body: unknown;
  replayed: boolean;
}

/** Idempotency-Key headers share one key space per store, whatever the route. */
export const REQUEST_KEY_SCOPE = "request";

/** How long a request's Idempotency-Key is kept before it may be reused (default 24 h). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface IdempotencyRequest {
  storeId: string;
  /** Separates key spaces (e.g. events use their own id as key). */
  scope: string;
  /** How long the key is kept; null = forever. */
  ttlMs: number | null;
  key: string;
  /** Hash of the request; the same key with another body is a conflict. */
  fingerprint: string;
}

/**
 * Runs `work` once per key. The key, the request's fingerprint and the response are stored in the
 * same transaction as the change; a refusal is stored too, so a retry is refused the same way.
 */
export async function runIdempotent(
  services: Services,
  request: IdempotencyRequest,
  work: (repos: Repositories) => Promise<{ statusCode: number; body: unknown; storedBody?: unknown }>,
  toStoredError: (error: DomainError) => { statusCode: number; body: unknown },
): Promise<IdempotentResponse> {
  return services.tx.run(async (repos) => {
    const now = services.clock.now();
    const reuseBefore = request.ttlMs === null ? null : new Date(now.getTime() - request.ttlMs);
    const claim = await repos.idempotency.claim(request.storeId, request.scope, request.key, request.fingerprint, now, reuseBefore);
    if (claim !== "claimed") {
      if (claim.fingerprint !== request.fingerprint) {
        throw new DomainError("idempotency_conflict", "this idempotency key was used with a different request");
      }
      return { statusCode: claim.statusCode, body: claim.body, replayed: true };
    }
    let result: { statusCode: number; body: unknown; storedBody?: unknown };
    try {
      result = await repos.savepoint(() => work(repos));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      result = toStoredError(error);
    }
    // A secret shown once (a new API key) is never stored: a replay gets the response without it.
    await repos.idempotency.complete(request.storeId, request.scope, request.key, result.statusCode, result.storedBody ?? result.body);
    return { statusCode: result.statusCode, body: result.body, replayed: false };
  });
}

/**
 * Forgets request keys past their time, a bounded number per call so one call stays short; the
 * scheduler calls it every tick. A key past its time is reusable even before it is forgotten.
 */
export async function forgetExpiredKeys(services: Services, limit = 5_000): Promise<number> {
  const before = new Date(services.clock.now().getTime() - (services.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS));
  return services.tx.run((repos) => repos.idempotency.purge(REQUEST_KEY_SCOPE, before, limit));
}

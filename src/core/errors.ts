/**
 * Expected refusals that travel as exceptions across layers. The HTTP layer maps `code` to a status
 * in one place (src/http/errors.ts); nothing else builds error bodies.
 */
export type ErrorCode =
  | "validation_failed"
  | "not_found"
  | "unauthorized"
  | "invalid_token"
  | "assistant_cooldown"
  | "forbidden"
  | "insufficient_points"
  | "insufficient_units"
  | "idempotency_conflict"
  | "program_disabled"
  | "occurred_in_future"
  | "conflict"
  | "not_sandbox"
  | "clock_backwards"
  | "invalid_state"
  | "expired"
  | "invalid_json"
  | "body_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "exceeds_order_limit"
  | "coupon_conditions_not_met";

export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export function notFound(what: string): DomainError {
  return new DomainError("not_found", `${what} was not found`);
}

export function invalid(path: string, message: string): DomainError {
  return new DomainError("validation_failed", `${path}: ${message}`, { errors: [{ path, message }] });
}

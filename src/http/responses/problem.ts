import { z } from "zod";
import type { ErrorCode } from "../../core/errors.ts";
import { named } from "./common.ts";

/** Every error code: the compiler checks that each code of ErrorCode is listed here. */
const CODES = {
  validation_failed: true, not_found: true, unauthorized: true, invalid_token: true, forbidden: true, insufficient_points: true,
  insufficient_units: true, idempotency_conflict: true, program_disabled: true, occurred_in_future: true, conflict: true,
  not_sandbox: true, clock_backwards: true, invalid_state: true, expired: true, invalid_json: true, body_too_large: true,
  unsupported_media_type: true, rate_limited: true, exceeds_order_limit: true, coupon_conditions_not_met: true, assistant_cooldown: true,
} as const;
const everyCodeListed: Record<ErrorCode, true> = CODES;

export const ERROR_CODES = Object.keys(everyCodeListed) as [ErrorCode, ...ErrorCode[]];

export const fieldError = z.object({
  path: z.string().describe("The field, dotted (`lines.0.amount`), or `body`, `url`, a header name"),
  message: z.string(),
});

/** RFC 9457 problem details, as every refusal is answered (src/http/errors.ts builds them). */
export const problem = named("Problem", z.looseObject({
  type: z.string().describe("A URI naming the kind of problem"),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  code: z.enum(ERROR_CODES).describe("Stable and machine-readable: branch on this, not on the title"),
  errors: z.array(fieldError).optional().describe("With `validation_failed`: one item per field in error"),
  retryAfter: z.number().int().optional().describe("With `assistant_cooldown`: seconds until the assistant may be applied again"),
  availableAt: z.string().optional().describe("With `assistant_cooldown`: the instant it may be applied again"),
}), "RFC 9457 problem details (`application/problem+json`). A refusal may carry more details, such as `available` points or `retryAfterSeconds`.");

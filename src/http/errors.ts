import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { ZodError } from "zod";
import { DomainError, invalid, type ErrorCode, type FieldError } from "../core/errors.ts";
import { findBadString } from "./json-body.ts";

/** The one map from error code to HTTP status. */
const STATUS: Record<ErrorCode, number> = {
  validation_failed: 422,
  not_found: 404,
  unauthorized: 401,
  invalid_token: 401,
  assistant_cooldown: 409,
  forbidden: 403,
  insufficient_points: 409,
  insufficient_units: 409,
  idempotency_conflict: 409,
  program_disabled: 409,
  occurred_in_future: 422,
  conflict: 409,
  not_sandbox: 409,
  clock_backwards: 422,
  invalid_state: 409,
  expired: 409,
  invalid_json: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  exceeds_order_limit: 409,
  coupon_conditions_not_met: 409,
};

/** Fastify's own 4xx errors, named with our codes. */
const FRAMEWORK_CODES: Record<number, ErrorCode> = { 400: "invalid_json", 404: "not_found", 413: "body_too_large", 415: "unsupported_media_type", 429: "rate_limited" };

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: "The request is not valid",
  not_found: "Not found",
  unauthorized: "Authentication required",
  invalid_token: "The member token is not valid",
  assistant_cooldown: "The assistant was applied less than seven days ago",
  forbidden: "Not allowed",
  insufficient_points: "Not enough points",
  idempotency_conflict: "Idempotency key reused with another request",
  program_disabled: "The points program is disabled",
  invalid_json: "The body is not valid JSON",
  body_too_large: "The body is too large",
  unsupported_media_type: "Unsupported content type",
  rate_limited: "Too many requests",
  exceeds_order_limit: "Past the order's limit for points",
  coupon_conditions_not_met: "The cart does not meet the code's conditions",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  [key: string]: unknown;
}

export function problemOf(error: DomainError): Problem {
  const status = STATUS[error.code];
  const { errors, ...extra } = error.details;
  return {
    type: `https://pointbook.dev/problems/${error.code.replaceAll("_", "-")}`,
    title: TITLES[error.code] ?? error.code.replaceAll("_", " "),
    status,
    detail: error.message,
    code: error.code,
    ...extra,
    ...(errors ? { errors } : {}),
  };
}

export function fromZod(error: ZodError, prefix = ""): DomainError {
  const errors = error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join(".") || (prefix || "body"),
    message: i.code === "invalid_type" && i.message.endsWith("received undefined") ? "is required" : i.message,
  }));
  return new DomainError("validation_failed", errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors });
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type("application/problem+json").send(problem);
}

/**
 * Errors the router raises before any route runs (a URL that does not decode, a path parameter
 * over the router's length limit): problem+json like everything else, not Fastify's own JSON.
 */
export function frameworkError(error: FastifyError, _request: unknown, reply: FastifyReply): FastifyReply {
  const status = error.statusCode ?? 400;
  const message = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? "a path segment is too long" : "the URL is not valid (bad percent-encoding)";
  return sendProblem(reply, { ...problemOf(new DomainError("validation_failed", message, { errors: [{ path: "url", message }] })), status });
}

/** Turns every thrown error into problem+json; unexpected ones are logged and hidden. */
export function registerErrorHandling(app: FastifyInstance): void {
  // PostgreSQL cannot store U+0000: refuse it in the path and query up front, naming the field,
  // rather than failing in the database with a 500 (JSON bodies are checked as they are parsed).
  app.addHook("preHandler", async (request) => {
    for (const part of [request.params, request.query]) {
      const bad = findBadString(part);
      if (bad) throw invalid(bad.path, bad.message);
    }
  });
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof DomainError) return sendProblem(reply, problemOf(error));
    if (error instanceof ZodError) return sendProblem(reply, problemOf(fromZod(error)));
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Malformed JSON, wrong content type, body too large: the client's mistake, named as such.
      const code = FRAMEWORK_CODES[status] ?? "validation_failed";
      return sendProblem(reply, {
        ...problemOf(new DomainError(code, error.message, code !== "not_found" && code !== "rate_limited" ? { errors: [{ path: "body", message: error.message }] } : {})),
        status,
      });
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, {
      type: "about:blank", title: "Internal error", status: 500, detail: "An unexpected error occurred; it has been logged.",
      code: "internal_error" as ErrorCode,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemOf(new DomainError("not_found", `no route for ${request.method} ${request.url.split("?")[0]}`))),
  );
}

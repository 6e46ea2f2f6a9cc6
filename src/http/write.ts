import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.ts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Repositories } from "../core/ports/repositories.ts";
import type { Services } from "../services/context.ts";
import { DEFAULT_IDEMPOTENCY_TTL_MS, REQUEST_KEY_SCOPE, runIdempotent } from "../services/idempotency.ts";
import { problemOf } from "./errors.ts";
import { DomainError } from "../core/errors.ts";

export interface WriteResult {
  statusCode: number;
  body: unknown;
  /** What a replay gets instead of `body` (the body without a secret that is shown only once). */
  storedBody?: unknown;
}

/** The request's identity for idempotency: method, path with query, and body (key order aside). */
export function fingerprint(request: FastifyRequest): string {
  return createHash("sha256").update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`).digest("hex");
}

/**
 * Runs a write in one transaction. With an `Idempotency-Key` header the key, the request's hash
 * and the response are stored with the change: a replay gets the stored response, another request
 * (another route or body) under the same key gets 409. Keys belong to the store, whatever the
 * route, and are kept for the configured time (24 h by default).
 */
export async function write(
  request: FastifyRequest,
  reply: FastifyReply,
  services: Services,
  storeId: string,
  work: (repos: Repositories) => Promise<WriteResult>,
): Promise<FastifyReply> {
  const header = request.headers["idempotency-key"];
  const key = typeof header === "string" && header.length > 0 ? header : undefined;
  if (key === undefined) {
    const result = await services.tx.run(work);
    return reply.code(result.statusCode).send(result.body);
  }
  if (key.length > 255) throw new DomainError("validation_failed", "Idempotency-Key is longer than 255 characters", { errors: [{ path: "Idempotency-Key", message: "at most 255 characters" }] });
  const result = await runIdempotent(
    services,
    { storeId, scope: REQUEST_KEY_SCOPE, ttlMs: services.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS, key, fingerprint: fingerprint(request) },
    work,
    (error) => ({ statusCode: problemOf(error).status, body: JSON.parse(JSON.stringify(problemOf(error))) }),
  );
  if (result.replayed) reply.header("idempotent-replayed", "true");
  if (result.statusCode >= 400) reply.type("application/problem+json");
  return reply.code(result.statusCode).send(result.body);
}

import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { canonicalJson } from "../core/canonical-json.ts";
import { DomainError } from "../core/errors.ts";
import { runCommand, type Command } from "../services/command.ts";
import type { Services } from "../services/context.ts";

/** The request's identity for idempotency: method, path with query, and body (key order aside). */
export function fingerprint(request: FastifyRequest): string {
  return createHash("sha256").update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`).digest("hex");
}

/** A write as a route states it: the command, and the status its success is answered with. */
export type RouteCommand<T> = Omit<Command<T>, "idempotency"> & { status: number };

/**
 * Runs a route's write through the command runner. An `Idempotency-Key` header makes it run once:
 * a replay gets the stored outcome (marked `Idempotent-Replayed`), another request under the same
 * key gets 409. A refusal is thrown, to be answered as problem+json like any other.
 */
export async function write<T>(request: FastifyRequest, reply: FastifyReply, services: Services, command: RouteCommand<T>): Promise<FastifyReply> {
  const header = request.headers["idempotency-key"];
  const key = typeof header === "string" && header.length > 0 ? header : undefined;
  if (key !== undefined && key.length > 255) {
    throw new DomainError("validation_failed", "Idempotency-Key is longer than 255 characters", { errors: [{ path: "Idempotency-Key", message: "at most 255 characters" }] });
  }
  const { outcome, replayed } = await runCommand(services, { ...command, ...(key !== undefined ? { idempotency: { key, fingerprint: fingerprint(request) } } : {}) });
  if (replayed) reply.header("idempotent-replayed", "true");
  if (!outcome.ok) throw outcome.error;
  return reply.code(command.status).send(outcome.value);
}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { DEFAULT_TOKEN_TTL_SECONDS, issueMemberToken, MAX_TOKEN_TTL_SECONDS, rotateMemberTokenSecret } from "../../services/member-tokens.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { memberTokenSecretView, memberTokenView } from "../responses/member-centre.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";

const TAGS = ["member centre"];

const tokenBody = z.object({
  memberId: z.string().min(1).max(200),
  ttlSeconds: z.number().int().min(60).max(MAX_TOKEN_TTL_SECONDS).default(DEFAULT_TOKEN_TTL_SECONDS),
}).strict();

/** Member tokens (SPEC §3): issued for a member by the merchant's backend, or signed by it with the store's secret. */
export function registerMemberTokenRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/member-tokens", { ...route({
    operationId: "createMemberToken", summary: "A member token for the member centre (HS256 JWT, at most 24 h)", tags: TAGS, role: "points_manager",
    body: tokenBody, idempotent: true,
    responses: { 201: json("The token and when it expires", memberTokenView) },
    errors: { 404: "No member with this id" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(tokenBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: (repos) => issueMemberToken(repos, ctx.services, caller.storeId, body.memberId, body.ttlSeconds),
    });
  });

  app.post("/v1/member-token-secret/rotate", { ...route({
    operationId: "rotateMemberTokenSecret", summary: "A new secret for signing member tokens; the previous one verifies for 24 h more", tags: TAGS, role: "admin",
    idempotent: true,
    responses: { 200: json("The new secret, shown once", memberTokenSecretView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: (repos) => rotateMemberTokenSecret(repos, ctx.services, caller.storeId, caller.actor),
      // The secret is shown once: a replay gets the answer without it.
      stored: (value) => ({ ...value, secret: null }),
    });
  });
}

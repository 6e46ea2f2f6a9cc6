import type { FastifyInstance } from "fastify";
import type { ApiKeyRecord } from "../../core/ports/records.ts";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route, pageQuery } from "../openapi.ts";
import { apiKeyPage, apiKeyView, createdApiKeyView } from "../responses/keys.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { issueKey, revokeKey } from "../../services/api-keys.ts";
import { idParam } from "../schemas.ts";

const createKeyBody = z.object({ name: z.string().min(1).max(200), role: z.enum(["viewer", "points_manager", "admin"]) }).strict();

const keyView = (k: ApiKeyRecord) => ({ id: k.id, name: k.name, role: k.role, createdBy: k.createdBy, createdAt: k.createdAt, revokedAt: k.revokedAt ?? null });

export function registerKeyRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/keys", { ...route({
    operationId: "createApiKey", summary: "Create an API key for this store (shown once)", tags: ["keys"], role: "admin", body: createKeyBody, idempotent: true,
    responses: { 201: json("The key, with its secret (shown this once)", createdApiKeyView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(createKeyBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 201,
      run: async (repos) => {
        const { record, key } = await issueKey(repos, caller.storeId, body, caller.actor, ctx.services.clock.now());
        return { id: record.id, name: record.name, role: record.role, createdAt: record.createdAt, key };
      },
      // The secret is shown once: a replay gets the key without it.
      stored: (view) => ({ ...view, key: null }),
    });
  });

  app.get("/v1/keys", { ...route({
    operationId: "listApiKeys", summary: "List this store's API keys, oldest first (never the secrets)", tags: ["keys"], role: "admin", querystring: pageQuery,
    responses: { 200: json("A page of keys", apiKeyPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    const page = await ctx.services.tx.run((repos) => repos.keys.list(caller.storeId, q.limit, q.cursor ?? null));
    return { data: page.data.map(keyView), nextCursor: page.nextCursor };
  });

  app.delete("/v1/keys/:id", { ...route({
    operationId: "revokeApiKey", summary: "Revoke an API key: it is refused (401) from then on, in every server process within 10 s", tags: ["keys"],
    role: "admin", params: idParam, idempotent: true,
    responses: { 200: json("The key, revoked", apiKeyView) },
    errors: { 404: "No such key in this store" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    try {
      return await write(request, reply, ctx.services, { storeId: caller.storeId, status: 200, run: async (repos) => keyView(await revokeKey(repos, caller.storeId, id, caller.actor, ctx.services.clock.now())) });
    } finally {
      ctx.keys.forget(caller.storeId);
    }
  });
}

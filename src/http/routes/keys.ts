import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { requireRole } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { doc, pageQuery } from "../openapi.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { issueKey } from "../../services/api-keys.ts";

const createKeyBody = z.object({ name: z.string().min(1).max(200), role: z.enum(["viewer", "points_manager", "admin"]) }).strict();

export function registerKeyRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/keys", { schema: doc({ summary: "Create an API key for this store (shown once)", tags: ["keys"], role: "admin", body: createKeyBody }) }, async (request, reply) => {
    const caller = await requireRole(request, ctx.services, "admin");
    const body = parse(createKeyBody, request.body);
    return write(request, reply, ctx.services, caller.storeId, async (repos) => {
      const { record, key } = await issueKey(repos, caller.storeId, body, caller.actor, ctx.services.clock.now());
      const view = { id: record.id, name: record.name, role: record.role, createdAt: record.createdAt };
      return { statusCode: 201, body: { ...view, key }, storedBody: { ...view, key: null } };
    });
  });

  app.get("/v1/keys", { schema: doc({ summary: "List this store's API keys, oldest first (never the secrets)", tags: ["keys"], role: "admin", querystring: pageQuery }) }, async (request) => {
    const caller = await requireRole(request, ctx.services, "admin");
    const q = parse(pageQuery, request.query);
    const page = await ctx.services.tx.run((repos) => repos.keys.list(caller.storeId, q.limit, q.cursor ?? null));
    return { data: page.data.map((k) => ({ id: k.id, name: k.name, role: k.role, createdBy: k.createdBy, createdAt: k.createdAt })), nextCursor: page.nextCursor };
  });
}

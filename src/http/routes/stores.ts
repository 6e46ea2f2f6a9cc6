import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf, operatorOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { createdStoreView, storeView as storeSchema } from "../responses/stores.ts";
import { instant, timeZone } from "../schemas.ts";
import { parse } from "../validation.ts";
import { invalid } from "../../core/errors.ts";
import { getStore, insertStore } from "../../services/stores.ts";
import { write } from "../write.ts";

/** Stores do not exist before they are created: the operator's idempotency keys live under this name. */
const OPERATOR_SCOPE = "operator";

const createStoreBody = z
  .object({
    name: z.string().min(1).max(200),
    currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD"),
    timezone: timeZone,
    sandbox: z.boolean().default(false),
    clock: instant.optional(),
  })
  .strict();

const storeView = (s: { id: string; name: string; currency: string; timezone: string; sandbox: boolean; clockNow: Date | null; createdAt: Date }) => ({
  id: s.id, name: s.name, currency: s.currency, timezone: s.timezone, sandbox: s.sandbox,
  ...(s.sandbox ? { clock: s.clockNow } : {}), createdAt: s.createdAt,
});

export function registerStoreRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/stores", { ...route({
    operationId: "createStore", summary: "Create a store (tenant) and its first admin key", tags: ["stores"], role: "operator", body: createStoreBody,
    idempotent: true,
    responses: { 201: json("The store, with its first admin key (shown this once)", createdStoreView) },
  }) }, async (request, reply) => {
    const actor = operatorOf(request);
    const body = parse(createStoreBody, request.body);
    if (body.clock && !body.sandbox) throw invalid("clock", "only sandbox stores have their own clock");
    return write(request, reply, ctx.services, {
      storeId: OPERATOR_SCOPE,
      status: 201,
      run: async (repos) => {
        const { store, apiKey } = await insertStore(repos, ctx.services, body, actor);
        return { ...storeView(store), apiKey };
      },
      // The secret is shown once: a replay gets the store without it.
      stored: (view) => ({ ...view, apiKey: null }),
    });
  });

  app.get("/v1/store", { ...route({ operationId: "getStore", summary: "The store the key belongs to", tags: ["stores"], role: "viewer", responses: { 200: json("The store", storeSchema) } }) }, async (request) => {
    const caller = callerOf(request);
    return storeView(await getStore(ctx.services, caller.storeId));
  });
}

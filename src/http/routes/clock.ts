import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { clockAdvanceView } from "../responses/clock.ts";
import { instant } from "../schemas.ts";
import { parse } from "../validation.ts";
import { advanceClockIn } from "../../services/due-work.ts";
import { write } from "../write.ts";

const advanceBody = z.object({ to: instant }).strict();

export function registerClockRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/clock/advance", { ...route({
    operationId: "advanceClock", summary: "Move a sandbox store's clock forward and run what falls due", tags: ["sandbox"], role: "admin",
    body: advanceBody, idempotent: true,
    responses: { 200: json("The store's new now, and what ran", clockAdvanceView) },
    errors: { 409: "The store is not a sandbox store (not_sandbox)", 422: "`to` is before the store's now (clock_backwards)" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { to } = parse(advanceBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: (repos) => advanceClockIn(repos, ctx.services, caller.storeId, to),
    });
  });
}

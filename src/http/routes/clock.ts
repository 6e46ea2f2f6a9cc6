import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { route } from "../openapi.ts";
import { instant } from "../schemas.ts";
import { parse } from "../validation.ts";
import { advanceClockIn } from "../../services/due-work.ts";
import { write } from "../write.ts";

const advanceBody = z.object({ to: instant }).strict();

export function registerClockRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/clock/advance", { ...route({ summary: "Move a sandbox store's clock forward and run what falls due", tags: ["sandbox"], role: "admin", body: advanceBody }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { to } = parse(advanceBody, request.body);
    return write(request, reply, ctx.services, {
      storeId: caller.storeId,
      status: 200,
      run: (repos) => advanceClockIn(repos, ctx.services, caller.storeId, to),
    });
  });
}

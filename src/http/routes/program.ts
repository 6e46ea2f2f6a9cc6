import type { FastifyInstance } from "fastify";
import { requireRole } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { doc } from "../openapi.ts";
import { parse } from "../validation.ts";
import { programPatchSchema } from "../../core/program/settings.ts";
import { getProgram, patchProgram } from "../../services/program.ts";

export function registerProgramRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/program", { schema: doc({ summary: "Program settings", tags: ["program"], role: "viewer" }) }, async (request) => {
    const caller = await requireRole(request, ctx.services, "viewer");
    return getProgram(ctx.services, caller.storeId);
  });

  app.patch("/v1/program", { schema: doc({ summary: "Change program settings (audited)", tags: ["program"], role: "admin", body: programPatchSchema }) }, async (request) => {
    const caller = await requireRole(request, ctx.services, "admin");
    const patch = parse(programPatchSchema, request.body);
    return patchProgram(ctx.services, caller.storeId, patch, caller.actor);
  });
}

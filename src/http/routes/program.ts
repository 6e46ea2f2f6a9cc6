import type { FastifyInstance } from "fastify";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { route } from "../openapi.ts";
import { parse } from "../validation.ts";
import { programPatchSchema } from "../../core/program/settings.ts";
import { getProgram, patchProgram } from "../../services/program.ts";

export function registerProgramRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/program", { ...route({ summary: "Program settings", tags: ["program"], role: "viewer" }) }, async (request) => {
    const caller = callerOf(request);
    return getProgram(ctx.services, caller.storeId);
  });

  app.patch("/v1/program", { ...route({ summary: "Change program settings (audited)", tags: ["program"], role: "admin", body: programPatchSchema }) }, async (request) => {
    const caller = callerOf(request);
    const patch = parse(programPatchSchema, request.body);
    return patchProgram(ctx.services, caller.storeId, patch, caller.actor);
  });
}

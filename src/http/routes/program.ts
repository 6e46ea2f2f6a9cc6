import type { FastifyInstance } from "fastify";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { programSettingsView } from "../responses/program.ts";
import { parse } from "../validation.ts";
import { programPatchSchema } from "../../core/program/settings.ts";
import { getProgram, patchProgram } from "../../services/program.ts";

export function registerProgramRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/program", { ...route({ operationId: "getProgram", summary: "Program settings", tags: ["program"], role: "viewer", responses: { 200: json("The settings", programSettingsView) } }) }, async (request) => {
    const caller = callerOf(request);
    return getProgram(ctx.services, caller.storeId);
  });

  app.patch("/v1/program", { ...route({
    operationId: "updateProgram", summary: "Change program settings (audited)", tags: ["program"], role: "admin", body: programPatchSchema,
    responses: { 200: json("The settings after the change", programSettingsView) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const patch = parse(programPatchSchema, request.body);
    return patchProgram(ctx.services, caller.storeId, patch, caller.actor);
  });
}

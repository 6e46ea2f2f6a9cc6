import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, route } from "../openapi.ts";
import { programDocumentView, programImportView } from "../responses/program.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { exportProgram, importProgram, programDocumentSchema } from "../../services/program-document.ts";

const importQuery = z.object({ dryRun: z.enum(["true", "false"]).default("false") });

export function registerProgramDocumentRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get("/v1/program/export", { ...route({
    operationId: "exportProgram", summary: "The whole program as one document", tags: ["program"], role: "viewer",
    responses: { 200: json("Settings, tiers, earn rules and redeem methods: what PUT /v1/program/import takes", programDocumentView) },
  }) }, async (request) => {
    const caller = callerOf(request);
    return exportProgram(ctx.services, caller.storeId);
  });

  app.put("/v1/program/import", { bodyLimit: 8 * 1024 * 1024, ...route({
    operationId: "importProgram", summary: "Replace the program with a document, atomically; ?dryRun=true returns the diff only", tags: ["program"],
    role: "admin", body: programDocumentSchema, querystring: importQuery, idempotent: true,
    responses: { 200: json("What changed (or would change, in a dry run)", programImportView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { dryRun } = parse(importQuery, request.query);
    const document = parse(programDocumentSchema, request.body);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 200, run: (repos) => importProgram(repos, ctx.services, caller.storeId, document, { dryRun: dryRun === "true" }, caller.actor) });
  });
}

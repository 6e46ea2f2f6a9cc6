import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { DomainError } from "../../core/errors.ts";
import { IMPORT_KINDS } from "../../core/imports/kinds.ts";
import { startUploadedImport } from "../../services/imports/start.ts";
import { discardUpload, receiveUpload } from "../../services/imports/upload.ts";
import { getImport, listImports } from "../../services/imports/view.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, pageQuery, route } from "../openapi.ts";
import { importStartedView, importSummaryPage, importView } from "../responses/imports.ts";
import { idParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";

/** SPEC §4: import bodies up to 100 MB. */
export const IMPORT_MAX_BYTES = 100 * 1024 * 1024;

const TAGS = ["imports"];
const csvFile = z.string().describe("The CSV file: a header line naming the kind's columns, then one row per line");
const yesNo = z.enum(["true", "false"]).default("false").transform((v) => v === "true");

const importQuery = z.object({
  kind: z.enum(IMPORT_KINDS),
  /** Orders: award points to the historical orders as if they were sent now. */
  award: yesNo,
  /** Import a file again although the same file was imported before. */
  again: yesNo,
  fileName: z.string().min(1).max(200).optional(),
});

function isStream(body: unknown): body is Readable {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body && "pipe" in body;
}

/** CSV imports (SPEC §6 Imports); admin only. */
export function registerImportRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const maxBytes = ctx.importMaxBytes ?? IMPORT_MAX_BYTES;
  // In a scope of their own, so `text/csv` reaches these routes as the raw stream and no other route sees it.
  void app.register(async (scope) => {
    scope.addContentTypeParser("text/csv", (_request, payload, done) => done(null, payload));

    scope.post("/v1/imports", { bodyLimit: maxBytes, ...route({
      operationId: "createImport", summary: "Upload a CSV file (text/csv) to import; it runs in the background → 202 {id}", tags: TAGS, role: "admin",
      querystring: importQuery, body: csvFile, consumes: ["text/csv"], idempotent: true,
      responses: { 202: json("Accepted: the import runs in the background", importStartedView) },
      errors: {
        409: "This file was imported already, or is being imported (conflict, with `importId`): add again=true to import it once more",
        413: `The file is larger than the limit (${IMPORT_MAX_BYTES / (1024 * 1024)} MB unless configured otherwise)`,
        415: "The body is not sent as text/csv",
      },
    }) }, async (request: FastifyRequest, reply) => {
      const caller = callerOf(request);
      const q = parse(importQuery, request.query);
      if (!isStream(request.body)) throw new DomainError("unsupported_media_type", "send the file as the body, with Content-Type: text/csv");
      const declared = Number(request.headers["content-length"]);
      if (declared > maxBytes) {
        void reply.header("connection", "close");
        throw new DomainError("body_too_large", `an import file may have at most ${maxBytes} bytes`);
      }
      // Read without destroying the request on an early stop, so a refusal (413, 422) is still answered.
      const body = request.body.iterator({ destroyOnReturn: false });
      const upload = await receiveUpload(ctx.services, caller.storeId, body, { kind: q.kind, maxBytes }).catch((error: unknown) => {
        // The rest of a body too large is not read: the connection closes after the answer.
        if (error instanceof DomainError && error.code === "body_too_large") void reply.header("connection", "close");
        throw error;
      });
      // A CSV body's identity for Idempotency-Key is the SHA-256 of its bytes (with method and URL, as for every POST).
      request.body = { sha256: upload.sha256 };
      try {
        return await write(request, reply, ctx.services, {
          storeId: caller.storeId,
          status: 202,
          run: (repos) => startUploadedImport(repos, ctx.services, caller.storeId, upload.id,
            { kind: q.kind, award: q.award, sha256: upload.sha256, bytes: upload.bytes, fileName: q.fileName ?? null, rows: upload.rows },
            { again: q.again, hint: "add again=true" }, caller.actor),
        });
      } finally {
        // A replay, a conflict or a refusal made no import of these bytes.
        await discardUpload(ctx.services, caller.storeId, upload.id);
      }
    });

    scope.get("/v1/imports", { ...route({
      operationId: "listImports", summary: "The store's imports, newest first (without their errors)", tags: TAGS, role: "admin", querystring: pageQuery,
      responses: { 200: json("A page of imports", importSummaryPage) },
    }) }, async (request) => {
      const caller = callerOf(request);
      const q = parse(pageQuery, request.query);
      return listImports(ctx.services, caller.storeId, { limit: q.limit, cursor: q.cursor ?? null });
    });

    scope.get("/v1/imports/:id", { ...route({
      operationId: "getImport", summary: "An import's status and progress, with the first 1000 rejected rows by line", tags: TAGS, role: "admin", params: idParam,
      responses: { 200: json("The import", importView) },
      errors: { 404: "No such import in this store" },
    }) }, async (request) => {
      const caller = callerOf(request);
      const { id } = parse(idParam, request.params);
      return getImport(ctx.services, caller.storeId, id);
    });
  });
}

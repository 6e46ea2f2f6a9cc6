import { z } from "zod";
import { IMPORT_KINDS } from "../../core/imports/kinds.ts";
import type { ImportSource, ImportStatus } from "../../core/ports/imports.ts";
import { enumOf, instantOut, named, page } from "./common.ts";

const importFields = {
  id: z.string(),
  kind: z.enum(IMPORT_KINDS),
  status: enumOf<ImportStatus>({ running: true, done: true, failed: true }),
  award: z.boolean().describe("Orders: historical orders earn points as if sent now"),
  source: enumOf<ImportSource>({ cli: true, upload: true }),
  fileName: z.string().nullable(),
  total: z.number().int().nullable().describe("Data rows in the file, once known"),
  processed: z.number().int(),
  imported: z.number().int(),
  rejected: z.number().int(),
  bytes: z.object({ read: z.number().int(), total: z.number().int().nullable() }),
  line: z.number().int().describe("The last line of the file the committed rows reached"),
  failure: z.string().nullable().describe("Why a failed import stopped"),
  createdAt: instantOut,
  updatedAt: instantOut,
  finishedAt: instantOut.nullable(),
};

/** An import in a list: without its rejected rows. */
export const importSummaryView = named("ImportSummary", z.object(importFields));

export const importSummaryPage = page(importSummaryView);

export const importView = named("Import", z.object({
  ...importFields,
  errors: z.array(z.object({ line: z.number().int(), message: z.string() })).describe("The first 1000 rejected rows, by line"),
  errorCount: z.number().int().describe("Rejections reported, kept or not"),
}));

export const importStartedView = named("ImportStarted", z.object({ id: z.string().describe("The import's id: follow it with GET /v1/imports/{id}") }));

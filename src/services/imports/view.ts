import { notFound } from "../../core/errors.ts";
import { MAX_KEPT_ERRORS, type ImportRecord, type RowError } from "../../core/ports/imports.ts";
import type { Page } from "../../core/ports/records.ts";
import { requireStore, type Services } from "../context.ts";

/** An import as the API shows it (GET /v1/imports/{id}): counts in rows of the file, bytes for a progress bar. */
export function importView(r: ImportRecord, errors?: RowError[]) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    award: r.award,
    source: r.source,
    fileName: r.fileName,
    /** Data rows in the file: known from the start for an upload, at the end for a CLI run. */
    total: r.total,
    processed: r.progress.processed,
    imported: r.progress.imported,
    rejected: r.progress.rejected,
    ...(errors ? { errors, errorCount: r.progress.errors } : {}),
    bytes: { read: r.progress.offset, total: r.bytesTotal },
    /** The last line of the file the committed rows reached. */
    line: r.progress.line,
    failure: r.failure,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    finishedAt: r.finishedAt,
  };
}

export type ImportView = ReturnType<typeof importView>;

/** One import with its kept errors (the first MAX_KEPT_ERRORS, by line). */
export async function getImport(services: Services, storeId: string, id: string): Promise<ImportView> {
  return services.tx.run(async (repos) => {
    const record = await repos.imports.get(storeId, id);
    if (!record) {
      await requireStore(repos, storeId);
      throw notFound("import");
    }
    return importView(record, await repos.imports.errors(storeId, id, MAX_KEPT_ERRORS));
  });
}

/** The store's imports, newest first, without their errors. */
export async function listImports(services: Services, storeId: string, page: { limit: number; cursor: string | null }): Promise<Page<ImportView>> {
  return services.tx.run(async (repos) => {
    const found = await repos.imports.list(storeId, page.limit, page.cursor);
    return { data: found.data.map((r) => importView(r)), nextCursor: found.nextCursor };
  });
}

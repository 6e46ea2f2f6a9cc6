import { DomainError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import type { ImportKind } from "../../core/imports/kinds.ts";
import type { ImportRecord, ImportSource } from "../../core/ports/imports.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import { requireStore, type Actor, type Services } from "../context.ts";

/** "The same import": one store, one kind, the same options, the same bytes. */
export interface ImportFile {
  kind: ImportKind;
  award: boolean;
  sha256: string;
  bytes: number;
  fileName: string | null;
}

/** How the caller asks to repeat a finished import (`--again`, `?again=true`): named in the refusal. */
export interface Repeat {
  again: boolean;
  hint: string;
}

function checkAward(file: ImportFile): void {
  if (file.award && file.kind !== "orders") {
    throw new DomainError("validation_failed", "award: only an orders import awards points", { errors: [{ path: "award", message: "only an orders import awards points" }] });
  }
}

/**
 * The import this file continues, or refuses to repeat: under the store's row lock, so two runs
 * started together never both begin the same file. A running import of it is returned to resume;
 * a finished one is refused unless the caller asked to import the file again.
 */
async function priorImport(repos: Repositories, storeId: string, file: ImportFile, repeat: Repeat): Promise<ImportRecord | null> {
  await requireStore(repos, storeId);
  await repos.stores.lock(storeId);
  const latest = await repos.imports.latestOfFile(storeId, file.kind, file.award, file.sha256);
  if (!latest || (latest.status !== "running" && repeat.again)) return null;
  if (latest.status === "running") return latest;
  throw new DomainError("conflict", `this file was imported already as ${latest.id} (${latest.status}, ${latest.progress.imported} rows imported); ${repeat.hint} to import it once more`, {
    importId: latest.id, importStatus: latest.status,
  });
}

function newImport(id: string, source: ImportSource, file: ImportFile, actor: Actor, now: Date, total: number | null): ImportRecord {
  return {
    id, kind: file.kind, source, award: file.award, fileName: file.fileName, sha256: file.sha256, bytesTotal: file.bytes, status: "running",
    total, columns: null, progress: { offset: 0, line: 0, processed: 0, imported: 0, rejected: 0, errors: 0, batches: 0 },
    failure: null, actor: actor.id, createdAt: now, updatedAt: now, finishedAt: null, lease: null,
  };
}

/** The CLI's import of a local file: resumed when a run of it is unfinished, new otherwise. */
export async function startFileImport(services: Services, storeId: string, file: ImportFile, repeat: Repeat, actor: Actor): Promise<{ record: ImportRecord; resumed: boolean }> {
  checkAward(file);
  return services.tx.run(async (repos) => {
    const prior = await priorImport(repos, storeId, file, repeat);
    if (prior && prior.source === "upload") {
      throw new DomainError("conflict", `this file is being imported by the server as ${prior.id} (GET /v1/imports/${prior.id})`, { importId: prior.id });
    }
    if (prior) return { record: prior, resumed: true };
    const record = newImport(newId("imp"), "cli", file, actor, services.clock.now(), null);
    await repos.imports.insert(storeId, record);
    return { record, resumed: false };
  });
}

/**
 * Turns a complete upload (its chunks stored under `uploadId`) into a running import for the
 * server's import worker, in the caller's transaction. The same file running or done already is
 * refused (409) rather than imported twice.
 */
export async function startUploadedImport(repos: Repositories, services: Services, storeId: string, uploadId: string, file: ImportFile & { rows: number }, repeat: Repeat, actor: Actor): Promise<{ id: string }> {
  checkAward(file);
  const prior = await priorImport(repos, storeId, file, repeat);
  if (prior) {
    throw new DomainError("conflict", `this file is being imported already as ${prior.id}`, { importId: prior.id, importStatus: prior.status });
  }
  await repos.imports.insert(storeId, newImport(uploadId, "upload", file, actor, services.clock.now(), file.rows));
  return { id: uploadId };
}

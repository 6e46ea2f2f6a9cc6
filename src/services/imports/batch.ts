import { DomainError } from "../../core/errors.ts";
import type { Unit } from "../../core/imports/units.ts";
import type { ImportRecord, RowError } from "../../core/ports/imports.ts";
import type { StoreRecord } from "../../core/ports/records.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import type { Actor, Services } from "../context.ts";

/** What applying one batch of an import needs: the batch's transaction, and the store as of now. */
export interface BatchContext {
  repos: Repositories;
  services: Services;
  store: StoreRecord;
  /** The store's time (a sandbox store's own clock): what expiries and order timestamps are checked against. */
  now: Date;
  record: ImportRecord;
  actor: Actor;
}

/** Applies a batch's units in the caller's transaction: the good rows written, the others reported. */
export type BatchApplier = (ctx: BatchContext, units: readonly Unit[]) => Promise<BatchOutcome>;

/** What a batch came to, in rows of the file. */
export class BatchOutcome {
  imported = 0;
  rejected = 0;
  readonly errors: RowError[] = [];

  reject(line: number, message: string, rows = 1): void {
    this.rejected += rows;
    this.errors.push({ line, message });
  }

  /** Rows the CSV parser could not read, as they were met. */
  unreadable(units: readonly Unit[]): void {
    for (const u of units) for (const b of u.bad) this.reject(b.line, b.message);
  }

  /** The errors in the file's order (the first 1000 of an import are the ones kept). */
  sorted(): RowError[] {
    return [...this.errors].sort((a, b) => a.line - b.line);
  }
}

/** A refusal from the services as one line naming the field, e.g. "paidAt: must not be in the future". */
export function refusalMessage(error: DomainError): string {
  const fields = error.details.errors;
  return fields && fields.length > 0 ? fields.map((f) => `${f.path}: ${f.message}`).join("; ") : error.message;
}

import { setImmediate } from "node:timers/promises";
import { notFound } from "../../core/errors.ts";
import { cellsOf } from "../../core/imports/cells.ts";
import { headerProblem, type ImportKind } from "../../core/imports/kinds.ts";
import { UnitCutter, unitRows, type BadRow, type SourceRow, type Unit } from "../../core/imports/units.ts";
import { MAX_KEPT_ERRORS, type ImportRecord, type RowError } from "../../core/ports/imports.ts";
import { requireStore, storeNow, type Actor, type Services } from "../context.ts";
import { applyBalances } from "./apply-balances.ts";
import { applyMembers } from "./apply-members.ts";
import { applyOrders } from "./apply-orders.ts";
import type { BatchApplier } from "./batch.ts";
import { readCsv, type CsvItem } from "./csv-reader.ts";

const APPLIERS: Record<ImportKind, BatchApplier> = { members: applyMembers, balances: applyBalances, orders: applyOrders };

/** Rows per transaction unless told otherwise: large enough to amortise a commit, small enough to hold few locks briefly. */
export const DEFAULT_BATCH_ROWS = 1_000;

/** Batches of a run after which the database is told its tables grew (roughly each time they triple). */
const STATISTICS_AFTER = new Set([1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000]);

export interface RunOptions {
  batchRows?: number;
  /** A server process's lease on an upload: checked and renewed by every batch. */
  lease?: { holder: string; ms: number };
  /** Stops between batches (a server shutting down); the import stays running, to be resumed. */
  signal?: AbortSignal;
  /** After each committed batch, with the import as it now stands. */
  onBatch?: (record: ImportRecord) => void | Promise<void>;
  /** Tests simulate crashes here: inside batch n's transaction (rolled back), or just after its commit. */
  faults?: { inBatch?: (batch: number) => void; afterBatch?: (batch: number) => void | Promise<void> };
}

/** Another run (a second CLI, a server whose lease ran out) moved the import on: this one stops, having applied nothing twice. */
export class ImportTakenOver extends Error {
  constructor(readonly importId: string) {
    super(`import ${importId} is being run by another process`);
    this.name = "ImportTakenOver";
  }
}

/**
 * Runs an import to its end, or until `signal` stops it: reads the file from where the last
 * committed batch ended (`open(offset)` yields its bytes from there), cuts it into units (a row,
 * or an order's rows), and writes them in batches, each in one transaction together with the
 * import's progress. A crash loses at most the batch in flight, which the next run reads again;
 * nothing is applied twice, as every batch first checks, under the import's row lock, that the
 * progress is where this run left it.
 */
export async function runImport(
  services: Services, storeId: string, importId: string, open: (offset: number) => AsyncIterable<Uint8Array>, options: RunOptions = {},
): Promise<ImportRecord> {
  let record = await services.tx.run((repos) => repos.imports.get(storeId, importId));
  if (!record) throw notFound("import");
  if (record.status !== "running") return record;
  const batchRows = Math.max(1, options.batchRows ?? DEFAULT_BATCH_ROWS);
  const kind = record.kind;
  let columns = record.columns;
  // Where a batch with no rows leaves the progress: past the header once it has been read.
  let floor = { offset: record.progress.offset, line: record.progress.line };
  const cutter = new UnitCutter(kind === "orders" ? (row) => row.cells.orderId ?? null : () => null);
  let pending: Unit[] = [];
  let pendingRows = 0;

  let ranBatches = 0;
  const commit = async (units: Unit[], end: { final: boolean; failure?: RowError }) => {
    record = await commitBatch(services, storeId, record!, units, { ...end, columns, floor, lease: options.lease, inBatch: options.faults?.inBatch });
    // The tables grow fast while the import runs: their statistics are refreshed as they triple.
    if (!end.final && STATISTICS_AFTER.has(++ranBatches)) await services.tx.run((repos) => repos.imports.tablesGrown(kind));
    await options.onBatch?.(record);
    await options.faults?.afterBatch?.(record.progress.batches);
    // An embedded database (PGlite) answers in microtasks: without a turn of the event loop between
    // batches, a server would read no request until the whole import is done.
    await setImmediate();
    return record;
  };

  for await (const item of readCsv(open(record.progress.offset), floor)) {
    if (columns === null) {
      const header = item.kind === "record" ? item.values.map((v) => v.trim()) : null;
      const problem = item.kind === "record" ? headerProblem(kind, header!) : item.message;
      if (problem || item.kind !== "record") return commit([], { final: true, failure: { line: item.line, message: `the header: ${problem}` } });
      columns = header;
      floor = { offset: item.end, line: item.endLine };
      continue;
    }
    if (item.kind === "fatal") {
      return commit([...pending, ...cutter.finish(floor.offset, floor.line)], { final: true, failure: { line: item.line, message: item.message } });
    }
    for (const unit of cutter.push(item.kind === "record" ? rowOf(item, columns) : item)) {
      pending.push(unit);
      pendingRows += unitRows(unit);
    }
    if (pendingRows >= batchRows) {
      await commit(pending, { final: false });
      floor = { offset: record.progress.offset, line: record.progress.line };
      pending = [];
      pendingRows = 0;
      if (options.signal?.aborted) return record;
    }
  }
  if (columns === null) return commit([], { final: true, failure: { line: 1, message: "the file is empty: it needs a header line naming the columns" } });
  const last = pending.at(-1) ?? { end: floor.offset, endLine: floor.line };
  return commit([...pending, ...cutter.finish(last.end, last.endLine)], { final: true });
}

/** A record read against the header: a row of cells, or a bad row when the cell count differs. */
function rowOf(item: Extract<CsvItem, { kind: "record" }>, columns: readonly string[]): SourceRow | BadRow {
  if (item.values.length !== columns.length) {
    return { line: item.line, message: `the row has ${item.values.length} cells; the header has ${columns.length}` };
  }
  return { line: item.line, cells: cellsOf(columns, item.values), end: item.end, endLine: item.endLine };
}

interface CommitOptions {
  final: boolean;
  /** The file cannot be imported on: the import ends as failed, with this error. */
  failure?: RowError;
  columns: string[] | null;
  floor: { offset: number; line: number };
  lease?: { holder: string; ms: number };
  inBatch?: (batch: number) => void;
}

/**
 * One batch in one transaction: checks under the import's row lock that nobody moved it on,
 * applies the units, and writes the progress (and the first errors) with them.
 */
async function commitBatch(services: Services, storeId: string, seen: ImportRecord, units: readonly Unit[], o: CommitOptions): Promise<ImportRecord> {
  return services.tx.run(async (repos) => {
    await repos.imports.startBatch();
    const current = await repos.imports.get(storeId, seen.id, true);
    if (!current || current.status !== "running" || current.progress.offset !== seen.progress.offset || current.progress.batches !== seen.progress.batches
      || (o.lease !== undefined && current.lease?.holder !== o.lease.holder)) {
      throw new ImportTakenOver(seen.id);
    }
    const store = await requireStore(repos, storeId);
    const now = storeNow(store, services.clock);
    const actor: Actor = { id: current.actor, role: "system" };
    o.inBatch?.(current.progress.batches + 1);
    const outcome = await APPLIERS[current.kind]({ repos, services, store, now, record: current, actor }, units);
    const errors = [...outcome.sorted(), ...(o.failure ? [o.failure] : [])];
    const last = units.at(-1);
    const rows = units.reduce((n, u) => n + unitRows(u), 0);
    const wall = services.clock.now();
    const p = current.progress;
    const next: ImportRecord = {
      ...current,
      columns: o.columns,
      status: o.final ? (o.failure ? "failed" : "done") : "running",
      progress: {
        // A finished import has read the whole file.
        offset: o.final && !o.failure && current.bytesTotal !== null ? current.bytesTotal : last ? last.end : Math.max(p.offset, o.floor.offset),
        line: last ? last.endLine : Math.max(p.line, o.floor.line),
        processed: p.processed + rows, imported: p.imported + outcome.imported, rejected: p.rejected + outcome.rejected,
        errors: p.errors + errors.length, batches: p.batches + 1,
      },
      total: o.final && !o.failure ? current.total ?? p.processed + rows : current.total,
      failure: o.failure ? `line ${o.failure.line}: ${o.failure.message}` : null,
      updatedAt: wall,
      finishedAt: o.final ? wall : null,
      lease: o.final ? null : o.lease ? { holder: o.lease.holder, until: new Date(wall.getTime() + o.lease.ms) } : current.lease,
    };
    await repos.imports.update(storeId, next, { firstError: p.errors, rows: errors.slice(0, Math.max(0, MAX_KEPT_ERRORS - p.errors)) });
    // An upload's bytes are not kept once its import has ended.
    if (o.final && current.source === "upload") await repos.imports.dropChunks(storeId, current.id);
    return next;
  });
}

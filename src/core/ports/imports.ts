import type { ImportKind } from "../imports/kinds.ts";
import type { Page } from "./records.ts";

export type ImportStatus = "running" | "done" | "failed";

/** Where the file is: on the machine that runs the CLI, or uploaded into the database (POST /v1/imports). */
export type ImportSource = "cli" | "upload";

/** The first rejections kept per import, with their lines; later ones are only counted. */
export const MAX_KEPT_ERRORS = 1_000;

/** A rejected row (or order): the file's line it starts on, and why, naming the column. */
export interface RowError {
  line: number;
  message: string;
}

/**
 * How far an import got, written in the same transaction as each batch of its rows: a run after a
 * crash reads on from `offset` and never applies a row twice.
 */
export interface ImportProgress {
  /** Bytes of the file behind the committed rows: the next run reads on from here. */
  offset: number;
  /** The last line of the last committed row (the header is line 1). */
  line: number;
  processed: number;
  imported: number;
  rejected: number;
  /** Rejections reported; the first MAX_KEPT_ERRORS are kept. */
  errors: number;
  batches: number;
}

export interface ImportRecord {
  id: string;
  kind: ImportKind;
  source: ImportSource;
  /** Orders only: historical orders earn points as if sent now (`award=true`), instead of nothing. */
  award: boolean;
  fileName: string | null;
  /** SHA-256 of the file's bytes (hex): with store, kind and options it names "the same import". */
  sha256: string;
  bytesTotal: number | null;
  status: ImportStatus;
  /** Data rows in the file, once known (an upload counts them as it arrives; a CLI run at its end). */
  total: number | null;
  /** The header, kept so a run that resumes past it knows the columns. */
  columns: string[] | null;
  progress: ImportProgress;
  /** Why a failed import stopped (a header that is not this kind's). */
  failure: string | null;
  actor: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** The server process working on an upload, and until when (a dead one's lease runs out). */
  lease: { holder: string; until: Date } | null;
}

/** One piece of an uploaded file, `start` bytes into it. */
export interface UploadChunk {
  seq: number;
  start: number;
  data: Uint8Array;
}

/** What an order id found in the store means for an orders import. */
export type OrderSighting = "imported_here" | "rejected_here" | "exists";

export interface ImportRepository {
  insert(storeId: string, record: ImportRecord): Promise<void>;
  /** Locked for update when `lock` (each batch checks under the lock that nobody else moved the import on). */
  get(storeId: string, id: string, lock?: boolean): Promise<ImportRecord | null>;
  /**
   * Starts a batch's transaction: a database drops what suits one-off queries but not a batch's
   * (PostgreSQL's JIT compiles a thousand-member query for longer than it runs).
   */
  startBatch(): Promise<void>;
  /** The newest import of the same file (kind, award option and content), to resume or refuse to repeat. */
  latestOfFile(storeId: string, kind: ImportKind, award: boolean, sha256: string): Promise<ImportRecord | null>;
  /** Newest first; the cursor is the last id seen. */
  list(storeId: string, limit: number, cursor: string | null): Promise<Page<ImportRecord>>;
  /** Writes the record's status, progress, lease and the rest, and the batch's new errors (numbered from `firstError`). */
  update(storeId: string, record: ImportRecord, errors: { firstError: number; rows: readonly RowError[] }): Promise<void>;
  /** The kept errors, in the order they were reported. */
  errors(storeId: string, id: string, limit: number): Promise<RowError[]>;

  /** Orders import: which of these order ids the store has, and whether this import recorded or refused them. */
  orderSightings(storeId: string, importId: string, orderIds: readonly string[]): Promise<Map<string, OrderSighting>>;
  /** Remembers orders this import refused, so rows of one of them met again later in the file are refused too. */
  rejectOrders(storeId: string, importId: string, orderIds: readonly string[]): Promise<void>;

  /**
   * An import of `kind` has grown the tables it fills: a database brings their planner statistics
   * up to date, as after any bulk load (plans made while the tables were small, foreign-key checks
   * among them, would otherwise scan whole tables for every row).
   */
  tablesGrown(kind: ImportKind): Promise<void>;

  /** Stores one piece of an upload (the import is created once the whole file is in). */
  addChunk(storeId: string, uploadId: string, chunk: UploadChunk, at: Date): Promise<void>;
  /** Up to `limit` pieces of an upload that hold bytes at or after `from`, in order. */
  chunks(storeId: string, uploadId: string, from: number, limit: number): Promise<UploadChunk[]>;
  dropChunks(storeId: string, uploadId: string): Promise<void>;
  /** Forgets uploads never turned into a running import (a client gone mid-upload), at most `limit` pieces. Spans stores. */
  sweepChunks(before: Date, limit: number): Promise<number>;

  /**
   * Leases the oldest running upload whose lease is free or ran out to `holder`, until `until`;
   * another process's claim skips rows being claimed rather than waiting. Spans stores, unless
   * `storeId` names one (tests sharing a database).
   */
  claim(now: Date, holder: string, until: Date, storeId?: string): Promise<{ storeId: string; record: ImportRecord } | null>;
}

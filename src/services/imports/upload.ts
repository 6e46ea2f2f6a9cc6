import { createHash } from "node:crypto";
import { once } from "node:events";
import { PassThrough } from "node:stream";
import { DomainError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import { headerProblem, type ImportKind } from "../../core/imports/kinds.ts";
import type { Services } from "../context.ts";
import { readCsv } from "./csv-reader.ts";

/** Uploads are stored in pieces of this size: memory holds one piece, never the whole file. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

export interface ReceivedUpload {
  id: string;
  sha256: string;
  bytes: number;
  /** Data rows (header excluded), counted as the bytes went by. */
  rows: number;
}

function unreadable(message: string): DomainError {
  return new DomainError("validation_failed", `body: ${message}`, { errors: [{ path: "body", message }] });
}

/**
 * Counts the rows of a CSV stream as it is written, and checks its header: the import knows its
 * total from the start, and a file of the wrong kind is refused before anything is imported.
 */
function rowCounter(kind: ImportKind) {
  const feed = new PassThrough();
  const state = { rows: 0, problem: null as string | null };
  const done = (async () => {
    let header = true;
    for await (const item of readCsv(feed, { offset: 0, line: 0 })) {
      if (header) {
        const problem = item.kind === "record" ? headerProblem(kind, item.values.map((v) => v.trim())) : item.message;
        if (problem) state.problem = `line ${item.line}: the header: ${problem}`;
        header = false;
      } else if (item.kind === "fatal") state.problem = `line ${item.line}: ${item.message}`;
      else state.rows++;
      if (state.problem) break;
    }
    if (header && !state.problem) state.problem = "the file is empty: it needs a header line naming the columns";
  })().catch((error: unknown) => {
    // The body stream broke (a client gone): the upload fails where the body is read.
    if (!state.problem) state.problem = `the file could not be read (${error instanceof Error ? error.message : String(error)})`;
  });
  return {
    state,
    async write(chunk: Uint8Array): Promise<void> {
      if (state.problem || feed.destroyed) return;
      // Waits for the counter to catch up; a feed closed meanwhile (a refused upload) ends the wait too.
      if (!feed.write(chunk)) await Promise.race([once(feed, "drain").catch(() => undefined), done]);
    },
    async end(): Promise<void> {
      feed.end();
      await done;
    },
    close(): void {
      feed.destroy();
    },
  };
}

/**
 * Stores a request body in the database, a chunk at a time (each in its own short transaction),
 * hashing and counting its rows on the way. Over `maxBytes` → 413; not a CSV file of `kind` →
 * 422 naming the line. The chunks of a refused or broken upload are dropped.
 */
export async function receiveUpload(services: Services, storeId: string, body: AsyncIterable<Uint8Array>, o: { kind: ImportKind; maxBytes: number }): Promise<ReceivedUpload> {
  const id = newId("imp");
  const hash = createHash("sha256");
  const counter = rowCounter(o.kind);
  let bytes = 0;
  let seq = 0;
  let piece: Uint8Array[] = [];
  let pieceBytes = 0;
  const store = async () => {
    if (pieceBytes === 0) return;
    const data = Buffer.concat(piece, pieceBytes);
    const chunk = { seq: seq++, start: bytes - pieceBytes, data };
    piece = [];
    pieceBytes = 0;
    await services.tx.run((repos) => repos.imports.addChunk(storeId, id, chunk, services.clock.now()));
  };
  try {
    for await (const part of body) {
      bytes += part.length;
      if (bytes > o.maxBytes) throw new DomainError("body_too_large", `an import file may have at most ${o.maxBytes} bytes`);
      hash.update(part);
      await counter.write(part);
      if (counter.state.problem) throw unreadable(counter.state.problem);
      piece.push(part);
      pieceBytes += part.length;
      if (pieceBytes >= UPLOAD_CHUNK_BYTES) await store();
    }
    await store();
    await counter.end();
    if (counter.state.problem) throw unreadable(counter.state.problem);
    return { id, sha256: hash.digest("hex"), bytes, rows: counter.state.rows };
  } catch (error) {
    counter.close();
    await discardUpload(services, storeId, id);
    throw error;
  }
}

/** Drops an upload's chunks unless an import was made of them (a replay, a refusal, a client gone). */
export async function discardUpload(services: Services, storeId: string, uploadId: string): Promise<void> {
  await services.tx.run(async (repos) => {
    if (!(await repos.imports.get(storeId, uploadId))) await repos.imports.dropChunks(storeId, uploadId);
  });
}

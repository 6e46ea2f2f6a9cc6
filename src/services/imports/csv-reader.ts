import { Readable, pipeline } from "node:stream";
import { parse, type CsvError, type Options } from "csv-parse";
import { LineTracker } from "./line-tracker.ts";

/** Where a read starts: a byte offset into the file, and the line that ended just before it. */
export interface ReadStart {
  offset: number;
  line: number;
}

/**
 * A record of the file with where it starts and ends, a record that is not valid CSV, or the point
 * past which the file cannot be read (`fatal`, always the last item).
 */
export type CsvItem =
  | { kind: "record"; line: number; values: string[]; end: number; endLine: number }
  | { kind: "bad" | "fatal"; line: number; message: string };

/**
 * A longer row stops the read (it is not buffered): a quote never closed must not pull the whole
 * file into memory. Past it nobody knows where rows begin, so the file cannot be read on.
 */
export const MAX_ROW_BYTES = 1024 * 1024;


/** How every import reads CSV: a broken record is skipped and reported, the records after it still read. */
export function csvOptions(onSkip: (error: CsvError | undefined) => void): Options {
  return {
    bom: true,
    info: true,
    // A stray quote (`"8"x`, `ab"c`) stays in its cell, where the column's check refuses it by name;
    // strict quoting would read on past the end of the row and swallow the rows after it.
    relax_quotes: true,
    // Cell counts are checked against the header by the caller: a resumed read has no header to compare with.
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_ROW_BYTES,
    on_skip: (error) => {
      onSkip(error);
      return undefined;
    },
  };
}

/** Why a record could not be read, in the file's terms. */
export function csvProblem(error: CsvError | undefined): string {
  switch (error?.code) {
    case "CSV_QUOTE_NOT_CLOSED": return "a quoted cell is never closed";
    case "CSV_MAX_RECORD_SIZE": return `a row runs past ${MAX_ROW_BYTES / 1024 / 1024} MB (is a quote never closed?); the file cannot be read on from here`;
    case "CSV_INVALID_CLOSING_QUOTE": return "a quote inside a quoted cell must be doubled (\"\")";
    default: return `not valid CSV (${(error?.message ?? "unreadable").replace(/ at line \d+.*$/, "")})`;
  }
}

/**
 * The records of a CSV byte stream from `start`, as they are parsed (memory stays constant: the
 * parser holds one record at a time and the source is read as the caller asks for more). Each
 * record carries the line it starts on (for error messages) and the byte offset and line where it
 * ends (a checkpoint: reading again from `end` continues right after it).
 */
export async function* readCsv(source: AsyncIterable<Uint8Array>, start: ReadStart): AsyncGenerator<CsvItem> {
  const skipped: Array<{ before: number; message: string; fatal: boolean }> = [];
  let fatal = false;
  const parser = parse(csvOptions((error) => {
    if (fatal) return;
    // With quotes relaxed the parser skips only a quote never closed (at the end of the file) and
    // a runaway row; after the latter it would report it again byte after byte: report it once,
    // and stop reading, so the records parsed before it are still handed out.
    fatal = error?.code === "CSV_MAX_RECORD_SIZE";
    skipped.push({ before: parser.info.records, message: csvProblem(error), fatal });
  }));
  const lines = new LineTracker(start);
  async function* tapped(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (fatal) return;
      lines.feed(chunk);
      yield chunk;
    }
  }
  const records = pipeline(Readable.from(tapped()), parser, () => undefined);
  // A skipped record is reported in its place among the records: before the first record parsed after it.
  function* skippedBefore(records: number): Generator<CsvItem> {
    while (skipped.length > 0 && skipped[0]!.before < records) {
      const s = skipped.shift()!;
      yield { kind: s.fatal ? "fatal" : "bad", line: lines.next(), message: s.message };
      if (s.fatal) return;
    }
  }
  try {
    for await (const item of records as AsyncIterable<{ record: string[]; info: { bytes: number; records: number } }>) {
      const { info } = item;
      yield* skippedBefore(info.records);
      if (fatal && skipped.length === 0) return;
      const end = start.offset + info.bytes;
      yield { kind: "record", ...lines.record(end), values: item.record, end };
    }
    yield* skippedBefore(Number.POSITIVE_INFINITY);
  } finally {
    parser.destroy();
  }
}

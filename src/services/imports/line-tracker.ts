const LF = 0x0a;
const CR = 0x0d;

/**
 * Line numbers from the bytes themselves: csv-parse counts a CRLF inside a quoted cell as two
 * lines, so its count drifts after such a cell. The tracker sees the bytes as they go to the
 * parser and, for each record's end offset, counts the line breaks (CRLF, LF or a lone CR) since
 * the previous one. It keeps only the bytes not yet behind a record: memory stays bounded.
 */
export class LineTracker {
  private chunks: Uint8Array[] = [];
  /** Absolute offset of chunks[0]'s first byte. */
  private base: number;
  /** Absolute offset where the last record ended. */
  private at: number;
  /** The line the last record ended on (0 before the first). */
  private line: number;

  constructor(start: { offset: number; line: number }) {
    this.base = start.offset;
    this.at = start.offset;
    this.line = start.line;
  }

  feed(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }

  /** The lines of a record ending at `end` (absolute): where it starts (past empty lines) and ends. */
  record(end: number): { line: number; endLine: number } {
    const { leading, breaks, endsWithBreak } = this.scan(this.at, end);
    const line = this.line + 1 + leading;
    const endLine = this.line + breaks + (endsWithBreak ? 0 : 1);
    this.line = endLine;
    this.at = end;
    this.drop();
    return { line, endLine };
  }

  /** Where the next record starts, past empty lines (for one the parser could not read). */
  next(): number {
    let end = this.base;
    for (const c of this.chunks) end += c.length;
    return this.line + 1 + this.scan(this.at, end).leading;
  }

  private *bytes(from: number, to: number): Generator<number> {
    let offset = this.base;
    for (const c of this.chunks) {
      const lo = Math.max(from - offset, 0);
      const hi = Math.min(to - offset, c.length);
      for (let i = lo; i < hi; i++) yield c[i]!;
      offset += c.length;
      if (offset >= to) return;
    }
  }

  private scan(from: number, to: number): { leading: number; breaks: number; endsWithBreak: boolean } {
    let breaks = 0;
    let leading = 0;
    let content = false;
    let last = -1;
    const lineBreak = () => {
      breaks++;
      if (!content) leading++;
    };
    for (const b of this.bytes(from, to)) {
      // CRLF counts once, at its LF; a CR followed by anything else is a line break of its own.
      if (last === CR && b !== LF) lineBreak();
      if (b === LF) lineBreak();
      else if (b !== CR) content = true;
      last = b;
    }
    if (last === CR) lineBreak();
    return { leading, breaks, endsWithBreak: last === LF || last === CR };
  }

  /** Forgets the chunks wholly behind the last record. */
  private drop(): void {
    while (this.chunks.length > 0 && this.base + this.chunks[0]!.length <= this.at) {
      this.base += this.chunks[0]!.length;
      this.chunks.shift();
    }
  }
}

import type { Cells } from "./cells.ts";
import { MAX_ORDER_LINES } from "./order-rows.ts";

/** A data row of the file: its first line, its cells, and where it ends (byte offset and line). */
export interface SourceRow {
  line: number;
  cells: Cells;
  end: number;
  endLine: number;
}

/** A row that could not be read as CSV (a quote never closed, too many cells), with why. */
export interface BadRow {
  line: number;
  message: string;
}

/**
 * What one unit of work imports, all or nothing in one batch: one row (members, balances) or one
 * order's consecutive rows. It carries the unreadable rows met since the previous unit, so that a
 * batch's checkpoint (`end`, the byte after its last unit) never lies before a row it counted.
 */
export interface Unit {
  rows: SourceRow[];
  /** Rows of the unit beyond those kept (an order past MAX_ORDER_LINES is refused whole; its extra rows are only counted). */
  dropped: number;
  bad: BadRow[];
  end: number;
  endLine: number;
}

/** Rows the unit stands for: each counts as processed, imported or not. */
export function unitRows(u: Unit): number {
  return u.rows.length + u.dropped + u.bad.length;
}

/**
 * Cuts the file's rows into units. `keyOf` groups consecutive rows with the same key into one
 * unit (an order's line items); null makes a row a unit of its own. Memory stays bounded: an
 * order holds at most MAX_ORDER_LINES + 1 rows, however many lines it runs to.
 */
export class UnitCutter {
  private open: Unit | null = null;
  private openKey: string | null = null;
  private pendingBad: BadRow[] = [];

  constructor(private readonly keyOf: (row: SourceRow) => string | null) {}

  /** Takes the next item of the file; returns the units it completed. */
  push(item: SourceRow | BadRow): Unit[] {
    if (!("cells" in item)) {
      this.pendingBad.push(item);
      return [];
    }
    const key = this.keyOf(item);
    const done: Unit[] = [];
    if (this.open && key !== null && key === this.openKey) {
      if (this.open.rows.length <= MAX_ORDER_LINES) this.open.rows.push(item);
      else this.open.dropped++;
      this.open.bad.push(...this.takeBad());
      this.open.end = item.end;
      this.open.endLine = item.endLine;
      return done;
    }
    if (this.open) done.push(this.open);
    const unit: Unit = { rows: [item], dropped: 0, bad: this.takeBad(), end: item.end, endLine: item.endLine };
    if (key === null) {
      done.push(unit);
      this.open = null;
    } else this.open = unit;
    this.openKey = key;
    return done;
  }

  /**
   * The file ended: the open unit, and a last one for unreadable rows after it, ending where the
   * open unit ends or at `end` / `endLine` (where the last unit before ended), whichever is later.
   */
  finish(end: number, endLine: number): Unit[] {
    const open = this.open;
    const done: Unit[] = open ? [open] : [];
    this.open = null;
    if (this.pendingBad.length > 0) {
      done.push({ rows: [], dropped: 0, bad: this.takeBad(), end: Math.max(end, open?.end ?? end), endLine: Math.max(endLine, open?.endLine ?? endLine) });
    }
    return done;
  }

  private takeBad(): BadRow[] {
    const bad = this.pendingBad;
    this.pendingBad = [];
    return bad;
  }
}

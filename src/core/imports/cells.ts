import { z } from "zod";

/** One CSV row by column: cells trimmed, an empty cell left out (it means "not given"). */
export type Cells = Readonly<Record<string, string>>;

export function cellsOf(header: readonly string[], values: readonly string[]): Cells {
  const cells: Record<string, string> = {};
  header.forEach((column, i) => {
    const value = values[i]?.trim() ?? "";
    if (value !== "") cells[column] = value;
  });
  return cells;
}

// With the u flag, a paired surrogate is one code point, so this matches lone halves only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why a cell cannot be stored: PostgreSQL refuses U+0000, and lone surrogates are not Unicode. */
export function badText(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(s)) return "must be valid Unicode (it holds a lone surrogate)";
  return null;
}

/** The first cell that cannot be stored, as "column: problem", or null. */
export function badCell(cells: Cells): string | null {
  for (const [column, value] of Object.entries(cells)) {
    const problem = badText(value);
    if (problem) return `${column}: ${problem}`;
  }
  return null;
}

/** A whole number written in a cell (no decimals, no thousands separators), checked by `schema`. */
export function wholeNumber(schema: z.ZodNumber) {
  return z.string().regex(/^[+-]?\d+$/, "must be a whole number").transform(Number).pipe(schema);
}

/** A yes/no cell: true, false, yes, no, 1 or 0, in any case. */
export const flag = z.string().transform((s, ctx) => {
  const v = s.toLowerCase();
  if (v === "true" || v === "yes" || v === "1") return true;
  if (v === "false" || v === "no" || v === "0") return false;
  ctx.addIssue({ code: "custom", message: "must be true or false" });
  return z.NEVER;
});

/** A validation failure as one message naming the column (and the item, for a list cell). */
export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => {
    const [column, ...rest] = i.path.map(String);
    const where = rest.length > 0 ? `${column} (item ${Number(rest[0]) + 1})` : column ?? "row";
    const message = i.code === "invalid_type" && i.message.endsWith("received undefined") ? "is required" : i.message;
    return `${where}: ${message}`;
  }).join("; ");
}

/** What validating one row comes to: its value, or why it is rejected. */
export type RowResult<T> = { ok: true; value: T } | { ok: false; message: string };

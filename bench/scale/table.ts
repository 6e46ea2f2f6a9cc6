/** A Markdown table; columns listed in `right` are right-aligned (numbers). */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, right: readonly string[] = []): string {
  const alignRight = headers.map((h) => right.includes(h));
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const pad = (text: string, c: number) => (alignRight[c] ? text.padStart(widths[c]!) : text.padEnd(widths[c]!));
  const line = (values: readonly string[]) => `| ${values.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (alignRight[c] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** Milliseconds with three significant figures or so, as bench/table.ts prints them. */
export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export const seconds = (msValue: number) => (msValue / 1_000).toFixed(msValue >= 100_000 ? 0 : msValue >= 10_000 ? 1 : 2);

/** 1234567 → "1 234 567", as the docs write counts. */
export const count = (n: number) => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");

export const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

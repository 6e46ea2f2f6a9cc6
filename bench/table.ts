import type { BenchRow } from "./scenarios.ts";

const HEADERS = ["database", "scenario", "concurrency", "ops", "ops/s", "p50 ms", "p99 ms"] as const;
const RIGHT = new Set<string>(["concurrency", "ops", "ops/s", "p50 ms", "p99 ms"]);

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** A Markdown table, so the output can be pasted into docs/performance.md as is. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => [
    r.database, r.scenario, String(r.concurrency), String(r.ops),
    Math.round(r.opsPerSec).toString(), ms(r.p50Ms), ms(r.p99Ms),
  ]);
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...cells.map((line) => line[c]!.length)));
  const pad = (text: string, c: number) => (RIGHT.has(HEADERS[c]!) ? text.padStart(widths[c]!) : text.padEnd(widths[c]!));
  const line = (values: readonly string[]) => `| ${values.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (RIGHT.has(HEADERS[c]!) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(HEADERS), rule, ...cells.map(line)].join("\n");
}

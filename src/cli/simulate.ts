import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DateTime } from "luxon";
import { loadEnv } from "../config/env.ts";
import { replayInWorker } from "../jobs/simulation-replay.ts";
import { openRuntime } from "../runtime.ts";
import { exportProgram } from "../services/program-document.ts";
import type { SimulationReport } from "../services/simulation/report.ts";
import { simulate } from "../services/simulation/simulations.ts";
import { simulateProgress } from "./simulate-progress.ts";
import { requireStore } from "../services/context.ts";

interface SimulateOptions {
  store: string;
  candidate: string;
  from?: string;
  to?: string;
  redemptionRate?: string;
  json?: boolean;
}

const points = (n: number) => n.toLocaleString("en-US");
const share = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(2)}%`);
const minor = (n: number | null, currency: string) => (n === null ? "–" : `${(n / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`);

/** The report as a table: per month, current → candidate for each figure. */
export function reportTable(report: SimulationReport, currency: string): string {
  const header = ["month", "issued", "redeemed", "expired", "outstanding", "liability", "cost share"];
  const pair = (a: string, b: string) => (a === b ? a : `${a} → ${b}`);
  const rows = report.current.months.map((c, i) => {
    const n = report.candidate.months[i]!;
    return [c.month, pair(points(c.issued), points(n.issued)), pair(points(c.redeemed), points(n.redeemed)), pair(points(c.expired), points(n.expired)),
      pair(points(c.outstanding), points(n.outstanding)), pair(minor(c.liability, currency), minor(n.liability, currency)), pair(share(c.costShare), share(n.costShare))];
  });
  const c = report.current.totals;
  const n = report.candidate.totals;
  rows.push(["total", pair(points(c.issued), points(n.issued)), pair(points(c.redeemed), points(n.redeemed)), pair(points(c.expired), points(n.expired)),
    pair(points(c.outstanding), points(n.outstanding)), pair(minor(c.liability, currency), minor(n.liability, currency)), pair(share(c.costShare), share(n.costShare))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [
    line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.slice(0, -1).map(line), widths.map((w) => "─".repeat(w)).join("  "), line(rows.at(-1)!),
    "",
    `Current → candidate. Redemption rate ${share(report.redemptionRate)} (observed ${share(report.observedRedemptionRate)}).`,
    report.currentFrom === "ledger" ? "The current program's figures are the ledger's own (a replay would give the same)." : report.reproduced === null ? "" : report.reproduced ? "Replaying the current program reproduced the ledger's own figures." : "Warning: replaying the current program did not reproduce the ledger's own figures.",
  ].filter((l, i, all) => l !== "" || i < all.length - 1).join("\n");
}

export function registerSimulateCommand(program: Command): void {
  program.command("simulate").description("replay a store's history through a candidate program beside the current one (SPEC §8)")
    .requiredOption("--store <id>", "store id")
    .requiredOption("--candidate <file>", "a program document (JSON, as `program apply` takes), or `current`")
    .option("--from <date>", "first day replayed (YYYY-MM-DD in the store's zone); default twelve months before --to")
    .option("--to <date>", "last day replayed; default the store's today")
    .option("--redemption-rate <rate>", "expected share of points redeemed (0..1); default the store's observed rate")
    .option("--json", "print the report as JSON")
    .action(async (opts: SimulateOptions) => {
      const runtime = await openRuntime(loadEnv());
      try {
        const store = await runtime.services.tx.run((repos) => requireStore(repos, opts.store));
        const candidate = opts.candidate === "current" ? await exportProgram(runtime.services, opts.store) : JSON.parse(readFileSync(opts.candidate, "utf8")) as unknown;
        const today = DateTime.fromJSDate(store.sandbox && store.clockNow ? store.clockNow : new Date(), { zone: store.timezone });
        const to = opts.to ?? today.toISODate()!;
        const from = opts.from ?? DateTime.fromISO(to, { zone: store.timezone }).minus({ months: 12 }).plus({ days: 1 }).toISODate()!;
        const rate = opts.redemptionRate === undefined ? null : Number(opts.redemptionRate);
        if (rate !== null && !(rate >= 0 && rate <= 1)) throw new Error("--redemption-rate must be a number from 0 to 1");
        const started = performance.now();
        const progress = simulateProgress(process.stderr);
        const report = await simulate(runtime.services, opts.store, { candidate, from, to, redemptionRate: rate }, replayInWorker, progress.told).finally(() => progress.stop());
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else console.log(reportTable(report, store.currency));
        console.error(`simulated ${from} to ${to} in ${seconds} s`);
      } finally {
        await runtime.close();
      }
    });
}

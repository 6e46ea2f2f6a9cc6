import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { Argument, type Command } from "commander";
import { IMPORT_KINDS, type ImportKind } from "../core/imports/kinds.ts";
import type { ImportRecord } from "../core/ports/imports.ts";
import { ConfigError, loadEnv } from "../config/env.ts";
import { openRuntime } from "../runtime.ts";
import type { Services } from "../services/context.ts";
import { runImport, type RunOptions } from "../services/imports/run.ts";
import { fileBytes } from "../services/imports/sources.ts";
import { startFileImport } from "../services/imports/start.ts";
import { importProgress, type Output } from "./import-progress.ts";

export interface ImportCommand {
  storeId: string;
  kind: ImportKind;
  file: string;
  award: boolean;
  again: boolean;
  batchRows?: number;
}

/** Errors listed after the summary; the API lists the first 1000. */
const SHOWN_ERRORS = 20;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const part of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(part as Buffer);
  return hash.digest("hex");
}

/**
 * `pointbook import KIND FILE --store ID`: the file is the same import as before when store, kind,
 * options and content (SHA-256) match, so a rerun after a crash resumes where the last committed
 * batch ended, and a rerun of a finished import is refused unless `again`. Returns the exit code:
 * 0 all imported, 2 done with rejected rows, 1 failed.
 */
export async function importCommand(services: Services, c: ImportCommand, out: Output, options: Pick<RunOptions, "signal" | "faults"> = {}): Promise<{ record: ImportRecord; exitCode: number }> {
  const info = await stat(c.file).catch(() => null);
  if (!info?.isFile()) throw new ConfigError(`cannot read ${c.file}: no such file`);
  const { record: start, resumed } = await startFileImport(services, c.storeId,
    { kind: c.kind, award: c.award, sha256: await sha256Of(c.file), bytes: info.size, fileName: basename(c.file) },
    { again: c.again, hint: "run it with --again" }, { id: "cli", role: "operator" });
  out.write(resumed
    ? `resuming import ${start.id} at line ${start.progress.line + 1} (${start.progress.processed} rows done before)\n`
    : `importing ${c.kind} from ${c.file} as ${start.id}\n`);
  const progress = importProgress(out, start, info.size);
  const startedAt = Date.now();
  let record: ImportRecord;
  try {
    record = await runImport(services, c.storeId, start.id, fileBytes(c.file), {
      batchRows: c.batchRows, signal: options.signal, faults: options.faults, onBatch: (r) => progress.update(r),
    });
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - startedAt) / 1000;
  const rows = record.progress.processed - start.progress.processed;
  const p = record.progress;
  if (record.status === "running") {
    out.write(`stopped import ${record.id} at line ${p.line}: ${p.processed} rows so far; run the same command again to resume\n`);
    return { record, exitCode: 1 };
  }
  out.write(`import ${record.id} ${record.status}: ${p.processed} rows, ${p.imported} imported, ${p.rejected} rejected; ${rows} rows in ${seconds.toFixed(1)} s (${Math.round(rows / Math.max(seconds, 0.001))} rows/s)\n`);
  if (record.failure) out.write(`failed at ${record.failure}\n`);
  if (p.errors > 0) {
    const errors = await services.tx.run((repos) => repos.imports.errors(c.storeId, record.id, SHOWN_ERRORS));
    for (const e of errors) out.write(`  line ${e.line}: ${e.message}\n`);
    if (p.errors > errors.length) out.write(`  … and ${p.errors - errors.length} more (GET /v1/imports/${record.id} lists the first 1000)\n`);
  }
  return { record, exitCode: record.status === "failed" ? 1 : p.rejected > 0 ? 2 : 0 };
}

/** Registers `import` on the CLI. */
export function registerImportCommand(program: Command): void {
  program.command("import").description("import a CSV file of members, opening balances or past orders into a store")
    .addArgument(new Argument("<kind>", "members | balances | orders").choices(IMPORT_KINDS))
    .argument("<file>", "the CSV file (first line: the column names)")
    .requiredOption("--store <id>", "store id")
    .option("--award", "orders: award points as the store's rules say, instead of recording them as history")
    .option("--again", "import a file that was imported before once more")
    .option("--batch-size <rows>", "rows per transaction", (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) throw new ConfigError("--batch-size must be a whole number from 1 to 100000");
      return n;
    })
    .action(async (kind: ImportKind, file: string, opts: { store: string; award?: boolean; again?: boolean; batchSize?: number }) => {
      const runtime = await openRuntime(loadEnv());
      // Ctrl-C stops after the batch in flight (a second one at once): a rerun resumes there.
      const stop = new AbortController();
      const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        const { exitCode } = await importCommand(runtime.services,
          { storeId: opts.store, kind, file, award: opts.award ?? false, again: opts.again ?? false, batchRows: opts.batchSize },
          process.stdout, { signal: stop.signal });
        process.exitCode = exitCode;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await runtime.close();
      }
    });
}

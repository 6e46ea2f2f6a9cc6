import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { ZodError } from "zod";
import { runCommand } from "../services/command.ts";
import { importProgram } from "../services/program-document.ts";
import { ConfigError, loadEnv } from "../config/env.ts";
import { openRuntime } from "../runtime.ts";
import { serve } from "./serve.ts";
import { registerImportCommand } from "./import.ts";
import { registerSimulateCommand } from "./simulate.ts";
import { createStore } from "../services/stores.ts";
import { createKey } from "../services/api-keys.ts";
import { verifyLedger } from "../storage/verify.ts";
import { migrate } from "../storage/migrate.ts";
import { DomainError } from "../core/errors.ts";
import { isValidTimeZone } from "../core/time/zone.ts";

const program = new Command("pointbook").description("Pointbook: an exact, auditable loyalty-points ledger");
const operator = { id: "cli", role: "operator" as const };

program.command("serve").description("run the HTTP server and the scheduler")
  .option("--demo", "create (once) and print a demo sandbox store")
  .action(async (opts: { demo?: boolean }) => serve(loadEnv(), { demo: opts.demo ?? false }));

program.command("migrate").description("apply pending database migrations").action(async () => {
  const runtime = await openRuntime(loadEnv());
  // openRuntime already migrates; a second call reports that nothing is left to do.
  const applied = await migrate(runtime.db);
  console.log(applied.length === 0 ? "schema is up to date" : `applied ${applied.join(", ")}`);
  await runtime.close();
});

const stores = program.command("stores").description("manage stores (tenants)");
stores.command("create").description("create a store and print its first admin key")
  .requiredOption("--name <name>", "store name")
  .option("--currency <code>", "ISO 4217 currency", "USD")
  .option("--timezone <zone>", "IANA time zone", "UTC")
  .option("--sandbox", "give the store its own test clock")
  .action(async (opts: { name: string; currency: string; timezone: string; sandbox?: boolean }) => {
    if (!/^[A-Z]{3}$/.test(opts.currency)) throw new ConfigError("--currency must be an ISO 4217 code such as USD");
    if (!isValidTimeZone(opts.timezone)) throw new ConfigError("--timezone must be an IANA time zone such as Europe/Paris");
    const runtime = await openRuntime(loadEnv());
    const { store, apiKey } = await createStore(runtime.services, { ...opts, sandbox: opts.sandbox ?? false }, operator);
    console.log(JSON.stringify({ id: store.id, name: store.name, currency: store.currency, timezone: store.timezone, sandbox: store.sandbox, apiKey }, null, 2));
    await runtime.close();
  });

program.command("keys").description("manage API keys").command("create").description("create an API key for a store")
  .requiredOption("--store <id>", "store id")
  .requiredOption("--name <name>", "what the key is for")
  .addOption(new Option("--role <role>", "viewer | points_manager | admin").choices(["viewer", "points_manager", "admin"]).default("viewer"))
  .action(async (opts: { store: string; name: string; role: "viewer" | "points_manager" | "admin" }) => {
    const runtime = await openRuntime(loadEnv());
    const { record, key } = await createKey(runtime.services, opts.store, { name: opts.name, role: opts.role }, operator);
    console.log(JSON.stringify({ id: record.id, name: record.name, role: record.role, key }, null, 2));
    await runtime.close();
  });

program.command("program").description("the store's program as a document").command("apply <file>")
  .description("replace a store's program with a document (a preset or an export); atomic")
  .requiredOption("--store <id>", "store id")
  .option("--dry-run", "only print what would change")
  .action(async (file: string, opts: { store: string; dryRun?: boolean }) => {
    const raw = JSON.parse(readFileSync(file, "utf8")) as unknown;
    const runtime = await openRuntime(loadEnv());
    try {
      const { outcome } = await runCommand(runtime.services, {
        storeId: opts.store,
        run: (repos) => importProgram(repos, runtime.services, opts.store, raw, { dryRun: opts.dryRun ?? false }, operator),
      });
      if (!outcome.ok) throw outcome.error;
      console.log(JSON.stringify(outcome.value, null, 2));
    } finally {
      await runtime.close();
    }
  });

registerImportCommand(program);
registerSimulateCommand(program);

program.command("verify").description("recompute every balance from entries and lots; exit 1 on any discrepancy")
  .option("--store <id>", "only this store")
  .action(async (opts: { store?: string }) => {
    const runtime = await openRuntime(loadEnv());
    const found = await verifyLedger(runtime.db, opts.store);
    const [counts] = await runtime.db.query<{ members: number; entries: number }>(
      "SELECT (SELECT count(*) FROM members)::bigint AS members, (SELECT count(*) FROM entries)::bigint AS entries",
    );
    await runtime.close();
    for (const d of found) console.log(JSON.stringify(d));
    console.log(`verified ${counts?.members ?? 0} members and ${counts?.entries ?? 0} entries: ${found.length} discrepancies`);
    if (found.length > 0) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else if (error instanceof DomainError) {
    console.error(error.message);
  } else if (error instanceof ZodError) {
    console.error(`The document is not valid:\n${error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});

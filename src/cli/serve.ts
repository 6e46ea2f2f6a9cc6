import type { Env } from "../config/env.ts";
import { buildApp } from "../http/app.ts";
import { startScheduler } from "../jobs/scheduler.ts";
import { openRuntime, operatorToken } from "../runtime.ts";
import { ensureDemoStore } from "./demo.ts";

export async function serve(env: Env, options: { demo: boolean }): Promise<void> {
  const runtime = await openRuntime(env);
  const operator = operatorToken(env);
  const app = await buildApp(
    { services: runtime.services, operatorToken: operator.token, ping: async () => void (await runtime.db.query("SELECT 1")) },
    { logger: { level: env.LOG_LEVEL } },
  );
  const scheduler = startScheduler(runtime.services, env.POINTBOOK_SCHEDULER_INTERVAL_MS, app.log);
  const address = await app.listen({ port: env.PORT, host: env.HOST });
  const base = address.replace("[::1]", "localhost");

  const lines = [
    "",
    `Pointbook is running at ${base} (${runtime.db.kind === "pglite" ? `PGlite in ${env.POINTBOOK_DATA_DIR}` : "PostgreSQL"})`,
    `  API docs:        ${base}/docs`,
    `  OpenAPI:         ${base}/openapi.json`,
    `  Operator token:  ${operator.token}${operator.file ? `  (kept in ${operator.file})` : ""}`,
  ];
  if (options.demo) {
    const demo = await ensureDemoStore(runtime.services, env.POINTBOOK_DATA_DIR);
    lines.push(`  Demo store:      ${demo.storeId} (sandbox)`, `  Demo admin key:  ${demo.apiKey}`, "", `  Try: curl -H "Authorization: Bearer ${demo.apiKey}" ${base}/v1/program`);
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, "shutting down");
    await scheduler.stop();
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

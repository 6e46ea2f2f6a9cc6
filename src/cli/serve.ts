import type { Env } from "../config/env.ts";
import { buildApp } from "../http/app.ts";
import { startOutgoingLoop } from "../jobs/outgoing-loop.ts";
import { startImportWorker } from "../jobs/imports-worker.ts";
import { keepReplayWorkersFor } from "../jobs/replay-workers.ts";
import { outgoingWorks } from "../jobs/outgoing-works.ts";
import { startScheduler } from "../jobs/scheduler.ts";
import { createMetrics } from "../metrics.ts";
import { openRuntime, operatorToken } from "../runtime.ts";
import { ensureDemoStore } from "./demo.ts";
import { ignoreOutputErrors, logDestination } from "./output.ts";

/** How long a shutdown may take before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

export async function serve(env: Env, options: { demo: boolean }): Promise<void> {
  ignoreOutputErrors();
  const runtime = await openRuntime(env);
  keepReplayWorkersFor(env.POINTBOOK_SIMULATION_WORKERS_KEPT_MS);
  const operator = operatorToken(env);
  const logger = { level: env.LOG_LEVEL, stream: logDestination(process.stdout) };
  const metrics = createMetrics({ pendingOutgoing: () => runtime.services.tx.run((repos) => repos.outbox.pendingCount()) });
  const app = await buildApp(
    { services: runtime.services, operatorToken: operator.token, ping: async () => void (await runtime.db.query("SELECT 1")), rateLimitPerSecond: env.POINTBOOK_RATE_LIMIT_PER_SECOND, metrics, webhookAllowPrivate: env.POINTBOOK_WEBHOOK_ALLOW_PRIVATE,
      assistantWaitMs: env.POINTBOOK_ASSISTANT_WAIT_MS },
    { logger },
  );
  const scheduler = startScheduler(runtime.services, env.POINTBOOK_SCHEDULER_INTERVAL_MS, app.log, {
    onTick: ({ seconds, report }) => {
      metrics.dueWorkSeconds.observe(seconds);
      metrics.dueWorkFailures.inc(report ? report.failed.length : 1);
    },
  });
  const outgoing = outgoingWorks(runtime.services, env, metrics);
  const outgoingLoop = startOutgoingLoop(env.POINTBOOK_OUTGOING_INTERVAL_MS, outgoing, app.log);
  // Uploaded imports (POST /v1/imports) run here, one at a time per process, under a lease.
  const imports = startImportWorker(runtime.services, { intervalMs: 1_000, leaseMs: env.POINTBOOK_IMPORT_LEASE_MS }, app.log);
  // Simulations another process left running more than an hour ago never finish: say so.
  const abandoned = await runtime.services.tx.run((repos) => repos.simulations.abandonRunning(new Date(Date.now() - 3_600_000), new Date()));
  if (abandoned > 0) app.log.warn({ abandoned }, "simulations left running by a stopped server marked failed");
  const address = await app.listen({ port: env.PORT, host: env.HOST });
  const base = address.replace("[::1]", "localhost");

  const lines = [
    "",
    `Pointbook is running at ${base} (${runtime.db.kind === "pglite" ? `PGlite in ${env.POINTBOOK_DATA_DIR}` : "PostgreSQL"})`,
    `  Back office:     ${base}/admin`,
    `  API docs:        ${base}/docs`,
    `  OpenAPI:         ${base}/openapi.json`,
    `  Operator token:  ${operator.token}${operator.file ? `  (kept in ${operator.file})` : ""}`,
  ];
  if (options.demo) {
    const demo = await ensureDemoStore(runtime.services, env.POINTBOOK_DATA_DIR);
    lines.push(`  Demo store:      ${demo.storeId} (sandbox)`, `  Demo admin key:  ${demo.apiKey}  (sign in to the back office with it)`, "", `  Try: curl -H "Authorization: Bearer ${demo.apiKey}" ${base}/v1/program`);
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    // A second signal means "now".
    if (closing) process.exit(1);
    closing = true;
    // Not unref'd: whatever still holds the event loop (a stuck query, a full pipe), the process ends.
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    app.log.info({ signal }, "shutting down");
    // Stop accepting and finish in-flight requests while the scheduler ends its current chunk;
    // the database closes only when neither needs it any more.
    void Promise.allSettled([scheduler.stop(), outgoingLoop.stop(), imports.stop(), app.close()])
      .then(() => outgoing.close())
      .then(() => runtime.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}


import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const OPERATOR_TOKEN = "bench-operator-token-0123456789";
const DATABASE = "pointbook_bench_http";

export interface BenchServerOptions {
  /** Environment for the server on top of the bench's own (the outgoing scenario's settings). */
  env?: Record<string, string>;
  /** The scratch database's name (default pointbook_bench_http). */
  database?: string;
}

export interface BenchServer {
  base: string;
  /** Refreshes the planner's statistics, as autovacuum would between load phases (it may be off). */
  analyze(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

async function recreateDatabase(baseUrl: string, database: string, drop = false): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    if (!drop) await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * The real server (`pointbook serve`) on a fresh PostgreSQL database of its own, as an operator
 * would run it, with the rate limit off so the load measures the server and not the limiter.
 */
export async function startBenchServer(baseUrl: string, options: BenchServerOptions = {}): Promise<BenchServer> {
  const database = options.database ?? DATABASE;
  const databaseUrl = await recreateDatabase(baseUrl, database);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "pointbook-bench-"));
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, join(ROOT, "bin", "pointbook.js"), "serve"], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", POINTBOOK_DATA_DIR: dataDir,
      POINTBOOK_OPERATOR_TOKEN: OPERATOR_TOKEN, POINTBOOK_RATE_LIMIT_PER_SECOND: "0", LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("the server did not become ready within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    async analyze() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query("ANALYZE");
      } finally {
        await client.end();
      }
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
      await recreateDatabase(baseUrl, database, true);
    },
  };
}
